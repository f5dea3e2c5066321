import Crypto
import Foundation
import Hummingbird
import MotCuaCore
import MotCuaStore
import NIOCore

/// The staff desk (Vietnamese, no JavaScript): login, inbox by urgency, counter intake, the dossier
/// page with its timeline and the allowed actions as forms. Printed forms are in `DeskForms`.
enum DeskPages {
    static let sessionLifetime: TimeInterval = 12 * 3600

    static func register(_ routes: inout RouteRegistry, services: AppServices) {
        routes.get("/can-bo/dang-nhap") { request, context in loginPage(request, context, services, username: nil, error: nil, status: .ok) }
        routes.post("/can-bo/dang-nhap") { request, context in
            let form = try await FormBody.read(request, context: context)
            guard let sent = form["csrf"], sent == StaffAuth.cookie(request, StaffAuth.loginCSRFCookie) else {
                return loginPage(request, context, services, username: form["username"],
                                 error: "Phiên đăng nhập đã hết hạn, vui lòng nhập lại.", status: .forbidden, next: form["next"])
            }
            let username = form["username"] ?? ""
            let member: StaffMember?
            do {
                member = try await services.auth.login(username: username, password: form.values["password"] ?? "",
                                                       client: services.security.clientAddress(request, peer: context.remoteAddress),
                                                       now: services.now())
            } catch let e as APIError where e.status == .tooManyRequests || e.status == .unprocessableContent {
                let message = e.status == .tooManyRequests
                    ? "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau \(e.headers[.retryAfter] ?? "ít phút") giây."
                    : "Tên đăng nhập hoặc mật khẩu quá dài."
                var response = loginPage(request, context, services, username: nil, error: message, status: e.status, next: form["next"])
                if let retry = e.headers[.retryAfter] { response.headers[.retryAfter] = retry }
                return response
            }
            guard let member else {
                return loginPage(request, context, services, username: username, error: "Tên đăng nhập hoặc mật khẩu không đúng.", status: .unauthorized,
                                 next: form["next"])
            }
            let issued = try await services.staff.issueToken(username: member.username, kind: .web, lifetime: sessionLifetime, now: services.now())
            let secure = services.security.isSecure(request, peer: context.remoteAddress)
            throw DeskRedirect(location: DeskSession.safeNext(form["next"]),
                               cookie: services.security.cookie(StaffAuth.cookieName, issued.token, maxAge: Int(sessionLifetime), secure: secure))
        }
        routes.post("/can-bo/dang-xuat") { request, context in
            let session = try await DeskSession.require(request, services)
            try session.checkCSRF(try await FormBody.read(request, context: context))
            try await services.staff.revoke(token: session.token)
            let secure = services.security.isSecure(request, peer: context.remoteAddress)
            throw DeskRedirect(location: "/", cookie: services.security.cookie(StaffAuth.cookieName, "", maxAge: 0, secure: secure))
        }
        routes.get("/can-bo") { request, _ in try await inbox(request, services) }
        routes.get("/can-bo/tiep-nhan") { request, _ in
            let session = try await DeskSession.require(request, services)
            return try await intakePage(session, services, procedure: request.query("procedure"), caseCode: request.query("case"), values: [:], errors: [])
        }
        routes.post("/can-bo/tiep-nhan") { request, context in try await intake(request, context, services) }
        routes.get("/can-bo/ho-so/:code") { request, context in
            let session = try await DeskSession.require(request, services)
            // Only a known action's label is shown: a crafted link cannot put words on the page.
            let flash = request.query("ok").flatMap(ActionKind.init(rawValue:)).map { "Đã thực hiện: \($0.label)." }
            return try await DeskForms.dossierPage(try context.parameters.require("code"), session, services, flash: flash, error: nil)
        }
        routes.post("/can-bo/ho-so/:code/hanh-dong") { request, context in try await act(request, context, services) }
        routes.get("/can-bo/tep/:id") { request, context in
            let session = try await DeskSession.require(request, services)
            let id = try context.parameters.require("id")
            guard let meta = try await services.files.metadata(id: id),
                  let s = try await services.dossiers.state(code: meta.dossierCode), try await services.dossiers.canSee(s, actor: session.member),
                  let (file, content) = try await services.files.read(id: id, chain: s.agencyCode, by: session.member.username, now: services.now()) else {
                throw APIError.notFound("Không tìm thấy tệp.")
            }
            return Response(status: .ok, headers: FileAPI.downloadHeaders(file), body: .init(byteBuffer: ByteBuffer(bytes: content)))
        }
    }

    /// The login form with a fresh double-submit CSRF token (cookie + hidden field).
    static func loginPage(_ request: Request, _ context: AppRequestContext, _ services: AppServices, username: String?, error: String?,
                          status: HTTPResponse.Status, next: String? = nil) -> Response {
        let csrf = StaffRepository.randomSecret()
        var values: [String: Any] = ["csrf": csrf, "next": DeskSession.safeNext(next ?? request.query("next"))]
        if let username { values["username"] = username }
        if let error { values["errorMessage"] = error }
        var response = services.pages.page("desk-login", title: "Đăng nhập cán bộ", values, status: status)
        response.headers[.setCookie] = services.security.cookie(StaffAuth.loginCSRFCookie, csrf, path: "/can-bo/dang-nhap", maxAge: 3600,
                                                                secure: services.security.isSecure(request, peer: context.remoteAddress))
        return response
    }

    /// The inbox: open work by default (late first, then by appointment), with counts of what is
    /// open, due soon and late; `?xem=tat-ca` or a status filter shows ended dossiers too.
    static func inbox(_ request: Request, _ services: AppServices) async throws -> Response {
        let session = try await DeskSession.require(request, services)
        let status = try request.query("status", as: DossierStatus.self)
        let everything = request.query("xem") == "tat-ca"
        let page = try DeskQuery.page(request)
        let now = services.now()
        var filter = DossierFilter(status: status, limit: InboxPage.pageSize + 1, offset: (page - 1) * InboxPage.pageSize)
        filter.openOnly = status == nil && !everything
        filter.urgentFirstAt = now
        // One row beyond the page tells whether a next page exists; it is not shown (nor audited).
        let fetched = try await services.dossiers.unauditedList(filter, actor: session.member)
        let found = Array(fetched.prefix(InboxPage.pageSize))
        try await services.dossiers.recordListRead(codes: found.map(\.code), actor: session.member, now: now, purpose: "desk inbox")
        let deadlines = services.deadlines(for: session.member.agencyCode)
        let counts = try await services.dossiers.inboxCounts(filter, actor: session.member, now: now,
                                                              dueSoonBefore: deadlines.dueSoonLimit(now: now, workingDays: services.dueSoonDays))
        var query: [(String, String)] = []
        if let status { query.append(("status", status.rawValue)) }
        if everything { query.append(("xem", "tat-ca")) }
        let paging = InboxPage.Paging(page: page, hasNext: fetched.count > InboxPage.pageSize, query: query)
        var items: [InboxPage.Item] = []
        for s in found {
            let ctx = try await DossierAPI.workflowContext(of: s, services)
            let name = try await services.procedures.procedure(code: s.procedureCode, version: s.procedureVersion)?.name ?? s.procedureCode
            items.append(InboxPage.Item(state: s, context: ctx, procedureName: name))
        }
        var context = session.layoutContext
        context["m"] = InboxPage.model(items, actor: session.member.actor, now: now, dueSoonDays: services.dueSoonDays, status: status,
                                       everything: everything, counts: .init(open: counts.open, dueSoon: counts.dueSoon, late: counts.late),
                                       paging: paging)
        return services.pages.page("desk-inbox", title: "Hồ sơ cần xử lý", context)
    }

    static func intakePage(_ session: DeskSession, _ services: AppServices, procedure code: String?, caseCode: String?,
                           values: [String: String], errors: [String], status: HTTPResponse.Status = .ok) async throws -> Response {
        let agency = try await services.catalog.agency(code: session.member.agencyCode)
        let all = try await services.catalog.procedures(ProcedureFilter(limit: 10_000))
            .filter { p in agency.map { Intake.isServed(by: $0, procedure: p) } ?? false }
        var context = session.layoutContext
        context["procedures"] = all.map { ["code": $0.code, "name": $0.name, "selected": $0.code == code] }
        if let code, let p = all.first(where: { $0.code == code }), let c = p.procedureCase(caseCode) {
            let channel = values["channel"] ?? "counter"
            context["selected"] = [
                "code": p.code, "name": p.name, "caseCode": c.code,
                "cases": p.cases.map { ["code": $0.code, "name": $0.name, "selected": $0.code == c.code] },
                "components": c.components.enumerated().map { i, comp -> [String: Any] in
                    // After an error the officer's ticks, forms and counts are kept.
                    let form = values["form\(i)"].flatMap(ReceivedDocument.Form.init(rawValue:)) ?? .original
                    return ["index": i, "name": comp.name, "required": comp.required, "checked": values["doc\(i)"] != nil,
                            "count": values["count\(i)"] ?? String(max(1, comp.copies)),
                            "forms": ReceivedDocument.Form.allCases.map { ["value": $0.rawValue, "label": $0.label, "selected": $0 == form] }]
                },
                "channels": p.channels.map { ["value": $0.channel.rawValue, "label": $0.channel.label, "selected": $0.channel.rawValue == channel] },
            ] as [String: Any]
        }
        context["values"] = values
        context["organisation"] = values["applicantKind"] == "organisation"
        // A one-time key: a double click or Back-and-resubmit replays the first intake.
        context["formKey"] = values["formKey"] ?? StaffRepository.randomSecret()
        if !errors.isEmpty { context["errors"] = errors }
        return services.pages.page("desk-intake", title: "Tiếp nhận hồ sơ", context, status: status)
    }

    static func intake(_ request: Request, _ context: AppRequestContext, _ services: AppServices) async throws -> Response {
        let session = try await DeskSession.require(request, services)
        let form = try await FormBody.read(request, context: context)
        try session.checkCSRF(form)
        guard AccessPolicy.canOpenDossiers(session.member.actor) else { throw APIError(.forbidden, code: "forbidden", "Chỉ cán bộ tiếp nhận được tiếp nhận hồ sơ.") }
        let agency = try await services.catalog.agency(code: session.member.agencyCode)
        guard let code = form["procedure"], let p = try await services.catalog.procedure(code: code), let c = p.procedureCase(form["case"]),
              let agency, Intake.isServed(by: agency, procedure: p) else {
            return try await intakePage(session, services, procedure: nil, caseCode: nil, values: form.values, errors: ["Hãy chọn thủ tục."], status: .unprocessableContent)
        }
        let documents = c.components.enumerated().compactMap { i, comp -> ReceivedDocument? in
            guard form["doc\(i)"] != nil else { return nil }
            return ReceivedDocument(component: comp.name, form: ReceivedDocument.Form(rawValue: form["form\(i)"] ?? "") ?? .original,
                                    count: Int(form["count\(i)"] ?? "1") ?? 0)
        }
        let request = Intake.normalized(IntakeRequest(
            procedureCode: p.code, caseCode: c.code, channel: Channel(rawValue: form["channel"] ?? "") ?? .counter,
            applicant: Applicant(kind: Applicant.Kind(rawValue: form["applicantKind"] ?? "") ?? .person, name: form["name"] ?? "",
                                 idNumber: form["idNumber"] ?? "", address: form["address"], phone: form["phone"], email: form["email"]),
            documents: documents, note: form["note"], receive: true))
        var errors = Intake.problems(request, procedure: p).map { "\(IntakeLabels.field($0.field)): \(IntakeLabels.reason($0.reason))" }
        let missing = Intake.missingRequiredComponents(request, procedure: p)
        if !missing.isEmpty { errors.append("Thiếu giấy tờ bắt buộc: \(missing.joined(separator: "; ")). Nếu hồ sơ chưa đủ, hãy hướng dẫn bổ sung (Mẫu 02).") }
        guard errors.isEmpty else {
            return try await intakePage(session, services, procedure: p.code, caseCode: c.code, values: form.values, errors: errors, status: .unprocessableContent)
        }
        guard let workflow = WorkflowContext(procedure: p, caseCode: c.code, channel: request.channel,
                                             deadlines: services.deadlines(for: session.member.agencyCode)) else {
            return try await intakePage(session, services, procedure: p.code, caseCode: c.code, values: form.values,
                                        errors: ["Thủ tục không có quy trình cho kênh nộp này."], status: .unprocessableContent)
        }
        let key = form["formKey"].flatMap { $0.count <= TextRules.Limit.idempotencyKey ? "desk:\($0)" : nil }
        let hash = (try? JSONResponse.encoder.encode(request)).map { CivilHex.string(SHA256.hash(data: $0)) } ?? ""
        let outcome: DossierRepository.IntakeOutcome
        do {
            outcome = try await services.dossiers.intake(request, actor: session.member, procedure: p, context: workflow, idempotencyKey: key,
                                                         requestHash: hash, now: services.now()) { $0.code }
        } catch DossierError.idempotencyMismatch {
            var fresh = form.values
            fresh["formKey"] = nil
            return try await intakePage(session, services, procedure: p.code, caseCode: c.code, values: fresh,
                                        errors: ["Biểu mẫu này đã được dùng để tiếp nhận một hồ sơ khác. Vui lòng kiểm tra lại rồi bấm tiếp nhận một lần nữa."],
                                        status: .conflict)
        }
        throw DeskRedirect(location: "/can-bo/ho-so/\(outcome.body)/mau-01")
    }

    static func act(_ request: Request, _ context: AppRequestContext, _ services: AppServices) async throws -> Response {
        let session = try await DeskSession.require(request, services)
        let code = try context.parameters.require("code")
        let form = try await FormBody.read(request, context: context)
        try session.checkCSRF(form)
        let current = try await services.dossiers.state(code: code)
        let published = try await current.asyncMap { try await DossierAPI.workflowContext(of: $0, services).components } ?? []
        let body = DossierAPI.ActionRequest(action: form["action"] ?? "", version: Int(form["version"] ?? "") ?? -1, reason: form["reason"],
                                            note: form["note"], number: form["number"], amount: form["amount"].flatMap { Int($0) },
                                            newAppointment: form["newAppointment"], electronic: form["electronic"] != nil, file: nil,
                                            components: published.enumerated().compactMap { form["component\($0.offset)"] != nil ? $0.element : nil },
                                            other: form["other"], legalBasis: form["legalBasis"])
        do {
            guard !DeskForms.destructiveActions.contains(body.action) || form["confirm"] != nil else {
                throw APIError(.unprocessableContent, code: "confirmation_required", "Hãy đánh dấu ô xác nhận trước khi \(DeskForms.label(body.action).lowercased()).")
            }
            var action = try DossierAPI.parse(body)
            guard let current = try await services.dossiers.state(code: code), try await services.dossiers.canSee(current, actor: session.member) else {
                throw APIError.notFound("Không tìm thấy hồ sơ.")
            }
            if case .recordResult(let electronic, _) = action, let upload = form.file {
                // The same rights and rules as the API: a handler of the dossier, whose action is
                // allowed now, and a file whose name and bytes pass.
                let ctx = try await DossierAPI.workflowContext(of: current, services)
                guard AccessPolicy.canAttachFile(dossierAgency: current.agencyCode, handlingAgency: current.handlingAgency, actor: session.member.actor),
                      Workflow.allowedActions(current, actor: session.member.actor, context: ctx).contains(ActionKind.recordResult.rawValue) else {
                    throw APIError(.forbidden, code: "forbidden", "Anh/chị không được cập nhật kết quả của hồ sơ này lúc này.")
                }
                guard FileRules.problem(upload.content, type: upload.contentType) == nil,
                      TextRules.problem(upload.filename, maxLength: TextRules.Limit.fileName) == nil,
                      !upload.filename.contains("/"), !upload.filename.contains("\\") else {
                    throw APIError(.unprocessableContent, code: "unsupported_media_type",
                                   "Tệp phải là PDF, ảnh JPEG/PNG, DOCX hoặc XML (không chứa HTML/SVG), tên tệp không quá 200 ký tự.")
                }
                let stored = try await services.files.store(dossierCode: code, chain: current.agencyCode, name: upload.filename,
                                                            contentType: upload.contentType, content: upload.content,
                                                            by: session.member.username, now: services.now())
                action = .recordResult(electronic: electronic, file: stored.id)
            }
            let ctx = try await DossierAPI.workflowContext(of: current, services)
            _ = try await DossierAPI.mapErrors {
                try await services.dossiers.apply(code: code, action: action, expectedVersion: body.version, actor: session.member,
                                                  now: services.now(), context: ctx)
            }
            throw DeskRedirect(location: "/can-bo/ho-so/\(code)?ok=\(action.name)")
        } catch let e as APIError where e.status != .notFound {
            let message = DeskMessages.vietnamese(e)
            return try await DeskForms.dossierPage(code, session, services, flash: nil, error: message, status: e.status)
        }
    }
}

/// A Mustache context without absent values: swift-mustache would find a key holding nil.
func present(_ values: [String: Any?]) -> [String: Any] { values.compactMapValues { $0 } }

/// Vietnamese names for intake fields and reasons shown on the desk.
enum IntakeLabels {
    static func field(_ f: String) -> String {
        switch f {
        case "applicant.name": "Họ tên người nộp"
        case "applicant.idNumber": "Số định danh"
        case "applicant.email": "Thư điện tử"
        case "applicant.phone": "Số điện thoại"
        case "channel": "Kênh nộp"
        case "applicant.address": "Địa chỉ"
        case "note": "Ghi chú"
        case "documents": "Giấy tờ"
        default: f.hasPrefix("documents") ? "Giấy tờ" : f
        }
    }

    static func reason(_ r: String) -> String {
        if r.contains("12 digits") { return "số định danh cá nhân gồm đúng 12 chữ số, bắt đầu bằng mã tỉnh nơi đăng ký khai sinh từ 001 đến 096" }
        if r.contains("e-mail") { return "không đúng định dạng thư điện tử" }
        if r.contains("phone") { return "số điện thoại gồm 10–11 chữ số" }
        if r.contains("name is required") { return "bắt buộc nhập" }
        if r.contains("not offered") { return "thủ tục không áp dụng kênh này" }
        if r.contains("count") { return "số lượng từ 1 đến 100" }
        if r.hasPrefix("longer than") { return "quá dài (\(r.filter(\.isNumber)) ký tự trở xuống)" }
        if r.contains("control characters") { return "chứa ký tự điều khiển không hợp lệ" }
        if r.contains("bidirectional") { return "chứa ký tự đảo chiều văn bản không hợp lệ" }
        if r.hasPrefix("at most") { return "nhiều nhất 100 giấy tờ" }
        if r.contains("tax or registration code") { return "bắt buộc nhập mã số thuế hoặc số đăng ký của tổ chức" }
        if r.contains("has no case") { return "thủ tục không có trường hợp này" }
        if r.contains("not a component") { return "không thuộc thành phần hồ sơ của thủ tục" }
        if r.contains("required component missing") { return "thiếu giấy tờ bắt buộc" }
        return "không hợp lệ"
    }
}
