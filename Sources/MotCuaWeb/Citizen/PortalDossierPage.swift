import Foundation
import Hummingbird
import MotCuaCore
import MotCuaStore

extension PortalDossierPages {
    /// Who did a history row, as the applicant reads it.
    static func actorLabel(_ t: Transition) -> String {
        t.byApplicant == true ? "Ông/Bà" : (t.action == "submit" ? "Cán bộ tiếp nhận" : t.actorRole.label)
    }

    static func dossierPage(_ code: String, _ session: CitizenSession, _ services: AppServices, flash: String?, errors: [String],
                            status: HTTPResponse.Status) async throws -> Response {
        let owned = try await requireOwned(code, session, services)
        let s = owned.state
        let p = try await services.procedures.procedure(code: s.procedureCode, version: s.procedureVersion)
        let agency = try await services.catalog.agency(code: s.agencyCode)
        let actions = Workflow.applicantActions(s)
        var ctx = session.layoutContext
        ctx["d"] = present([
            "code": s.code, "procedure": p?.name ?? s.procedureCode, "agency": agency?.name ?? s.agencyCode, "status": s.status.label,
            "portalCode": s.status.portalCode, "version": s.version, "submitted": VietnameseFormat.dateTime(s.submittedAt),
            "received": VietnameseFormat.dateTime(s.receivedAt), "due": VietnameseFormat.dateTime(s.apologyNewDue ?? s.dueAt),
            "returned": VietnameseFormat.dateTime(s.returnedAt), "secret": owned.trackingSecret, "postalAddress": owned.postalAddress,
            "timeliness": s.timeliness?.label, "postalFee": owned.postalAddress == nil ? nil : Money.vnd(services.portal.postalReturnFee),
        ])
        ctx["history"] = owned.history.map { t in
            present(["label": ActionKind.label(forName: t.action), "at": VietnameseFormat.dateTime(t.at), "who": actorLabel(t), "note": t.note,
                     "status": t.to.label])
        }
        ctx["documents"] = owned.documents.map { d in
            ["name": d.document.name, "component": d.component, "reused": d.reused, "size": PortalUploads.sizeText(d.document.size),
             "href": "/ho-so-cua-toi/\(s.code)/tai-lieu/\(d.document.id)"] as [String: Any]
        }
        ctx["hasDocuments"] = !owned.documents.isEmpty
        if let requests = s.supplementRequests, !requests.isEmpty {
            ctx["supplements"] = requests.map { r in
                present(["at": VietnameseFormat.dateTime(r.at), "items": r.request.components + [r.request.other].compactMap { $0 }, "note": r.request.note])
            }
        }
        if let apologies = s.apologies, !apologies.isEmpty {
            ctx["apologies"] = apologies.map { ["at": VietnameseFormat.dateTime($0.at) ?? "", "newDue": VietnameseFormat.dateTime($0.newDue) ?? "",
                                                "reason": $0.reason] }
        }
        if s.feeAmount > 0 {
            let paid = try await services.payments.payments(dossierCode: s.code).filter { $0.state == .paid }
            ctx["fee"] = ["amount": Money.vnd(s.feeAmount), "paid": s.feePaid, "online": s.feePaidOnline == true, "payable": PaymentRules.payable(s),
                          "receipts": paid.map { ["number": $0.receiptNumber ?? "", "amount": Money.vnd($0.amount), "at": VietnameseFormat.dateTime($0.paidAt) ?? "",
                                                  "transaction": $0.transactionID ?? ""] }] as [String: Any]
        }
        if s.status == .returned {
            if let r = try await services.ratings.rating(code: s.code) {
                ctx["rated"] = present(["overall": r.overall.label, "comment": r.comment])
            } else {
                ctx["ratingForm"] = Rating.questions.map { q in
                    ["key": q.key, "text": q.text, "levels": Rating.Level.allCases.map { ["value": $0.rawValue, "label": $0.label] }] as [String: Any]
                }
            }
        }
        if [.finished, .returned].contains(s.status), s.resultElectronic, s.resultFile != nil { ctx["resultHref"] = "/ho-so-cua-toi/\(s.code)/ket-qua" }
        if s.status == .submitted, let c = p?.procedureCase(s.caseCode), !c.noDueDate, let limit = c.limit(for: .online) {
            ctx["expectedDue"] = VietnameseFormat.dateTime(services.deadlines(for: s.agencyCode).due(from: services.now(), limit: limit))
        }
        if s.status == .submitted, let p {
            let bring = OnlineSubmission.mustBring(p, caseCode: s.caseCode, documents: owned.documents.map(\.submission))
            if !bring.isEmpty { ctx["mustBring"] = bring }
        }
        if actions.contains(ActionKind.supplementProvided.rawValue), let p {
            let asked = Set(s.supplementRequests?.last?.request.components ?? [])
            let store = try await services.citizenDocuments.documents(citizenID: session.account.id)
            ctx["supplementForm"] = [
                "components": PortalUploads.componentRows(p.procedureCase(s.caseCode), attached: owned.pendingSupplement, store: store, csrf: session.csrf,
                                                          uploadAction: "/ho-so-cua-toi/\(s.code)/bo-sung/tai-len", reuseAction: "",
                                                          removeAction: "", only: asked.isEmpty ? nil : asked),
                "ready": !owned.pendingSupplement.isEmpty,
            ] as [String: Any]
        }
        ctx["canWithdraw"] = actions.contains(ActionKind.withdraw.rawValue)
        if let flash { ctx["flash"] = flash }
        if !errors.isEmpty { ctx["errors"] = errors }
        return services.pages.page("portal-dossier", title: "Hồ sơ \(s.code)", ctx, status: status)
    }
}

/// Public tracking (`/tra-cuu`): the status of a dossier for whoever knows its code and the check
/// value (last 4 digits of the applicant's ID number, or the secret on the online receipt). Nothing
/// personal is shown, a wrong check looks exactly like an unknown code, and guesses are throttled
/// per address like logins.
enum TrackingPages {
    /// The fields anyone with the check value may see.
    struct PublicStatus: Encodable {
        let code: String
        let procedureCode: String
        let procedureName: String
        let status: DossierStatus
        let statusCode: Int
        let statusLabel: String
        let submittedAt: String
        let receivedAt: String?
        let dueAt: String?
        let returnedAt: String?
    }

    /// The status, or nil for an unknown code or a wrong check; throws 429 while the address waits.
    static func lookup(code: String, check: String, client: String, services: AppServices) async throws -> (PublicStatus, DossierState)? {
        let now = services.now()
        guard code.count <= 64, check.count <= 64, TextRules.problem(code + check, maxLength: 128) == nil else { return nil }
        try services.trackingThrottle.admit("track:" + code, client: client, now: now, what: "tracking queries")
        guard let s = try await services.onlineDossiers.track(code: code, check: check) else { return nil }
        services.trackingThrottle.succeeded("track:" + code, client: client)
        let name = try await services.catalog.procedure(code: s.procedureCode)?.name ?? s.procedureCode
        return (PublicStatus(code: s.code, procedureCode: s.procedureCode, procedureName: name, status: s.status, statusCode: s.status.portalCode,
                            statusLabel: s.status.label, submittedAt: VietnamTime.iso(s.submittedAt), receivedAt: s.receivedAt.map(VietnamTime.iso),
                            dueAt: (s.apologyNewDue ?? s.dueAt).map(VietnamTime.iso), returnedAt: s.returnedAt.map(VietnamTime.iso)), s)
    }

    static func register(_ routes: inout RouteRegistry, services: AppServices) {
        routes.get("/tra-cuu") { request, context in
            let code = request.query("ma")?.trimmingCharacters(in: .whitespaces) ?? ""
            let check = request.query("kiem-tra") ?? ""
            var ctx: [String: Any] = ["code": code]
            var status: HTTPResponse.Status = .ok
            if !code.isEmpty {
                do {
                    if let (found, d) = try await lookup(code: code, check: check, client: services.security.clientAddress(request, peer: context.remoteAddress),
                                                         services: services) {
                        ctx["result"] = present(["code": found.code, "procedure": found.procedureName, "status": found.statusLabel,
                                                 "submitted": VietnameseFormat.dateTime(d.submittedAt), "received": VietnameseFormat.dateTime(d.receivedAt),
                                                 "due": VietnameseFormat.dateTime(d.apologyNewDue ?? d.dueAt), "returned": VietnameseFormat.dateTime(d.returnedAt)])
                    } else {
                        ctx["errorMessage"] = "Không tìm thấy hồ sơ với mã và thông tin kiểm tra đã nhập."
                        status = .notFound
                    }
                } catch let e as APIError where e.status == .tooManyRequests {
                    ctx["errorMessage"] = "Tra cứu quá nhiều lần. Vui lòng thử lại sau \(e.headers[.retryAfter] ?? "ít phút") giây."
                    status = .tooManyRequests
                }
            }
            var r = services.pages.page("tracking", title: "Tra cứu hồ sơ", ctx, status: status)
            r.headers[.cacheControl] = "no-store"
            return r
        }
        routes.get("/api/v1/public/dossiers/:code") { request, context in
            let code = try context.parameters.require("code")
            guard let check = request.query("check"), !check.isEmpty else { throw APIError.invalid("check", "required: the last 4 digits of the applicant's ID number or the receipt's tracking secret") }
            guard let (found, _) = try await lookup(code: code, check: check, client: services.security.clientAddress(request, peer: context.remoteAddress),
                                                    services: services) else {
                throw APIError.notFound("no dossier with this code and check value")
            }
            var r = try JSONResponse.make(found)
            r.headers[.cacheControl] = "no-store"
            return r
        }
    }
}
