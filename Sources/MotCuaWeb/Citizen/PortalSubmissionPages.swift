import Foundation
import Hummingbird
import MotCuaCore
import MotCuaStore

/// Online submission on the portal: start a dossier from a procedure that offers it (case, agency,
/// applicant data prefilled from the profile, result by post), attach files for each component —
/// uploaded (streamed to the blob store) or picked from the citizen's store — save the draft, and
/// submit it (status 1, waiting for the one-stop desk).
enum PortalSubmissionPages {
    static func register(_ routes: inout RouteRegistry, services: AppServices) {
        routes.get("/nop-truc-tuyen/:code") { request, context in
            let session = try await CitizenSession.require(request, services)
            let p = try await offered(try context.parameters.require("code"), services)
            return try await startPage(p, session, services, values: [:], errors: [], status: .ok)
        }
        routes.post("/nop-truc-tuyen/:code") { request, context in
            let session = try await CitizenSession.require(request, services)
            let form = try await FormBody.read(request, context: context)
            try session.checkCSRF(form["csrf"])
            let p = try await offered(try context.parameters.require("code"), services)
            let agencies = try await servingAgencies(p, services)
            let caseCode = p.procedureCase(form["case"])?.code
            let applicant = applicant(form.values)
            var errors = applicantProblems(applicant, p, caseCode)
            if caseCode == nil { errors.append(PortalMessages.submission(.unknownCase)) }
            if !agencies.contains(where: { $0.code == form["agency"] }) { errors.append("Hãy chọn cơ quan tiếp nhận hồ sơ.") }
            let postal = form["byPost"] != nil ? form["postalAddress"] : nil
            if form["byPost"] != nil && (postal ?? "").count < 5 { errors.append("Hãy nhập địa chỉ nhận kết quả qua bưu chính.") }
            if let a = postal, TextRules.problem(a, maxLength: TextRules.Limit.address) != nil { errors.append("Địa chỉ nhận kết quả quá dài hoặc chứa ký tự không hợp lệ.") }
            if let n = form["note"], TextRules.problem(n, maxLength: TextRules.Limit.note, multiline: true) != nil { errors.append("Ghi chú quá dài.") }
            guard errors.isEmpty, let caseCode, let agency = form["agency"] else {
                return try await startPage(p, session, services, values: form.values, errors: errors, status: .unprocessableContent)
            }
            let draft = try await services.citizenDocuments.createDraft(citizenID: session.account.id, procedureCode: p.code, caseCode: caseCode,
                                                                        agencyCode: agency, applicant: applicant, note: form["note"],
                                                                        postalAddress: postal, now: services.now())
            throw DeskRedirect(location: "/ho-so-nhap/\(draft.id)")
        }
        routes.get("/ho-so-nhap/:id") { request, context in
            let session = try await CitizenSession.require(request, services)
            let flash = ["luu": "Đã lưu hồ sơ nháp.", "tep": "Đã đính kèm tệp.", "dung-lai": "Đã dùng lại giấy tờ từ kho dữ liệu.", "go": "Đã gỡ tệp."][request.query("ok") ?? ""]
            return try await draftPage(try context.parameters.require("id"), session, services, flash: flash, errors: [], status: .ok)
        }
        routes.post("/ho-so-nhap/:id") { request, context in
            let (session, form, draft) = try await draftPost(request, context, services)
            let id = draft.id
            let p = try await offered(draft.procedureCode, services)
            let a = applicant(form.values)
            let errors = applicantProblems(a, p, draft.caseCode)
            guard errors.isEmpty else { return try await draftPage(id, session, services, flash: nil, errors: errors, status: .unprocessableContent) }
            let postal = form["byPost"] != nil ? form["postalAddress"] : nil
            try await services.citizenDocuments.updateDraft(id: id, citizenID: session.account.id, applicant: a, note: form["note"],
                                                            postalAddress: postal, now: services.now())
            throw DeskRedirect(location: "/ho-so-nhap/\(id)?ok=luu")
        }
        routes.post("/ho-so-nhap/:id/tai-len") { request, context in
            let session = try await CitizenSession.require(request, services)
            try session.checkCSRF(request.query("csrf"))
            let id = try context.parameters.require("id")
            let draft = try await requireDraft(id, session, services)
            let p = try await offered(draft.procedureCode, services)
            if let error = try await PortalUploads.receive(request, session, services, owner: .draft(id), procedure: p, caseCode: draft.caseCode,
                                                           attached: draft.documents) {
                return try await draftPage(id, session, services, flash: nil, errors: [error], status: .unprocessableContent)
            }
            throw DeskRedirect(location: "/ho-so-nhap/\(id)?ok=tep")
        }
        routes.post("/ho-so-nhap/:id/dung-lai") { request, context in
            let (session, form, draft) = try await draftPost(request, context, services)
            let id = draft.id
            let p = try await offered(draft.procedureCode, services)
            guard let component = PortalUploads.component(form["component"], p, draft.caseCode), let doc = form["document"],
                  try await services.citizenDocuments.document(id: doc, citizenID: session.account.id) != nil else {
                return try await draftPage(id, session, services, flash: nil, errors: ["Hãy chọn giấy tờ trong kho dữ liệu."], status: .unprocessableContent)
            }
            try await services.citizenDocuments.reuse(citizenID: session.account.id, owner: .draft(id), component: component, documentID: doc, now: services.now())
            throw DeskRedirect(location: "/ho-so-nhap/\(id)?ok=dung-lai")
        }
        routes.post("/ho-so-nhap/:id/go-bo") { request, context in
            let (session, form, draft) = try await draftPost(request, context, services)
            let id = draft.id
            if let c = form["component"], let d = form["document"] {
                try await services.citizenDocuments.detach(owner: .draft(draft.id), component: c, documentID: d)
            }
            throw DeskRedirect(location: "/ho-so-nhap/\(id)?ok=go")
        }
        routes.post("/ho-so-nhap/:id/xoa") { request, context in
            let (session, _, draft) = try await draftPost(request, context, services)
            let id = draft.id
            try await services.citizenDocuments.deleteDraft(id: id, citizenID: session.account.id)
            throw DeskRedirect(location: "/ho-so-cua-toi")
        }
        routes.post("/ho-so-nhap/:id/nop") { request, context in
            // A second click (or Back and submit again) after the draft became a dossier lands on it.
            if let session = try await services.citizenAuth.session(request, now: services.now()), let id = context.parameters.get("id"), id.count <= 64,
               let code = try await services.citizenDocuments.submittedDossier(draftID: id, citizenID: session.account.id) {
                throw DeskRedirect(location: "/ho-so-cua-toi/\(code)?ok=nop")
            }
            let (session, _, draft) = try await draftPost(request, context, services)
            let id = draft.id
            do {
                let state = try await submit(draft, session.account, services)
                throw DeskRedirect(location: "/ho-so-cua-toi/\(state.code)?ok=nop")
            } catch let e as CitizenError {
                // Two clicks racing: the other one submitted it meanwhile.
                if let code = try await services.citizenDocuments.submittedDossier(draftID: id, citizenID: session.account.id) {
                    throw DeskRedirect(location: "/ho-so-cua-toi/\(code)?ok=nop")
                }
                return try await draftPage(id, session, services, flash: nil, errors: [PortalMessages.citizen(e)], status: .unprocessableContent)
            }
        }
    }

    /// The session, the form (CSRF checked) and the citizen's draft of a POST to `/ho-so-nhap/:id/…`.
    static func draftPost(_ request: Request, _ context: AppRequestContext, _ services: AppServices) async throws -> (CitizenSession, FormBody, Draft) {
        let session = try await CitizenSession.require(request, services)
        let id = try context.parameters.require("id")
        let form = try await FormBody.read(request, context: context)
        try session.checkCSRF(form["csrf"])
        return (session, form, try await requireDraft(id, session, services))
    }

    /// Submits a draft (shared by the page and the API).
    static func submit(_ draft: Draft, _ account: CitizenAccount, _ services: AppServices) async throws -> DossierState {
        let p = try await offered(draft.procedureCode, services)
        let agency = try await services.catalog.agency(code: draft.agencyCode)
        var bytes = [UInt8](repeating: 0, count: TrackingCheck.secretLength)
        var g = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &g) }
        let base = services.portal.publicBaseURL
        return try await services.onlineDossiers.submit(draftID: draft.id, account: account, procedure: p, agency: agency,
                                                        trackingSecret: TrackingCheck.secret(from: bytes), now: services.now()) { s in
            let m = NotificationTemplates.render(form: "submitted", dossierCode: s.code, message: "", baseURL: base)
            return (m.subject, m.body)
        }
    }

    /// The current procedure if it takes dossiers online (404 otherwise).
    static func offered(_ code: String, _ services: AppServices) async throws -> Procedure {
        guard let p = try await services.procedures.current(code: code, now: services.now()), OnlineSubmission.isOffered(p) else {
            throw APIError.notFound("Thủ tục này không nhận hồ sơ trực tuyến.")
        }
        return p
    }

    static func requireDraft(_ id: String, _ session: CitizenSession, _ services: AppServices) async throws -> Draft {
        guard id.count <= 64, let d = try await services.citizenDocuments.draft(id: id, citizenID: session.account.id) else {
            throw APIError.notFound("Không tìm thấy hồ sơ nháp.")
        }
        return d
    }

    /// Agencies that exist today and receive the procedure.
    static func servingAgencies(_ p: Procedure, _ services: AppServices) async throws -> [Agency] {
        let today = DeadlineCalculator.localDate(of: services.now())
        return try await services.catalog.agencies().filter { $0.existed(from: today, to: today) && Intake.isServed(by: $0, procedure: p) }
    }

    static func applicant(_ v: [String: String]) -> Applicant {
        func t(_ k: String) -> String? { v[k].map { TextRules.normalized($0).trimmed }.flatMap { $0.isEmpty ? nil : $0 } }
        return Applicant(kind: v["applicantKind"] == "organisation" ? .organisation : .person, name: t("name") ?? "", idNumber: t("idNumber") ?? "",
                         address: t("address"), phone: t("phone"), email: t("email"))
    }

    static func applicantProblems(_ a: Applicant, _ p: Procedure, _ caseCode: String?) -> [String] {
        let r = IntakeRequest(procedureCode: p.code, caseCode: caseCode, channel: .online, applicant: a, documents: [], note: nil, receive: false)
        return Intake.problems(r, procedure: p).filter { $0.field.hasPrefix("applicant") }
            .map { "\(IntakeLabels.field($0.field)): \(IntakeLabels.reason($0.reason))" }
    }

    static func startPage(_ p: Procedure, _ session: CitizenSession, _ services: AppServices, values: [String: String], errors: [String],
                          status: HTTPResponse.Status) async throws -> Response {
        let a = session.account.applicant
        var v = ["name": a.name, "idNumber": a.idNumber, "address": a.address ?? "", "phone": a.phone ?? "", "email": a.email ?? "",
                 "applicantKind": a.kind.rawValue]
        for (k, x) in values { v[k] = x }
        let agencies = try await servingAgencies(p, services)
        var ctx = session.layoutContext
        ctx["p"] = ["code": p.code, "name": p.name, "online": p.onlineType.label, "partial": p.onlineType == .partial] as [String: Any]
        ctx["cases"] = p.cases.enumerated().map { i, c in
            ["code": c.code, "name": c.name, "checked": v["case"] == c.code || (v["case"] == nil && i == 0)] as [String: Any]
        }
        ctx["agencies"] = agencies.map { ["code": $0.code, "name": $0.name, "selected": $0.code == v["agency"]] as [String: Any] }
        ctx["values"] = v
        ctx["organisation"] = v["applicantKind"] == "organisation"
        ctx["byPost"] = v["byPost"] != nil
        ctx["postalFee"] = Money.vnd(services.portal.postalReturnFee)
        ctx["notVerified"] = !session.account.maySubmit
        if !errors.isEmpty { ctx["errors"] = errors }
        return services.pages.page("portal-start", title: "Nộp hồ sơ trực tuyến – \(p.name)", ctx, status: status)
    }

    static func draftPage(_ id: String, _ session: CitizenSession, _ services: AppServices, flash: String?, errors: [String],
                          status: HTTPResponse.Status) async throws -> Response {
        let draft = try await requireDraft(id, session, services)
        let p = try await offered(draft.procedureCode, services)
        try await services.citizenDocuments.syncResults(citizenID: session.account.id, now: services.now())
        let store = try await services.citizenDocuments.documents(citizenID: session.account.id)
        let agency = try await services.catalog.agency(code: draft.agencyCode)
        let docs = draft.documents.map(\.submission)
        let c = p.procedureCase(draft.caseCode)
        var ctx = session.layoutContext
        ctx["postalFee"] = Money.vnd(services.portal.postalReturnFee)
        ctx["draft"] = present(["id": draft.id, "agency": agency?.name ?? draft.agencyCode, "caseName": c?.name, "postalAddress": draft.postalAddress,
                                "note": draft.note, "updated": VietnameseFormat.dateTime(draft.updatedAt)])
        ctx["p"] = ["code": p.code, "name": p.name, "online": p.onlineType.label] as [String: Any]
        ctx["components"] = PortalUploads.componentRows(c, attached: draft.documents, store: store, csrf: session.csrf,
                                                        uploadAction: "/ho-so-nhap/\(draft.id)/tai-len", reuseAction: "/ho-so-nhap/\(draft.id)/dung-lai",
                                                        removeAction: "/ho-so-nhap/\(draft.id)/go-bo")
        let a = draft.applicant
        ctx["values"] = ["name": a.name, "idNumber": a.idNumber, "address": a.address ?? "", "phone": a.phone ?? "", "email": a.email ?? "",
                         "note": draft.note ?? "", "postalAddress": draft.postalAddress ?? ""]
        ctx["organisation"] = a.kind == .organisation
        ctx["byPost"] = draft.postalAddress != nil
        let fees = p.channels.first { $0.channel == .online }?.fees ?? []
        if !fees.isEmpty { ctx["fees"] = fees.map { ["name": $0.name, "amount": Money.vnd($0.amount)] } }
        if let c, !c.noDueDate, let limit = c.limit(for: .online) {
            ctx["expectedDue"] = VietnameseFormat.dateTime(services.deadlines(for: draft.agencyCode).due(from: services.now(), limit: limit))
        }
        let bring = OnlineSubmission.mustBring(p, caseCode: draft.caseCode, documents: docs)
        if !bring.isEmpty { ctx["mustBring"] = bring }
        let problems = OnlineSubmission.problems(p, caseCode: draft.caseCode, agency: agency, documents: docs, account: session.account)
        if !problems.isEmpty { ctx["blocking"] = problems.map(PortalMessages.submission) }
        ctx["canSubmit"] = problems.isEmpty
        if let flash { ctx["flash"] = flash }
        if !errors.isEmpty { ctx["errors"] = errors }
        return services.pages.page("portal-draft", title: "Hồ sơ nháp – \(p.name)", ctx, status: status)
    }
}
