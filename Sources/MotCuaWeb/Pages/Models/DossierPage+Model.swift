import Foundation
import MotCuaCore
import MotCuaStore

/// The dossier page of the desk, as a typed view model computed purely from the dossier, its
/// history, its procedure and the officer (no I/O; the shell loads them and renders the model).
enum DossierPage {
    struct ResultFile {
        let id: String
        let name: String
        let size: Int
        let electronic: Bool
    }

    struct ApologyRow {
        let at: String
        let newDue: String
        let late: Bool
        let reason: String
    }

    struct DocumentRow {
        let component: String
        let formLabel: String
        let count: Int
    }

    /// The facts of the dossier (the page's `d`).
    struct Facts {
        let code: String, statusLabel: String, procedureCode: String, procedureName: String, caseName: String?
        let channelLabel: String, agencyName: String, handlingAgencyName: String
        let applicantName: String, applicantIdNumber: String, applicantAddress: String?, applicantPhone: String?, applicantEmail: String?
        let receivedAt: String?, dueAt: String?, late: Bool, dueSoon: Bool, currentStep: String?
        let supplementCount: Int, newAppointment: String?, resultNumber: String?, timelinessLabel: String?, version: Int
        let fee: String
        let apologies: [ApologyRow]
        let documents: [DocumentRow]
        let resultFile: ResultFile?
    }

    struct HistoryRow {
        let at: String, actionLabel: String, actor: String, changed: Bool, fromLabel: String, toLabel: String
        let note: String?, stepName: String?, stepDueAt: String?, timelinessLabel: String?
    }

    struct ComponentOption {
        let index: Int
        let name: String
    }

    /// One action the officer may take, with what its form asks for.
    struct ActionForm {
        let name: String, label: String
        let needsReason: Bool, needsComponents: Bool, needsNumber: Bool, needsAmount: Bool, needsNewDue: Bool, needsNote: Bool, needsFile: Bool
        let destructive: Bool
        let components: [ComponentOption]
    }

    struct FormLink {
        let number: String, title: String, url: String
    }

    struct Model {
        let d: Facts
        let history: [HistoryRow]
        let actions: [ActionForm]
        let forms: [FormLink]
    }

    /// What the shell loaded for the page.
    struct Input {
        let state: DossierState
        let history: [Transition]
        let procedure: Procedure
        let context: WorkflowContext
        /// Staff names by username.
        let names: [String: String]
        let agencyName: String
        let handlingAgencyName: String
        let resultFile: StoredFile?
    }

    static func model(_ i: Input, actor: Actor, now: Date, dueSoonDays: Int) -> Model {
        let s = i.state
        let view = DossierView(s, steps: i.context.steps, history: nil, allowed: nil, now: now, deadlines: i.context.deadlines, dueSoonDays: dueSoonDays)
        let fmt = VietnameseFormat.dateTime
        let facts = Facts(
            code: s.code, statusLabel: s.status.label, procedureCode: s.procedureCode, procedureName: i.procedure.name,
            caseName: i.procedure.procedureCase(s.caseCode)?.name, channelLabel: s.channel.label, agencyName: i.agencyName,
            handlingAgencyName: i.handlingAgencyName, applicantName: s.applicant.name, applicantIdNumber: s.applicant.idNumber,
            applicantAddress: s.applicant.address, applicantPhone: s.applicant.phone, applicantEmail: s.applicant.email,
            receivedAt: fmt(s.receivedAt), dueAt: fmt(s.dueAt), late: view.late, dueSoon: view.dueSoon, currentStep: view.currentStep?.name,
            supplementCount: s.supplementCount, newAppointment: fmt(s.apologyNewDue), resultNumber: s.resultNumber,
            timelinessLabel: s.timeliness?.label, version: s.version,
            fee: s.feeAmount == 0 ? "Không" : "\(Money.vnd(s.feeAmount))\(s.feePaid ? " (đã nộp)" : "")",
            apologies: (s.apologies ?? []).map { ApologyRow(at: fmt($0.at) ?? "", newDue: fmt($0.newDue) ?? "", late: $0.late, reason: $0.reason) },
            documents: s.documents.map { DocumentRow(component: $0.component, formLabel: $0.form.label, count: $0.count) },
            resultFile: i.resultFile.map { ResultFile(id: $0.id, name: $0.name, size: $0.size, electronic: s.resultElectronic) })
        let history = i.history.map { t in
            HistoryRow(at: fmt(t.at) ?? "", actionLabel: ActionKind.label(forName: t.action), actor: i.names[t.actor] ?? t.actor,
                       changed: t.from != t.to, fromLabel: t.from.label, toLabel: t.to.label, note: t.note, stepName: t.stepName,
                       stepDueAt: fmt(t.stepDueAt), timelinessLabel: t.stepTimeliness?.label)
        }
        let components = i.context.components.enumerated().map { ComponentOption(index: $0.offset, name: $0.element) }
        let actions = Workflow.allowedActions(s, actor: actor, context: i.context, now: now).compactMap { name -> ActionForm? in
            guard let k = ActionKind(rawValue: name) else { return nil }
            return ActionForm(name: name, label: k.label, needsReason: k.needsReason, needsComponents: k.needsComponents, needsNumber: k.needsNumber,
                              needsAmount: k.needsAmount, needsNewDue: k.needsNewAppointment, needsNote: k.takesNote, needsFile: k.takesFile,
                              destructive: k.endsDossier, components: components)
        }
        let forms = FormNumber.allCases.filter { $0 == .controlSheet || $0.event(in: i.history) != nil }
            .map { FormLink(number: $0.rawValue, title: $0.title, url: "/can-bo/ho-so/\(s.code)/mau-\($0.rawValue)") }
        return Model(d: facts, history: history, actions: actions, forms: forms)
    }
}
