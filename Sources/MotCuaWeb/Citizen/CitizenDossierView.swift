import Foundation
import MotCuaCore
import MotCuaStore

/// An online dossier as the citizen API shows it to its owner: the public facts, the history
/// (who: the applicant or the agency, never an officer's account), the documents (reused ones
/// marked), what the applicant may do now.
struct CitizenDossierView: Encodable {
    /// One row of a list.
    struct Summary: Encodable {
        let code: String
        let procedureCode: String
        let agency: String
        let status: DossierStatus
        let portalStatus: Int
        let submittedAt: Date
        let receivedAt: Date?
        let dueAt: Date?
        let returnedAt: Date?
        let feeAmount: Int
        let feePaid: Bool

        init(_ s: DossierState) {
            code = s.code
            procedureCode = s.procedureCode
            agency = s.agencyCode
            status = s.status
            portalStatus = s.status.portalCode
            submittedAt = s.submittedAt
            receivedAt = s.receivedAt
            dueAt = s.apologyNewDue ?? s.dueAt
            returnedAt = s.returnedAt
            feeAmount = s.feeAmount
            feePaid = s.feePaid
        }
    }

    struct Event: Encodable {
        let action: String
        let to: DossierStatus
        let at: Date
        let byApplicant: Bool
        let note: String?
    }

    struct Document: Encodable {
        let id: String
        let component: String
        let name: String
        let contentType: String
        let size: Int
        let sha256: String
        let reused: Bool
    }

    let dossier: Summary
    let caseCode: String
    let history: [Event]
    let documents: [Document]
    let pendingSupplement: [Document]
    let supplementRequested: [String]?
    let trackingSecret: String
    let postalAddress: String?
    let resultAvailable: Bool
    let allowedActions: [String]

    init(_ o: OwnedDossier) {
        let s = o.state
        func doc(_ d: AttachedDocument) -> Document {
            Document(id: d.document.id, component: d.component, name: d.document.name, contentType: d.document.contentType, size: d.document.size,
                     sha256: d.document.sha256, reused: d.reused)
        }
        dossier = Summary(s)
        caseCode = s.caseCode
        history = o.history.map { Event(action: $0.action, to: $0.to, at: $0.at, byApplicant: $0.byApplicant == true, note: $0.note) }
        documents = o.documents.map(doc)
        pendingSupplement = o.pendingSupplement.map(doc)
        supplementRequested = s.status == .supplementRequested ? s.supplementRequests?.last.map { $0.request.components + [$0.request.other].compactMap { $0 } } : nil
        trackingSecret = o.trackingSecret
        postalAddress = o.postalAddress
        resultAvailable = [.finished, .returned].contains(s.status) && s.resultElectronic && s.resultFile != nil
        allowedActions = Workflow.applicantActions(s)
    }
}
