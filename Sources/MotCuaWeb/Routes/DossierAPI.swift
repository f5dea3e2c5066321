import Crypto
import Foundation
import Hummingbird
import MotCuaCore
import MotCuaStore
import NIOCore

/// `/api/v1/auth/token`, `/api/v1/dossiers…`: staff API for intake and the workflow.
struct DossierAPI {
    let services: AppServices

    struct TokenRequest: Decodable { let username: String; let password: String }
    struct TokenResponse: Encodable { let token: String; let expiresAt: String; let username: String; let role: StaffRole; let agency: String }

    /// The body of `POST /api/v1/dossiers/{code}/actions`.
    struct ActionRequest: Decodable {
        let action: String
        let version: Int
        let reason: String?
        let note: String?
        let number: String?
        let amount: Int?
        let newAppointment: String?
        let electronic: Bool?
        let file: String?
        /// For request-supplement: the missing components (names from the case), another paper with its legal basis.
        var components: [String]? = nil
        var other: String? = nil
        var legalBasis: String? = nil
    }

    func register(_ routes: inout RouteRegistry) {
        routes.post("/api/v1/auth/token") { request, context in
            let body = try await request.decode(as: TokenRequest.self, context: context)
            let client = services.security.clientAddress(request, peer: context.remoteAddress)
            guard let member = try await services.auth.login(username: body.username, password: body.password, client: client, now: services.now()) else {
                throw APIError(.unauthorized, code: "invalid_credentials", "wrong username or password")
            }
            let issued = try await services.staff.issueToken(username: member.username, kind: .api, lifetime: StaffAuth.apiTokenLifetime, now: services.now())
            return try JSONResponse.make(TokenResponse(token: issued.token, expiresAt: VietnamTime.iso(issued.expiresAt), username: member.username,
                                                       role: member.role, agency: member.agencyCode))
        }

        routes.staff(.post, "/api/v1/auth/logout") { request, _ in
            if let token = StaffAuth.bearer(request) { try await services.staff.revoke(token: token) }
            return Response(status: .noContent)
        }

        routes.staff(.post, "/api/v1/dossiers") { request, context in
            let staff = context.staff
            guard AccessPolicy.canOpenDossiers(staff.actor) else {
                throw APIError(.forbidden, code: "forbidden", "only reception officers open dossiers")
            }
            let buffer = try await request.body.collect(upTo: context.maxUploadSize)
            let intake: IntakeRequest
            do { intake = Intake.normalized(try JSONDecoder().decode(IntakeRequest.self, from: buffer)) } catch let e as DecodingError {
                throw APIError(.unprocessableContent, code: "invalid_body", "the dossier is not valid JSON for this operation", details: [DecodingErrorText.describe(e)])
            }
            // Texts first: nothing with control characters reaches a query.
            let textProblems = Intake.textProblems(intake)
            guard textProblems.isEmpty else {
                throw APIError(.unprocessableContent, code: "invalid_dossier", "the dossier has \(textProblems.count) problem(s)",
                               details: textProblems.map { "\($0.field): \($0.reason)" })
            }
            guard let procedure = try await services.procedures.current(code: intake.procedureCode, now: context.now) else {
                throw APIError(.unprocessableContent, code: "unknown_procedure", "procedure \(intake.procedureCode) is not published")
            }
            guard let agency = try await services.catalog.agency(code: staff.agencyCode), Intake.isServed(by: agency, procedure: procedure) else {
                throw APIError(.unprocessableContent, code: "procedure_not_served",
                               "procedure \(intake.procedureCode) (\(procedure.level.rawValue) level) is not received by agency \(staff.agencyCode)")
            }
            var problems = Intake.problems(intake, procedure: procedure)
            // A dossier received at once must hold every required component (the desk checks this too);
            // an online submission waiting for reception (`receive: false`) is checked by the officer.
            if intake.receive ?? true {
                problems += Intake.missingRequiredComponents(intake, procedure: procedure).map { ("documents", "required component missing: \($0)") }
            }
            guard problems.isEmpty else {
                throw APIError(.unprocessableContent, code: "invalid_dossier", "the dossier has \(problems.count) problem(s)", details: problems.map { "\($0.field): \($0.reason)" })
            }
            let key = request.headers[.idempotencyKey]
            if let key, key.isEmpty || TextRules.problem(key, maxLength: TextRules.Limit.idempotencyKey) != nil {
                throw APIError.invalid("Idempotency-Key", "1 to \(TextRules.Limit.idempotencyKey) printable characters")
            }
            let hash = CivilHex.string(SHA256.hash(data: Data(buffer: buffer)))
            guard let caseCode = procedure.procedureCase(intake.caseCode)?.code,
                  let workflow = WorkflowContext(procedure: procedure, caseCode: caseCode, channel: intake.channel,
                                                 deadlines: services.deadlines(for: staff.agencyCode)) else {
                throw APIError(.unprocessableContent, code: "invalid_dossier", "the procedure case has no workflow for this channel")
            }
            let now = context.now
            let steps = workflow.steps
            let (deadlines, dueSoon) = (workflow.deadlines, services.dueSoonDays)
            let outcome = try await Self.mapErrors {
                try await services.dossiers.intake(intake, actor: staff, procedure: procedure, context: workflow, idempotencyKey: key,
                                                   requestHash: hash, now: now) { state in
                    let view = DossierView(state, steps: steps, history: nil, allowed: nil, now: now, deadlines: deadlines, dueSoonDays: dueSoon)
                    return String(decoding: try JSONResponse.encoder.encode(view), as: UTF8.self)
                }
            }
            var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
            if outcome.replayed { headers[.idempotentReplayed] = "true" }
            return Response(status: .init(code: outcome.status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: outcome.body)))
        }

        routes.staff(.get, "/api/v1/dossiers") { request, context in
            let staff = context.staff
            guard AccessPolicy.canListDossiers(staff.actor) else {
                throw APIError(.forbidden, code: "forbidden", "administrators do not read applicants' data")
            }
            var filter = DossierFilter()
            filter.status = try request.query("status", as: DossierStatus.self)
            if let d = request.query("dueBefore") {
                guard let date = VietnamTime.parse(d) else { throw APIError.invalid("dueBefore", "an ISO 8601 instant") }
                filter.dueBefore = date
            }
            filter.procedureCode = request.query("procedure")
            if let l = request.query("limit") {
                guard let n = Int(l), (1...1000).contains(n) else { throw APIError.invalid("limit", "1 to 1000") }
                filter.limit = n
            }
            if let o = request.query("offset") {
                guard let n = Int(o), n >= 0 else { throw APIError.invalid("offset", "a non-negative integer") }
                filter.offset = n
            }
            let now = context.now
            var items: [DossierView] = []
            let found = try await services.dossiers.list(filter, actor: staff, now: now, purpose: "GET /api/v1/dossiers")
            for s in found {
                let ctx = try await Self.workflowContext(of: s, services)
                items.append(DossierView(s, steps: ctx.steps, history: nil, allowed: nil, now: now, deadlines: ctx.deadlines, dueSoonDays: services.dueSoonDays))
            }
            return try JSONResponse.make(CatalogAPI.Page(count: items.count, items: items))
        }

        routes.staff(.get, "/api/v1/dossiers/:code") { request, context in
            let staff = context.staff
            let code = try context.parameters.require("code")
            let now = context.now
            let (s, history) = try await Self.mapErrors { try await services.dossiers.get(code: code, actor: staff, now: now) }
            let ctx = try await Self.workflowContext(of: s, services)
            return try JSONResponse.make(DossierView(s, steps: ctx.steps, history: history, allowed: Workflow.allowedActions(s, actor: staff.actor, context: ctx, now: now),
                                                     now: now, deadlines: ctx.deadlines, dueSoonDays: services.dueSoonDays))
        }

        routes.staff(.post, "/api/v1/dossiers/:code/actions") { request, context in
            let staff = context.staff
            let code = try context.parameters.require("code")
            let body = try await request.decode(as: ActionRequest.self, context: context)
            // Who may see the dossier first: a stranger learns nothing from a field check.
            guard let current = try await services.dossiers.state(code: code), try await services.dossiers.canSee(current, actor: staff) else {
                throw APIError.notFound("dossier \(code) not found")
            }
            let action = try Self.parse(body)
            if case .recordResult(_, let file?) = action {
                guard let meta = try await services.files.metadata(id: file), meta.dossierCode == code else {
                    throw APIError(.unprocessableContent, code: "unknown_file", "file \(file) is not attached to dossier \(code); upload it first")
                }
            }
            let ctx = try await Self.workflowContext(of: current, services)
            let now = context.now
            let (s, t) = try await Self.mapErrors {
                try await services.dossiers.apply(code: code, action: action, expectedVersion: body.version, actor: staff, now: now, context: ctx)
            }
            return try JSONResponse.make(DossierView(s, steps: ctx.steps, history: [t], allowed: Workflow.allowedActions(s, actor: staff.actor, context: ctx, now: now),
                                                     now: now, deadlines: ctx.deadlines, dueSoonDays: services.dueSoonDays))
        }
    }

    /// Reads an action request into a workflow action (422 for unknown actions or missing fields).
    static func parse(_ raw: ActionRequest) throws -> DossierAction {
        typealias L = TextRules.Limit
        let n = TextRules.normalized
        let b = ActionRequest(action: raw.action, version: raw.version, reason: raw.reason.map(n), note: raw.note.map(n), number: raw.number.map(n),
                              amount: raw.amount, newAppointment: raw.newAppointment, electronic: raw.electronic, file: raw.file,
                              components: raw.components?.map(n), other: raw.other.map(n), legalBasis: raw.legalBasis.map(n))
        if (b.components?.count ?? 0) > L.documents {
            throw APIError(.unprocessableContent, code: "invalid_body", "components: at most \(L.documents)")
        }
        let componentFields = (b.components ?? []).map { ("components", Optional($0), L.component, false) }
        for (field, value, limit, multiline) in componentFields + [("reason", b.reason, L.note, true), ("note", b.note, L.note, true),
                                                  ("other", b.other, L.component, false), ("legalBasis", b.legalBasis, L.note, true),
                                                  ("number", b.number, L.resultNumber, false), ("file", b.file, L.code, false),
                                                  ("newAppointment", b.newAppointment, L.code, false)] {
            if let value, let problem = TextRules.problem(value, maxLength: limit, multiline: multiline) {
                throw APIError(.unprocessableContent, code: "invalid_body", "\(field): \(TextRules.reason(problem, maxLength: limit))",
                               details: ["\(field): \(TextRules.reason(problem, maxLength: limit))"])
            }
        }
        if let a = b.amount, !(1...1_000_000_000_000).contains(a) {
            throw APIError(.unprocessableContent, code: "invalid_body", "amount: whole VND from 1 to 1000000000000")
        }
        func need(_ v: String?, _ field: String) throws -> String {
            guard let v, !v.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw APIError(.unprocessableContent, code: "invalid_body", "\(field) is required for action \(b.action)")
            }
            return v
        }
        guard let kind = ActionKind(rawValue: b.action) else {
            var e = APIError(.unprocessableContent, code: "unknown_action", "unknown action \(b.action)")
            e.allowedActions = DossierAction.allNames
            throw e
        }
        switch kind {
        case .receive: return .receive
        case .requestSupplement:
            guard !(b.components ?? []).isEmpty || !(b.other ?? "").trimmingCharacters(in: .whitespaces).isEmpty else {
                throw APIError(.unprocessableContent, code: "invalid_body", "components is required for request-supplement: the missing components of the case")
            }
            return .requestSupplement(SupplementRequest(components: b.components ?? [], other: b.other, legalBasis: b.legalBasis, note: b.reason))
        case .supplementProvided: return .supplementProvided
        case .refuse: return .refuse(reason: try need(b.reason, "reason"))
        case .transfer: return .transfer(note: b.note)
        case .sendBack: return .sendBack(reason: try need(b.reason, "reason"))
        case .approve: return .approve(note: b.note)
        case .issue: return .issue(number: try need(b.number, "number"))
        case .recordResult: return .recordResult(electronic: b.electronic ?? false, file: b.file)
        case .returnResult: return .returnResult
        case .withdraw: return .withdraw(reason: try need(b.reason, "reason"))
        case .stop: return .stop(reason: try need(b.reason, "reason"))
        case .requireFee:
            guard let a = b.amount else { throw APIError(.unprocessableContent, code: "invalid_body", "amount is required for fee-due") }
            return .requireFee(amount: a, reason: b.reason.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 })
        case .payFee: return .payFee
        case .apologize:
            guard let text = b.newAppointment, let date = VietnamTime.parse(text) else {
                throw APIError(.unprocessableContent, code: "invalid_body", "newAppointment (ISO 8601) is required for apologize")
            }
            return .apologize(newDue: date, reason: try need(b.reason, "reason"))
        }
    }

    static func workflowContext(of s: DossierState, _ services: AppServices) async throws -> WorkflowContext {
        guard let p = try await services.procedures.procedure(code: s.procedureCode, version: s.procedureVersion),
              let ctx = WorkflowContext(procedure: p, caseCode: s.caseCode, channel: s.channel, deadlines: services.deadlines(for: s.agencyCode)) else {
            throw APIError(.internalServerError, code: "internal_error", "procedure version of \(s.code) is missing")
        }
        return ctx
    }

    /// Maps store errors to API errors with stable codes.
    static func mapErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let e as DossierError {
            switch e {
            case .notFound: throw APIError.notFound("dossier not found")
            case .versionConflict(let current):
                throw APIError(.conflict, code: "version_conflict", "the dossier changed meanwhile: its version is now \(current); reload it and try again")
            case .rejected(let r):
                var error = APIError(.unprocessableContent, code: r.code.rawValue, r.message)
                error.allowedActions = r.allowed
                throw error
            case .idempotencyMismatch:
                throw APIError(.unprocessableContent, code: "idempotency_key_reused", "this Idempotency-Key was used with a different request")
            case .invalid(let problems):
                throw APIError(.unprocessableContent, code: "invalid_dossier", "invalid dossier", details: problems)
            }
        }
    }
}
