import Foundation
import Hummingbird
import MotCuaCore
import MotCuaStore
import NIOCore

/// The citizen's dossiers: the list, one dossier (timeline, documents, fees, supplements asked for,
/// apologies, the result to download), the online supplement, withdrawal before receipt, downloads
/// of their own documents and results (audited), and the document store (kho dữ liệu).
enum PortalDossierPages {
    static func register(_ routes: inout RouteRegistry, services: AppServices) {
        routes.get("/ho-so-cua-toi") { request, _ in
            let session = try await CitizenSession.require(request, services)
            let dossiers = try await services.onlineDossiers.dossiers(citizenID: session.account.id)
            let drafts = try await services.citizenDocuments.drafts(citizenID: session.account.id)
            var names: [String: String] = [:]
            for code in Set(dossiers.map(\.procedureCode) + drafts.map(\.procedureCode)) {
                names[code] = try await services.catalog.procedure(code: code)?.name ?? code
            }
            var ctx = session.layoutContext
            ctx["dossiers"] = dossiers.map { s in
                present(["code": s.code, "procedure": names[s.procedureCode], "status": s.status.label,
                         "submitted": VietnameseFormat.dateTime(s.submittedAt), "due": VietnameseFormat.dateTime(s.dueAt),
                         "attention": [.supplementRequested, .feeDue, .finished].contains(s.status) ? true : nil])
            }
            ctx["drafts"] = drafts.map { ["id": $0.id, "procedure": names[$0.procedureCode] ?? $0.procedureCode,
                                          "updated": VietnameseFormat.dateTime($0.updatedAt) ?? ""] }
            ctx["hasDossiers"] = !dossiers.isEmpty
            ctx["hasDrafts"] = !drafts.isEmpty
            return services.pages.page("portal-dossiers", title: "Hồ sơ của tôi", ctx)
        }
        routes.get("/ho-so-cua-toi/:code") { request, context in
            let session = try await CitizenSession.require(request, services)
            let flash = ["nop": "Đã nộp hồ sơ. Bộ phận Một cửa sẽ kiểm tra và tiếp nhận; Ông/Bà sẽ nhận thông báo qua thư điện tử.",
                         "tep": "Đã đính kèm tệp bổ sung.", "danh-gia": "Cảm ơn Ông/Bà đã đánh giá.", "bo-sung": "Đã gửi hồ sơ bổ sung.", "rut": "Đã rút hồ sơ."][request.query("ok") ?? ""]
            return try await dossierPage(try context.parameters.require("code"), session, services, flash: flash, errors: [], status: .ok)
        }
        routes.post("/ho-so-cua-toi/:code/bo-sung/tai-len") { request, context in
            let session = try await CitizenSession.require(request, services)
            try session.checkCSRF(request.query("csrf"))
            let code = try context.parameters.require("code")
            let owned = try await requireOwned(code, session, services)
            guard Workflow.applicantActions(owned.state).contains(ActionKind.supplementProvided.rawValue),
                  let p = try await services.procedures.procedure(code: owned.state.procedureCode, version: owned.state.procedureVersion) else {
                return try await dossierPage(code, session, services, flash: nil, errors: ["Hồ sơ không ở trạng thái chờ bổ sung."], status: .conflict)
            }
            if let error = try await PortalUploads.receive(request, session, services, owner: .supplement(code), procedure: p,
                                                           caseCode: owned.state.caseCode, attached: owned.documents + owned.pendingSupplement) {
                return try await dossierPage(code, session, services, flash: nil, errors: [error], status: .unprocessableContent)
            }
            throw DeskRedirect(location: "/ho-so-cua-toi/\(code)?ok=tep")
        }
        routes.post("/ho-so-cua-toi/:code/bo-sung") { request, context in
            try await act(request, context, services, action: .supplementProvided, ok: "bo-sung")
        }
        routes.post("/ho-so-cua-toi/:code/danh-gia") { request, context in
            let session = try await CitizenSession.require(request, services)
            let code = try context.parameters.require("code")
            let form = try await FormBody.read(request, context: context)
            try session.checkCSRF(form["csrf"])
            _ = try await requireOwned(code, session, services)
            var answers: [String: Rating.Level] = [:]
            for q in Rating.questions { answers[q.key] = form[q.key].flatMap(Rating.Level.init(rawValue:)) }
            do {
                try await services.ratings.rate(code: code, citizenID: session.account.id, rating: Rating(answers: answers, comment: form["comment"]),
                                                now: services.now())
            } catch CitizenError.workflow(let problem, _, _) {
                let message = ["already_rated": "Hồ sơ này đã được đánh giá.", "not_returned": "Chỉ đánh giá được sau khi nhận kết quả.",
                               "answers_incomplete": "Vui lòng trả lời tất cả các câu hỏi.", "comment_invalid": "Ý kiến quá dài hoặc chứa ký tự không hợp lệ."][problem]
                return try await dossierPage(code, session, services, flash: nil, errors: [message ?? "Không ghi nhận được đánh giá."], status: .unprocessableContent)
            }
            throw DeskRedirect(location: "/ho-so-cua-toi/\(code)?ok=danh-gia")
        }
        routes.post("/ho-so-cua-toi/:code/rut") { request, context in
            try await act(request, context, services, action: nil, ok: "rut")
        }
        routes.get("/ho-so-cua-toi/:code/tai-lieu/:id") { request, context in
            let session = try await CitizenSession.require(request, services)
            let owned = try await requireOwned(try context.parameters.require("code"), session, services)
            let id = try context.parameters.require("id")
            guard let d = (owned.documents + owned.pendingSupplement).first(where: { $0.document.id == id })?.document else {
                throw APIError.notFound("Không tìm thấy tài liệu.")
            }
            return try download(d, services)
        }
        routes.get("/ho-so-cua-toi/:code/ket-qua") { request, context in
            let session = try await CitizenSession.require(request, services)
            let owned = try await requireOwned(try context.parameters.require("code"), session, services)
            guard [.finished, .returned].contains(owned.state.status), owned.state.resultElectronic, let fileID = owned.state.resultFile,
                  let (file, content) = try await services.files.read(id: fileID, chain: owned.state.agencyCode, by: "citizen:\(session.account.id)",
                                                                      now: services.now()) else {
                throw APIError.notFound("Hồ sơ chưa có kết quả điện tử.")
            }
            return Response(status: .ok, headers: FileAPI.downloadHeaders(file), body: .init(byteBuffer: ByteBuffer(bytes: content)))
        }
        routes.get("/kho-du-lieu") { request, _ in
            let session = try await CitizenSession.require(request, services)
            try await services.citizenDocuments.syncResults(citizenID: session.account.id, now: services.now())
            let docs = try await services.citizenDocuments.documents(citizenID: session.account.id)
            var ctx = session.layoutContext
            ctx["documents"] = docs.map { d in
                present(["id": d.id, "name": d.name, "component": d.component, "date": VietnameseFormat.dateTime(d.createdAt),
                         "size": PortalUploads.sizeText(d.size), "hash": String(d.sha256.prefix(16)),
                         "kind": d.source == "result" ? "Kết quả điện tử" : "Tệp đã tải lên", "dossier": d.dossierCode])
            }
            ctx["hasDocuments"] = !docs.isEmpty
            return services.pages.page("portal-store", title: "Kho dữ liệu của tôi", ctx)
        }
        routes.get("/kho-du-lieu/:id") { request, context in
            let session = try await CitizenSession.require(request, services)
            guard let d = try await services.citizenDocuments.document(id: try context.parameters.require("id"), citizenID: session.account.id) else {
                throw APIError.notFound("Không tìm thấy tài liệu.")
            }
            return try download(d, services)
        }
    }

    static func download(_ d: CitizenDocument, _ services: AppServices) throws -> Response {
        let data = try services.blobs.read(d.sha256)
        let file = StoredFile(id: d.id, dossierCode: d.dossierCode ?? "", name: d.name, contentType: d.contentType, size: d.size, sha256: d.sha256,
                              uploadedBy: "", uploadedAt: d.createdAt)
        return Response(status: .ok, headers: FileAPI.downloadHeaders(file), body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func requireOwned(_ code: String, _ session: CitizenSession, _ services: AppServices) async throws -> OwnedDossier {
        guard code.count <= 64, let owned = try await services.onlineDossiers.owned(code: code, citizenID: session.account.id) else {
            throw APIError.notFound("Không tìm thấy hồ sơ.")
        }
        return owned
    }

    /// The applicant's action from a form: the supplement, or (action nil) a withdrawal with its reason.
    static func act(_ request: Request, _ context: AppRequestContext, _ services: AppServices, action: DossierAction?, ok: String) async throws -> Response {
        let session = try await CitizenSession.require(request, services)
        let code = try context.parameters.require("code")
        let form = try await FormBody.read(request, context: context)
        try session.checkCSRF(form["csrf"])
        let owned = try await requireOwned(code, session, services)
        let chosen = action ?? .withdraw(reason: form["reason"] ?? "")
        if action == nil && form["confirm"] == nil {
            return try await dossierPage(code, session, services, flash: nil, errors: ["Hãy đánh dấu ô xác nhận trước khi rút hồ sơ."], status: .unprocessableContent)
        }
        if case .withdraw(let r) = chosen, TextRules.problem(r, maxLength: TextRules.Limit.note, multiline: true) != nil {
            return try await dossierPage(code, session, services, flash: nil, errors: ["Lý do quá dài hoặc chứa ký tự không hợp lệ."], status: .unprocessableContent)
        }
        do {
            let ctx = try await DossierAPI.workflowContext(of: owned.state, services)
            _ = try await services.onlineDossiers.act(code: code, account: session.account, action: chosen,
                                                      expectedVersion: Int(form["version"] ?? "") ?? -1, now: services.now(), context: ctx)
        } catch let e as CitizenError {
            return try await dossierPage(code, session, services, flash: nil, errors: [PortalMessages.citizen(e)], status: .conflict)
        }
        throw DeskRedirect(location: "/ho-so-cua-toi/\(code)?ok=\(ok)")
    }
}
