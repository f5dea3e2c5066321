import Foundation
import Hummingbird
import MotCuaCore
import MotCuaStore

/// The citizen API: `POST /api/v1/citizen/token` (bearer tokens of citizen accounts, never valid on
/// the staff API) and `/api/v1/me/…`: profile, document store, drafts with uploads and reuse,
/// submission, own dossiers and the applicant's own actions.
struct CitizenAPI {
    let services: AppServices

    struct TokenRequest: Decodable { let login: String; let password: String }
    struct TokenResponse: Encodable { let token: String; let expiresAt: String; let account: CitizenAccount }
    struct DraftRequest: Decodable {
        let procedureCode: String
        let caseCode: String?
        let agencyCode: String
        let applicant: Applicant?
        let note: String?
        let postalAddress: String?
    }
    struct ReuseRequest: Decodable { let component: String; let documentId: String }
    struct ActionRequest: Decodable { let action: String; let version: Int; let reason: String? }
    struct Items<T: Encodable>: Encodable { let items: [T] }
    func me(_ request: Request) async throws -> CitizenAccount { try await services.citizenAuth.requireAPI(request, now: services.now()) }

    func register(_ routes: inout RouteRegistry) {
        registerPaymentAndRating(&routes)
        routes.post("/api/v1/citizen/token") { request, context in
            let body = try await request.decode(as: TokenRequest.self, context: context)
            guard let account = try await services.citizenAuth.login(body.login, password: body.password,
                                                                     client: services.security.clientAddress(request, peer: context.remoteAddress),
                                                                     now: services.now()) else {
                throw APIError(.unauthorized, code: "invalid_credentials", "wrong login or password")
            }
            let issued = try await services.citizens.issueToken(citizenID: account.id, kind: .api, lifetime: CitizenAuth.apiTokenLifetime, now: services.now())
            return try JSONResponse.make(TokenResponse(token: issued.token, expiresAt: VietnamTime.iso(issued.expiresAt), account: account))
        }
        routes.post("/api/v1/citizen/logout") { request, _ in
            _ = try await me(request)
            if let token = StaffAuth.bearer(request) { try await services.citizens.revoke(token: token) }
            return Response(status: .noContent)
        }
        routes.get("/api/v1/me") { request, _ in try JSONResponse.make(try await me(request)) }
        routes.get("/api/v1/me/documents") { request, _ in
            let a = try await me(request)
            try await services.citizenDocuments.syncResults(citizenID: a.id, now: services.now())
            return try JSONResponse.make(Items(items: try await services.citizenDocuments.documents(citizenID: a.id)))
        }
        routes.get("/api/v1/me/drafts") { request, _ in
            let a = try await me(request)
            return try JSONResponse.make(Items(items: try await services.citizenDocuments.drafts(citizenID: a.id)))
        }
        routes.post("/api/v1/me/drafts") { request, context in
            let a = try await me(request)
            let body = try await request.decode(as: DraftRequest.self, context: context)
            let p = try await offered(body.procedureCode)
            guard let c = p.procedureCase(body.caseCode) else { throw APIError(.unprocessableContent, code: "unknown_case", "procedure \(p.code) has no case \(body.caseCode ?? "")") }
            guard try await PortalSubmissionPages.servingAgencies(p, services).contains(where: { $0.code == body.agencyCode }) else {
                throw APIError(.unprocessableContent, code: "procedure_not_served", "agency \(body.agencyCode) does not receive procedure \(p.code)")
            }
            let applicant = Intake.normalized(IntakeRequest(procedureCode: p.code, caseCode: c.code, channel: .online, applicant: body.applicant ?? a.applicant,
                                                            documents: [], note: body.note, receive: false))
            let problems = Intake.problems(applicant, procedure: p) + [("postalAddress", body.postalAddress ?? "")].compactMap { f, v in
                TextRules.problem(v, maxLength: TextRules.Limit.address).map { (f, TextRules.reason($0, maxLength: TextRules.Limit.address)) }
            }
            guard problems.isEmpty else {
                throw APIError(.unprocessableContent, code: "invalid_draft", "the draft has \(problems.count) problem(s)", details: problems.map { "\($0.0): \($0.1)" })
            }
            let d = try await services.citizenDocuments.createDraft(citizenID: a.id, procedureCode: p.code, caseCode: c.code, agencyCode: body.agencyCode,
                                                                    applicant: applicant.applicant, note: applicant.note,
                                                                    postalAddress: body.postalAddress.flatMap { $0.isEmpty ? nil : TextRules.normalized($0) },
                                                                    now: services.now())
            return try JSONResponse.make(d, status: .created)
        }
        routes.get("/api/v1/me/drafts/:id") { request, context in
            let a = try await me(request)
            return try JSONResponse.make(try await draft(try context.parameters.require("id"), a))
        }
        routes.post("/api/v1/me/drafts/:id/files") { request, context in
            let a = try await me(request)
            let d = try await draft(try context.parameters.require("id"), a)
            let p = try await offered(d.procedureCode)
            return try await upload(request, a, owner: .draft(d.id), procedure: p, caseCode: d.caseCode, attached: d.documents)
        }
        routes.post("/api/v1/me/drafts/:id/reuse") { request, context in
            let a = try await me(request)
            let d = try await draft(try context.parameters.require("id"), a)
            let body = try await request.decode(as: ReuseRequest.self, context: context)
            let p = try await offered(d.procedureCode)
            guard p.procedureCase(d.caseCode)?.components.contains(where: { $0.name == body.component }) == true else {
                throw APIError(.unprocessableContent, code: "unknown_component", "not a component of this procedure case")
            }
            do {
                try await services.citizenDocuments.reuse(citizenID: a.id, owner: .draft(d.id), component: body.component, documentID: body.documentId, now: services.now())
            } catch CitizenError.notFound { throw APIError.notFound("document \(body.documentId) is not in your store") }
            return try JSONResponse.make(try await draft(d.id, a))
        }
        routes.post("/api/v1/me/drafts/:id/submit") { request, context in
            let a = try await me(request)
            let d = try await draft(try context.parameters.require("id"), a)
            do {
                let s = try await PortalSubmissionPages.submit(d, a, services)
                guard let owned = try await services.onlineDossiers.owned(code: s.code, citizenID: a.id) else { throw APIError.notFound("dossier") }
                return try JSONResponse.make(detail(owned), status: .created)
            } catch let e as CitizenError { throw Self.apiError(e) }
        }
        routes.get("/api/v1/me/dossiers") { request, _ in
            let a = try await me(request)
            return try JSONResponse.make(Items(items: try await services.onlineDossiers.dossiers(citizenID: a.id).map(CitizenDossierView.Summary.init)))
        }
        routes.get("/api/v1/me/dossiers/:code") { request, context in
            let a = try await me(request)
            return try JSONResponse.make(detail(try await owned(try context.parameters.require("code"), a)))
        }
        routes.post("/api/v1/me/dossiers/:code/files") { request, context in
            let a = try await me(request)
            let o = try await owned(try context.parameters.require("code"), a)
            guard Workflow.applicantActions(o.state).contains(ActionKind.supplementProvided.rawValue),
                  let p = try await services.procedures.procedure(code: o.state.procedureCode, version: o.state.procedureVersion) else {
                throw APIError(.conflict, code: "not_waiting_for_supplement", "the dossier is not waiting for a supplement")
            }
            return try await upload(request, a, owner: .supplement(o.state.code), procedure: p, caseCode: o.state.caseCode,
                                    attached: o.documents + o.pendingSupplement)
        }
        routes.post("/api/v1/me/dossiers/:code/actions") { request, context in
            let a = try await me(request)
            let o = try await owned(try context.parameters.require("code"), a)
            let body = try await request.decode(as: ActionRequest.self, context: context)
            let action: DossierAction
            switch body.action {
            case ActionKind.supplementProvided.rawValue: action = .supplementProvided
            case ActionKind.withdraw.rawValue:
                let reason = TextRules.normalized(body.reason ?? "")
                guard TextRules.problem(reason, maxLength: TextRules.Limit.note, multiline: true) == nil else { throw APIError.invalid("reason", "at most 4000 printable characters") }
                action = .withdraw(reason: reason)
            default:
                throw APIError(.unprocessableContent, code: "action_not_allowed", "the applicant may only send supplement-provided or withdraw")
            }
            do {
                let ctx = try await DossierAPI.workflowContext(of: o.state, services)
                _ = try await services.onlineDossiers.act(code: o.state.code, account: a, action: action, expectedVersion: body.version, now: services.now(), context: ctx)
            } catch let e as CitizenError { throw Self.apiError(e) }
            return try JSONResponse.make(detail(try await owned(o.state.code, a)))
        }
    }

    /// `POST /api/v1/me/dossiers/{code}/payments` and `/rating`.
    func registerPaymentAndRating(_ routes: inout RouteRegistry) {
        struct Created: Encodable { let reference: String; let amount: Int; let payURL: String }
        routes.post("/api/v1/me/dossiers/:code/payments") { request, context in
            let a = try await me(request)
            let o = try await owned(try context.parameters.require("code"), a)
            guard PaymentRules.payable(o.state) else { throw APIError(.conflict, code: "nothing_to_pay", "the dossier has no fee left to pay") }
            guard services.portal.paymentSandbox else { throw APIError(.serviceUnavailable, code: "no_payment_gateway", "no payment gateway is configured") }
            let p = try await services.payments.create(dossier: o.state, citizenID: a.id, now: services.now())
            return try JSONResponse.make(Created(reference: p.reference, amount: p.amount,
                                                 payURL: "\(services.portal.publicBaseURL)/cong-thanh-toan-thu-nghiem?ref=\(p.reference)"), status: .created)
        }
        struct RatingRequest: Decodable { let answers: [String: Rating.Level]; let comment: String? }
        routes.post("/api/v1/me/dossiers/:code/rating") { request, context in
            let a = try await me(request)
            let o = try await owned(try context.parameters.require("code"), a)
            let body = try await request.decode(as: RatingRequest.self, context: context)
            do {
                try await services.ratings.rate(code: o.state.code, citizenID: a.id, rating: Rating(answers: body.answers, comment: body.comment.map(TextRules.normalized)),
                                                now: services.now())
            } catch CitizenError.workflow(let code, let message, _) {
                throw APIError(code == "already_rated" ? .conflict : .unprocessableContent, code: code, message)
            }
            return Response(status: .noContent)
        }
    }

    static func apiError(_ e: CitizenError) -> APIError {
        switch e {
        case .rejected(let p): APIError(.unprocessableContent, code: p.rawValue, e.description)
        case .versionConflict: APIError(.conflict, code: "version_conflict", e.description)
        case .workflow(let code, let message, let allowed): APIError(.unprocessableContent, code: code, message, details: ["allowed: " + allowed.joined(separator: ", ")])
        case .notFound: APIError.notFound("not found")
        case .limit(let s): APIError(.unprocessableContent, code: "supplement_empty", s)
        case .invalid(let p): APIError(.unprocessableContent, code: "invalid_dossier", e.description, details: p.map { "\($0.field): \($0.code)" })
        case .duplicate, .linkInvalid: APIError(.conflict, code: "conflict", e.description)
        }
    }

    func offered(_ code: String) async throws -> Procedure {
        guard let p = try await services.procedures.current(code: code, now: services.now()) else { throw APIError(.unprocessableContent, code: "unknown_procedure", "procedure \(code) is not published") }
        guard OnlineSubmission.isOffered(p) else { throw APIError(.unprocessableContent, code: "not_offered_online", "procedure \(code) does not take dossiers online") }
        return p
    }

    func draft(_ id: String, _ a: CitizenAccount) async throws -> Draft {
        guard id.count <= 64, let d = try await services.citizenDocuments.draft(id: id, citizenID: a.id) else { throw APIError.notFound("draft \(id) not found") }
        return d
    }

    func owned(_ code: String, _ a: CitizenAccount) async throws -> OwnedDossier {
        guard code.count <= 64, let o = try await services.onlineDossiers.owned(code: code, citizenID: a.id) else { throw APIError.notFound("dossier \(code) not found") }
        return o
    }

    func detail(_ o: OwnedDossier) -> CitizenDossierView { CitizenDossierView(o) }

    /// A raw-body upload (`?component=NAME&name=FILE`, the file's type as Content-Type), streamed.
    func upload(_ request: Request, _ a: CitizenAccount, owner: AttachmentOwner, procedure p: Procedure, caseCode: String,
                attached: [AttachedDocument]) async throws -> Response {
        guard let component = request.query("component"), p.procedureCase(caseCode)?.components.contains(where: { $0.name == component }) == true else {
            throw APIError(.unprocessableContent, code: "unknown_component", "component: required, a component name of the procedure case")
        }
        guard let name = request.query("name"), TextRules.problem(name, maxLength: TextRules.Limit.fileName) == nil, !name.contains("/"), !name.contains("\\") else {
            throw APIError.invalid("name", "required: the file name, at most \(TextRules.Limit.fileName) characters, no slash or control character")
        }
        guard let type = MediaType(request.headers[.contentType])?.value, FileRules.allowedTypes.contains(type) else {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type", "attachments must be one of \(FileRules.allowedTypes.sorted().joined(separator: ", "))")
        }
        let room = services.portal.uploadDossierLimit - attached.reduce(0) { $0 + $1.document.size }
        let writer = try services.blobs.writer(contentType: type, limit: min(services.portal.uploadFileLimit, max(room, 0)))
        let stored: (sha256: String, size: Int)
        do {
            for try await chunk in request.body { try writer.write(chunk.readableBytesView) }
            stored = try writer.finish()
        } catch BlobError.tooLarge(let limit) {
            throw APIError(.contentTooLarge, code: "file_too_large", "the file is larger than \(limit) bytes (per file \(services.portal.uploadFileLimit), per dossier \(services.portal.uploadDossierLimit))")
        } catch BlobError.rejected(let problem) {
            throw FileAPI.error(problem, type: type)
        } catch let e as BlobError {
            throw APIError(.internalServerError, code: "storage_error", e.description)
        }
        let doc = try await services.citizenDocuments.addUpload(citizenID: a.id, owner: owner, component: component, name: TextRules.normalized(name),
                                                                contentType: type, sha256: stored.sha256, size: stored.size, now: services.now())
        return try JSONResponse.make(doc, status: .created)
    }
}
