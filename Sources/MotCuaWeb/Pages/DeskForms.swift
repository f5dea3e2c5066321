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

    /// What the action's form asks for (from `ActionKind`).
    static func needs(_ action: String) -> [String: Any] {
        guard let k = ActionKind(rawValue: action) else { return [:] }
        return ["needsReason": k.needsReason, "needsComponents": k.needsComponents, "needsNumber": k.needsNumber, "needsAmount": k.needsAmount,
                "needsNewDue": k.needsNewAppointment, "needsNote": k.takesNote, "needsFile": k.takesFile, "destructive": k.endsDossier]
    }

    /// Actions that end the dossier's processing: the desk asks for a ticked confirmation.
    static let destructiveActions = Set(ActionKind.allCases.filter(\.endsDossier).map(\.rawValue))

    static func label(_ action: String) -> String { DossierAction.label(forName: action) }

    static func dossierPage(_ code: String, _ session: DeskSession, _ services: AppServices, flash: String?, error: String?,
                            status: HTTPResponse.Status = .ok) async throws -> Response {
        let l = try await load(code, session, services)
        let s = l.state, now = services.now()
        let view = DossierView(s, steps: l.context.steps, history: nil, allowed: nil, now: now, deadlines: l.context.deadlines, dueSoonDays: services.dueSoonDays)
        let handling = try await services.catalog.agency(code: s.handlingAgency)?.name ?? s.handlingAgency
        let d: [String: Any?] = [
            "code": s.code, "statusLabel": s.status.label, "procedureCode": s.procedureCode, "procedureName": l.procedure.name,
            "caseName": l.procedure.procedureCase(s.caseCode)?.name, "channelLabel": s.channel.label, "agencyName": l.agency?.name ?? s.agencyCode,
            "handlingAgencyName": handling, "applicantName": s.applicant.name, "applicantIdNumber": s.applicant.idNumber,
            "applicantAddress": s.applicant.address, "applicantPhone": s.applicant.phone, "applicantEmail": s.applicant.email,
            "receivedAt": VietnameseFormat.dateTime(s.receivedAt), "dueAt": VietnameseFormat.dateTime(s.dueAt), "late": view.late,
            "dueSoon": view.dueSoon, "currentStep": view.currentStep?.name, "supplementCount": s.supplementCount,
            "apologyAt": VietnameseFormat.dateTime(s.apologyAt), "newAppointment": VietnameseFormat.dateTime(s.apologyNewDue),
            "resultNumber": s.resultNumber, "timelinessLabel": s.timeliness?.label, "version": s.version,
            "fee": s.feeAmount == 0 ? "Không" : "\(Money.vnd(s.feeAmount))\(s.feePaid ? " (đã nộp)" : "")",
            "apologies": (s.apologies ?? []).map { a -> [String: Any] in
                ["at": VietnameseFormat.dateTime(a.at) ?? "", "newDue": VietnameseFormat.dateTime(a.newDue) ?? "", "late": a.late, "reason": a.reason]
            },
            "documents": s.documents.map { ["component": $0.component, "formLabel": $0.form.label, "count": $0.count] },
        ]
        var context = session.layoutContext
        var facts = present(d)
        if let id = s.resultFile, let file = try await services.files.metadata(id: id) {
            facts["resultFile"] = ["id": file.id, "name": file.name, "size": file.size, "electronic": s.resultElectronic]
        }
        context["d"] = facts
        context["history"] = l.history.map { t -> [String: Any] in
            present(["at": VietnameseFormat.dateTime(t.at) ?? "", "actionLabel": label(t.action), "actor": l.names[t.actor] ?? t.actor,
                     "changed": t.from != t.to,
                     "fromLabel": t.from.label, "toLabel": t.to.label, "note": t.note, "stepName": t.stepName,
                     "stepDueAt": VietnameseFormat.dateTime(t.stepDueAt), "timelinessLabel": t.stepTimeliness?.label])
        }
        let components = l.context.components.enumerated().map { ["index": $0.offset, "name": $0.element] as [String: Any] }
        context["actions"] = Workflow.allowedActions(s, actor: session.member.actor, context: l.context, now: now).map { name in
            needs(name).merging(["name": name, "label": label(name), "components": components]) { a, _ in a }
        }
        context["forms"] = titles.keys.sorted().filter { FormNumber(rawValue: $0).map { $0.event(in: l.history) != nil || $0 == .controlSheet } ?? false }
            .map { ["number": $0, "title": titles[$0] ?? "", "url": "/can-bo/ho-so/\(s.code)/mau-\($0)"] }
        if let flash { context["flash"] = flash }
        if let error { context["errorMessage"] = error }
        return services.pages.page("desk-dossier", title: "Hồ sơ \(s.code)", context, status: status)
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
            "number": form?.number(code: s.code, history: l.history) ?? number,
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
