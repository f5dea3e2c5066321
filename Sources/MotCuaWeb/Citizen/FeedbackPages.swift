import Foundation
import Hummingbird
import MotCuaCore
import MotCuaStore

/// Feedback and complaints (phản ánh, kiến nghị): the public form (no account needed) with the
/// published answers, and the desk's list and answer form. Monitors see their units' feedback and
/// which are late; handling staff of the agency answer.
enum FeedbackPages {
    static func register(_ routes: inout RouteRegistry, services: AppServices) {
        routes.get("/phan-anh-kien-nghi") { request, context in try await publicPage(request, context, services, values: [:], errors: [], status: .ok) }
        routes.post("/phan-anh-kien-nghi") { request, context in
            let form = try await FormBody.read(request, context: context)
            guard let sent = form["csrf"], sent == StaffAuth.cookie(request, CitizenAuth.formCSRFCookie) else {
                return try await publicPage(request, context, services, values: form.values, errors: ["Phiên làm việc đã hết hạn, vui lòng gửi lại."], status: .forbidden)
            }
            let f = FeedbackRules.normalized(FeedbackSubmission(
                name: form["name"] ?? "", email: form["email"], phone: form["phone"], agencyCode: form["agency"] ?? "", dossierCode: form["dossierCode"],
                category: FeedbackSubmission.Category(rawValue: form["category"] ?? "") ?? .other, content: form.values["content"] ?? ""))
            var errors = FeedbackRules.problems(f).map { p in
                p.code == "content_too_short" ? "Nội dung phản ánh, kiến nghị: cần ít nhất 10 ký tự." : PortalMessages.problem(p)
            }
            if try await agencies(services).first(where: { $0.code == f.agencyCode }) == nil { errors.append("Hãy chọn cơ quan nhận phản ánh, kiến nghị.") }
            guard errors.isEmpty else { return try await publicPage(request, context, services, values: form.values, errors: errors, status: .unprocessableContent) }
            let now = services.now()
            let due = FeedbackRules.answerDue(submittedAt: now, workingDays: services.portal.feedbackAnswerDays, deadlines: services.deadlines(for: f.agencyCode))
            let reference = try await services.feedback.submit(f, dueAt: due, now: now)
            return services.pages.page("message", title: "Đã gửi phản ánh, kiến nghị", [
                "heading": "Đã gửi phản ánh, kiến nghị",
                "text": "Mã phản ánh, kiến nghị: \(reference). Cơ quan sẽ trả lời trước \(VietnameseFormat.dateTime(due) ?? "") qua thư điện tử hoặc tin nhắn.",
            ], status: .created)
        }
        routes.get("/can-bo/phan-anh") { request, _ in
            let session = try await DeskSession.require(request, services)
            let scope = [session.member.agencyCode] + (session.member.role == .monitor ? try await services.dossiers.agencies(below: session.member.agencyCode).sorted() : [])
            let now = services.now()
            let items = try await services.feedback.list(agencies: session.member.role == .admin ? [] : scope)
            var ctx = session.layoutContext
            ctx["items"] = items.map { f in
                present(["reference": f.reference, "category": f.submission.category.label, "agency": f.submission.agencyCode,
                         "submitted": VietnameseFormat.dateTime(f.submittedAt), "due": VietnameseFormat.dateTime(f.dueAt),
                         "answered": VietnameseFormat.dateTime(f.answeredAt), "late": f.isLate(at: now) ? true : nil])
            }
            ctx["hasItems"] = !items.isEmpty
            ctx["lateCount"] = items.filter { $0.isLate(at: now) }.count
            return services.pages.page("desk-feedback", title: "Phản ánh, kiến nghị", ctx)
        }
        routes.get("/can-bo/phan-anh/:ref") { request, context in
            let session = try await DeskSession.require(request, services)
            return try await deskDetail(try context.parameters.require("ref"), session, services, flash: request.query("ok") == nil ? nil : "Đã trả lời.", error: nil)
        }
        routes.post("/can-bo/phan-anh/:ref") { request, context in
            let session = try await DeskSession.require(request, services)
            let ref = try context.parameters.require("ref")
            let form = try await FormBody.read(request, context: context)
            try session.checkCSRF(form)
            guard let f = try await visible(ref, session, services), AccessPolicy.handlingRoles.contains(session.member.role),
                  session.member.agencyCode == f.submission.agencyCode else {
                throw APIError(.forbidden, code: "forbidden", "Anh/chị không được trả lời phản ánh, kiến nghị này.")
            }
            let text = form.values["answer"].map(TextRules.normalized)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            guard text.count >= 10, TextRules.problem(text, maxLength: TextRules.Limit.note, multiline: true) == nil else {
                return try await deskDetail(ref, session, services, flash: nil, error: "Nội dung trả lời cần từ 10 đến 4.000 ký tự, không chứa ký tự điều khiển.",
                                            status: .unprocessableContent)
            }
            do {
                try await services.feedback.answer(reference: ref, text: text, publish: form["publish"] != nil, by: session.member.username, now: services.now()) { f in
                    ("Trả lời phản ánh, kiến nghị \(f.reference)", "Kính gửi \(f.submission.name),\n\nCơ quan trả lời phản ánh, kiến nghị \(f.reference) của Ông/Bà như sau:\n\n\(text)\n")
                }
            } catch CitizenError.workflow {
                return try await deskDetail(ref, session, services, flash: nil, error: "Phản ánh, kiến nghị này đã được trả lời.", status: .conflict)
            }
            throw DeskRedirect(location: "/can-bo/phan-anh/\(ref)?ok=1")
        }
    }

    static func agencies(_ services: AppServices) async throws -> [Agency] {
        let today = DeadlineCalculator.localDate(of: services.now())
        return try await services.catalog.agencies().filter { $0.existed(from: today, to: today) }
    }

    /// The feedback if the staff member may see it (its agency, or below it for a monitor).
    static func visible(_ ref: String, _ session: DeskSession, _ services: AppServices) async throws -> FeedbackRecord? {
        guard ref.count <= 64, let f = try await services.feedback.feedback(reference: ref), session.member.role != .admin else { return nil }
        if f.submission.agencyCode == session.member.agencyCode { return f }
        guard session.member.role == .monitor else { return nil }
        return try await services.dossiers.agencies(below: session.member.agencyCode).contains(f.submission.agencyCode) ? f : nil
    }

    static func deskDetail(_ ref: String, _ session: DeskSession, _ services: AppServices, flash: String?, error: String?,
                           status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let f = try await visible(ref, session, services) else { throw APIError.notFound("Không tìm thấy phản ánh, kiến nghị.") }
        var ctx = session.layoutContext
        ctx["f"] = present(["reference": f.reference, "category": f.submission.category.label, "name": f.submission.name, "email": f.submission.email,
                            "phone": f.submission.phone, "dossier": f.submission.dossierCode, "content": f.submission.content,
                            "submitted": VietnameseFormat.dateTime(f.submittedAt), "due": VietnameseFormat.dateTime(f.dueAt), "answer": f.answer,
                            "answered": VietnameseFormat.dateTime(f.answeredAt), "late": f.isLate(at: services.now()) ? true : nil,
                            "published": f.published ? true : nil])
        ctx["canAnswer"] = f.answeredAt == nil && AccessPolicy.handlingRoles.contains(session.member.role) && session.member.agencyCode == f.submission.agencyCode
        if let flash { ctx["flash"] = flash }
        if let error { ctx["errorMessage"] = error }
        return services.pages.page("desk-feedback-detail", title: "Phản ánh, kiến nghị \(f.reference)", ctx, status: status)
    }

    static func publicPage(_ request: Request, _ context: AppRequestContext, _ services: AppServices, values: [String: String], errors: [String],
                           status: HTTPResponse.Status) async throws -> Response {
        let published = try await services.feedback.published()
        var ctx: [String: Any] = [
            "values": values,
            "agencies": try await agencies(services).map { ["code": $0.code, "name": $0.name, "selected": $0.code == values["agency"]] as [String: Any] },
            "categories": FeedbackSubmission.Category.allCases.map { ["value": $0.rawValue, "label": $0.label, "selected": $0.rawValue == values["category"]] as [String: Any] },
            "published": published.map { ["reference": $0.reference, "category": $0.submission.category.label, "content": $0.submission.content,
                                          "answer": $0.answer ?? "", "answered": VietnameseFormat.dateTime($0.answeredAt) ?? ""] },
            "hasPublished": !published.isEmpty,
        ]
        if !errors.isEmpty { ctx["errors"] = errors }
        return CitizenAccountPages.formPage("feedback", "Phản ánh, kiến nghị", request, context, services, ctx, status: status)
    }
}
