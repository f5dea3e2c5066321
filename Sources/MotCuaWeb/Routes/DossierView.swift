import Foundation
import MotCuaCore
import MotCuaStore

/// The JSON shape of a dossier in the API.
struct DossierView: Encodable {
    struct Step: Encodable {
        let index: Int
        let name: String
        let role: StaffRole
        let dueAt: String?
    }
    struct Event: Encodable {
        let action: String
        let from: DossierStatus
        let to: DossierStatus
        let actor: String
        let actorRole: StaffRole
        let agency: String
        let at: String
        let note: String?
        let stepName: String?
        let stepDueAt: String?
        let stepTimeliness: Timeliness?
    }

    let code: String
    let status: DossierStatus
    let portalStatus: Int
    let statusLabel: String
    let agency: String
    let handlingAgency: String
    let procedure: String
    let procedureVersion: Int
    let caseCode: String
    let channel: Channel
    let applicant: Applicant
    let documents: [ReceivedDocument]
    let note: String?
    let submittedAt: String
    let receivedAt: String?
    let dueAt: String?
    let dueSoon: Bool
    let late: Bool
    let currentStep: Step?
    let supplementCount: Int
    let apologyAt: String?
    let newAppointment: String?
    let resultNumber: String?
    let resultElectronic: Bool
    let processingEndedAt: String?
    let timeliness: Timeliness?
    let returnedAt: String?
    let feeAmount: Int
    let feePaid: Bool
    let version: Int
    let history: [Event]?
    let allowedActions: [String]?

    init(_ s: DossierState, steps: [WorkflowStep], history: [Transition]?, allowed: [String]?, now: Date, deadlines: DeadlineCalculator, dueSoonDays: Int) {
        func iso(_ d: Date?) -> String? { d.map(VietnamTime.iso) }
        code = s.code; status = s.status; portalStatus = s.status.portalCode; statusLabel = s.status.label
        agency = s.agencyCode; handlingAgency = s.handlingAgency; procedure = s.procedureCode; procedureVersion = s.procedureVersion
        caseCode = s.caseCode; channel = s.channel; applicant = s.applicant; documents = s.documents; note = s.note
        submittedAt = VietnamTime.iso(s.submittedAt); receivedAt = iso(s.receivedAt); dueAt = iso(s.dueAt)
        late = s.isLate(at: now)
        dueSoon = s.isDueSoon(at: now, deadlines: deadlines, workingDays: dueSoonDays)
        currentStep = s.status == .processing && s.stepIndex < steps.count
            ? Step(index: s.stepIndex, name: steps[s.stepIndex].name, role: steps[s.stepIndex].role, dueAt: iso(s.stepDueAt)) : nil
        supplementCount = s.supplementCount; apologyAt = iso(s.apologyAt); newAppointment = iso(s.apologyNewDue)
        resultNumber = s.resultNumber; resultElectronic = s.resultElectronic; processingEndedAt = iso(s.processingEndedAt)
        timeliness = s.timeliness; returnedAt = iso(s.returnedAt); feeAmount = s.feeAmount; feePaid = s.feePaid; version = s.version
        self.history = history?.map {
            Event(action: $0.action, from: $0.from, to: $0.to, actor: $0.actor, actorRole: $0.actorRole, agency: $0.agencyCode,
                  at: VietnamTime.iso($0.at), note: $0.note, stepName: $0.stepName, stepDueAt: iso($0.stepDueAt), stepTimeliness: $0.stepTimeliness)
        }
        allowedActions = allowed
    }
}
