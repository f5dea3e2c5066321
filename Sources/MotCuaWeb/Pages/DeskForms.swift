import Foundation
import Hummingbird
import MotCuaCore
import MotCuaStore

/// The dossier page and the printed forms of Circular 01/2018 and 03/2025 (Mẫu 01–07), all built
/// from the dossier's state and history.
enum DeskForms {
    /// The forms printed for one dossier (Mẫu 01–06), by number, with their titles.
    static let titles = Dictionary(uniqueKeysWithValues: FormNumber.allCases.filter { $0 != .trackingBook }.map { ($0.rawValue, $0.title) })

    static func register(_ routes: inout RouteRegistry, services: AppServices) {
        routes.get("/can-bo/ho-so/:code/:form") { request, context in
            let session = try await DeskSession.require(request, services)
            let form = try context.parameters.require("form")
            guard form.hasPrefix("mau-"), let title = titles[String(form.dropFirst(4))] else { throw APIError.notFound("Không có biểu mẫu này.") }
            return try await printForm(String(form.dropFirst(4)), title: title, code: try context.parameters.require("code"), session, services)
        }
        routes.get("/can-bo/so-theo-doi") { request, _ in try await DeskTrackingBook.page(request, services) }
    }

    /// Facts shared by every page about a dossier.
    struct Loaded {
        let state: DossierState
        let history: [Transition]
        let procedure: Procedure
        let context: WorkflowContext
        let names: [String: String]
        let agency: Agency?
        let parent: Agency?
        let place: String
    }

    static func load(_ code: String, _ session: DeskSession, _ services: AppServices) async throws -> Loaded {
        let (s, history) = try await DossierAPI.mapErrors { try await services.dossiers.get(code: code, actor: session.member, now: services.now()) }
        guard let p = try await services.procedures.procedure(code: s.procedureCode, version: s.procedureVersion) else { throw APIError.notFound("procedure") }
        let ctx = try await DossierAPI.workflowContext(of: s, services)
        let names = Dictionary(try await services.staff.list().map { ($0.username, $0.fullName) }, uniquingKeysWith: { a, _ in a })
        let history2 = try await services.catalog.history()
        let agency = history2.agencies[s.agencyCode]
        let parent = agency?.parent.flatMap { history2.agencies[$0] }
        return Loaded(state: s, history: history, procedure: p, context: ctx, names: names, agency: agency, parent: parent,
                      place: place(of: s.agencyCode, history2))
    }

    /// The place written before the date of a form: the province of the agency ("Cần Thơ").
    static func place(of code: String, _ history: AgencyHistory) -> String {
        var root = history.agencies[code]
        while let r = root, let up = r.parent.flatMap({ history.agencies[$0] }) { root = up }
        var name = root?.name ?? ""
        for prefix in ["Ủy ban nhân dân ", "thành phố ", "Thành phố ", "tỉnh "] where name.hasPrefix(prefix) { name = String(name.dropFirst(prefix.count)) }
        return name
    }

    /// Actions that end the dossier's processing: the desk asks for a ticked confirmation.
    static let destructiveActions = Set(ActionKind.allCases.filter(\.endsDossier).map(\.rawValue))

    static func label(_ action: String) -> String { DossierAction.label(forName: action) }

    static func dossierPage(_ code: String, _ session: DeskSession, _ services: AppServices, flash: String?, error: String?,
                            status: HTTPResponse.Status = .ok) async throws -> Response {
        let l = try await load(code, session, services)
        let s = l.state
        let handling = try await services.catalog.agency(code: s.handlingAgency)?.name ?? s.handlingAgency
        let file = try await s.resultFile.asyncMap { try await services.files.metadata(id: $0) } ?? nil
        let model = DossierPage.model(.init(state: s, history: l.history, procedure: l.procedure, context: l.context, names: l.names,
                                            agencyName: l.agency?.name ?? s.agencyCode, handlingAgencyName: handling, resultFile: file),
                                      actor: session.member.actor, now: services.now(), dueSoonDays: services.dueSoonDays)
        var context = session.layoutContext
        context["d"] = model.d
        context["history"] = model.history
        context["actions"] = model.actions
        context["forms"] = model.forms
        if let online = try await DeskOnlineDocuments.context(code: s.code, services) { context["online"] = online }
        if let flash { context["flash"] = flash }
        if let error { context["errorMessage"] = error }
        return services.pages.page("desk-dossier", title: "Hồ sơ \(s.code)", context, status: status)
    }

    /// The running number the form got when its event happened (stored), else one derived from the
    /// dossier (events recorded before form numbers existed, and the control sheet).
    static func formNumber(_ form: FormNumber?, event: Transition?, history: [Transition], code: String, _ services: AppServices) async throws -> String? {
        guard let form else { return nil }
        if let event, let seq = history.firstIndex(of: event), let stored = try await services.dossiers.formNumber(code: code, form: form, seq: seq) {
            return stored
        }
        return form.number(code: code, history: history)
    }

    static func printForm(_ number: String, title: String, code: String, _ session: DeskSession, _ services: AppServices) async throws -> Response {
        let l = try await load(code, session, services)
        let s = l.state
        // A form prints only once its event happened, dated on the event and signed by its officer;
        // the control sheet (06) is the live history.
        let form = FormNumber(rawValue: number)
        let event = form?.event(in: l.history)
        guard event != nil || form == .controlSheet else {
            throw APIError(.notFound, code: "form_not_available", "Chưa có \(title.lowercased()) cho hồ sơ này: sự việc tương ứng chưa xảy ra.")
        }
        let officer = event?.actor ?? session.member.username
        var context: [String: Any] = [
            "code": s.code, "agencyParentName": l.parent?.name ?? "", "agencyName": l.agency?.name ?? s.agencyCode,
            "number": try await formNumber(form, event: event, history: l.history, code: s.code, services) ?? number,
            "placeDate": VietnameseFormat.placeDate(l.place, event?.at ?? services.now()),
            // Empty fields are left out, so the form prints its dotted lines for them.
            "applicant": present(["name": s.applicant.name, "idNumber": s.applicant.idNumber.isEmpty ? nil : s.applicant.idNumber,
                                  "address": s.applicant.address.flatMap { $0.isEmpty ? nil : $0 }, "phone": s.applicant.phone.flatMap { $0.isEmpty ? nil : $0 },
                                  "email": s.applicant.email.flatMap { $0.isEmpty ? nil : $0 }]),
            "procedureName": l.procedure.name, "officerName": l.names[officer] ?? officer,
            "documents": s.documents.enumerated().map { ["index": $0.offset + 1, "component": $0.element.component, "formLabel": $0.element.form.label,
                                                         "count": $0.element.count] },
            "timeLimit": VietnameseFormat.limit(l.context.limit), "receivedAt": VietnameseFormat.dateTime(s.receivedAt) ?? "",
            "dueAt": VietnameseFormat.dateTime(s.dueAt) ?? "Không quy định", "returnPlace": "Bộ phận Một cửa, \(l.agency?.name ?? s.agencyCode)",
            "sequence": String(s.code.suffix(4)), "newDue": VietnameseFormat.dateTime(s.apologyNewDue) ?? "",
        ]
        switch number {
        case "02":
            if let last = s.supplementRequests?.last {
                var items = last.request.components.map { ($0, "Thành phần hồ sơ đã công bố") }
                if let o = last.request.other, !o.isEmpty { items.append((o, last.request.legalBasis ?? "")) }
                context["items"] = items.enumerated().map { ["index": $0.offset + 1, "name": $0.element.0, "basis": $0.element.1] }
                if let n = last.request.note, !n.isEmpty { context["note"] = n }
                context["requestedAt"] = VietnameseFormat.dateTime(last.at) ?? ""
                context["officerName"] = l.names[last.by] ?? last.by
            } else {
                context["items"] = [["index": 1, "name": event?.note ?? "", "basis": ""]]
            }
        case "03", "05": context["reason"] = event?.note ?? ""
        case "04":
            let apology = s.apologies?.last
            context["reason"] = apology?.reason ?? event?.note ?? ""
            context["newDue"] = VietnameseFormat.dateTime(apology?.newDue ?? s.apologyNewDue) ?? ""
        case "06":
            let partners = Set(l.history.map(\.agencyCode)).subtracting([s.agencyCode])
            var partnerNames: [String] = []
            for p in partners.sorted() { partnerNames.append(try await services.catalog.agency(code: p)?.name ?? p) }
            context["partners"] = partnerNames.isEmpty ? "Không" : partnerNames.joined(separator: "; ")
            context["rows"] = l.history.enumerated().map { i, t -> [String: Any] in
                let next = i + 1 < l.history.count ? l.history[i + 1].actor : nil
                return ["step": t.stepName ?? label(t.action), "giver": l.names[t.actor] ?? t.actor,
                        "receiver": next.map { l.names[$0] ?? $0 } ?? "—", "at": VietnameseFormat.dateTime(t.at) ?? "",
                        "timelinessLabel": t.stepTimeliness?.label ?? "", "note": t.note ?? ""]
            }
        default: break
        }
        return services.pages.page("form-\(number)", title: "Mẫu \(number) – \(title)", context)
    }
}
