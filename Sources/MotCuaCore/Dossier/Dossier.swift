import Foundation

/// An applicant: a person (12-digit citizen ID) or an organisation.
public struct Applicant: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable { case person, organisation }
    public var kind: Kind
    public var name: String
    /// Số định danh cá nhân (12 digits) for a person; tax or registration code for an organisation.
    public var idNumber: String
    public var address: String?
    public var phone: String?
    public var email: String?

    public init(kind: Kind, name: String, idNumber: String, address: String? = nil, phone: String? = nil, email: String? = nil) {
        self.kind = kind
        self.name = name
        self.idNumber = idNumber
        self.address = address
        self.phone = phone
        self.email = email
    }
}

/// A document received with the dossier: which component, in what form, how many.
public struct ReceivedDocument: Hashable, Sendable, Codable {
    public enum Form: String, Hashable, Sendable, Codable, CaseIterable {
        case original, certifiedCopy = "certified-copy", photocopy, electronic

        public var label: String {
            switch self {
            case .original: "Bản chính"
            case .certifiedCopy: "Bản sao có chứng thực"
            case .photocopy: "Bản photocopy"
            case .electronic: "Bản điện tử"
            }
        }
    }
    public var component: String
    public var form: Form
    public var count: Int
    public var file: String?
    /// Taken from the applicant's data store (a document already held) instead of a new upload
    /// (indicator 4.3); nil: not reused.
    public var reused: Bool?

    public init(component: String, form: Form, count: Int, file: String? = nil, reused: Bool? = nil) {
        self.component = component
        self.form = form
        self.count = count
        self.file = file
        self.reused = reused
    }
}

/// The state of a dossier that the workflow rules need: everything is a value, no I/O.
public struct DossierState: Hashable, Sendable, Codable {
    public var code: String
    /// The one-stop unit that received it and stays responsible.
    public var agencyCode: String
    public var procedureCode: String
    public var procedureVersion: Int
    public var caseCode: String
    public var channel: Channel
    public var applicant: Applicant
    public var documents: [ReceivedDocument]
    public var note: String?
    public var status: DossierStatus
    public var submittedAt: Date
    public var receivedAt: Date?
    /// The appointment (ngày hẹn trả), moved by supplement pauses.
    public var dueAt: Date?
    /// Index of the current workflow step.
    public var stepIndex: Int
    public var stepStartedAt: Date?
    public var stepDueAt: Date?
    /// The agency handling the current step (differs from `agencyCode` in a liên thông step).
    public var handlingAgency: String
    /// Supplement requests during processing (at most one; more than one makes the dossier late).
    public var supplementCount: Int
    /// Guidance requests at the counter before receipt (Mẫu 02 for incomplete papers): they neither
    /// use up the supplement allowed during processing nor count toward lateness. Nil: none.
    public var guidanceCount: Int?
    public var supplementRequestedAt: Date?
    /// Every supplement or guidance request with what it asked for, oldest first (nil: none).
    public var supplementRequests: [SupplementRecord]?
    /// Working seconds spent waiting for supplements, in total.
    public var pausedSeconds: Int
    /// The latest apology and its new appointment (Mẫu 04).
    public var apologyAt: Date?
    public var apologyNewDue: Date?
    /// Every apology, oldest first (nil: none). One made after the appointment is marked late and
    /// counts as missing for the target "late dossiers apologised for in time".
    public var apologies: [Apology]?
    public var resultNumber: String?
    public var resultElectronic: Bool
    public var resultFile: String?
    /// When the result was recorded (`record-result`); a numbered result (`issue`) counts too.
    public var resultRecordedAt: Date?
    /// End of processing (first terminal-for-2.1 state), and its timeliness.
    public var processingEndedAt: Date?
    public var timeliness: Timeliness?
    public var returnedAt: Date?
    public var feeAmount: Int
    public var feePaid: Bool
    /// Paid through the payment gateway (indicator 3.6); nil or false: at the counter or unpaid.
    public var feePaidOnline: Bool? = nil
    /// Status to go back to when fees are paid or a supplement arrives.
    public var resumeStatus: DossierStatus?
    /// Optimistic concurrency: increases with every transition.
    public var version: Int
    /// Facts for the indicators, fixed when the dossier is opened or received (nil in dossiers
    /// stored before they existed): the procedure issues a paper result (4.1, 3.3), it serves
    /// citizens (4.5), the applicant's account is e-identified with VNeID (4.5), a document was
    /// reused from the data store at receipt (4.3).
    public var resultOnPaper: Bool? = nil
    public var targetsCitizens: Bool? = nil
    public var applicantEIdentified: Bool? = nil
    public var reusedAtReceipt: Bool? = nil
    /// Working seconds from receipt to the end of processing with supplement waits removed (2.2).
    public var processingSeconds: Int? = nil
}

extension DossierState {
    /// Late: processing ended late, or still open after its appointment. A dossier waiting for a
    /// supplement has its clock stopped and is never late meanwhile.
    public func isLate(at now: Date) -> Bool {
        if timeliness == .late { return true }
        guard receivedAt != nil, !status.endsProcessing, status != .supplementRequested, let due = dueAt else { return false }
        return now > due
    }

    /// Whether a result exists to return: recorded, or numbered by the clerk.
    public var hasResult: Bool { resultRecordedAt != nil || resultNumber != nil }

    /// Whether returning the result needs an apology first (Mẫu 04): processing ended after the
    /// appointment, or it is still open past it. A result finished on time and collected later
    /// needs none.
    public func needsApologyBeforeReturn(at now: Date) -> Bool {
        guard apologyAt == nil else { return false }
        if processingEndedAt != nil { return timeliness == .late }
        return isLate(at: now)
    }

    /// Due soon: still open, not late, and the appointment is at most `workingDays` working days away.
    public func isDueSoon(at now: Date, deadlines: DeadlineCalculator, workingDays: Int) -> Bool {
        guard receivedAt != nil, !status.endsProcessing, !isLate(at: now), let due = dueAt else { return false }
        return deadlines.isDueSoon(due: due, now: now, workingDays: workingDays)
    }
}

/// An apology with a new appointment (Mẫu 04), kept in the dossier's state.
public struct Apology: Hashable, Sendable, Codable {
    public var at: Date
    public var newDue: Date
    public var reason: String
    public var by: String
    /// Made after the appointment had passed.
    public var late: Bool

    public init(at: Date, newDue: Date, reason: String, by: String, late: Bool) {
        self.at = at
        self.newDue = newDue
        self.reason = reason
        self.by = by
        self.late = late
    }
}

extension DossierState {
    /// Late (ended late, or open past the appointment) and apologised for before the appointment
    /// passed: the seeds' "late dossiers apologised for in time". Nil when the dossier is not late.
    public func apologisedInTime(at now: Date) -> Bool? {
        guard isLate(at: now) else { return nil }
        return (apologies ?? []).contains { !$0.late }
    }
}

/// A supplement (or, before receipt, guidance) request as made: when, by whom, what.
public struct SupplementRecord: Hashable, Sendable, Codable {
    public var at: Date
    public var by: String
    public var request: SupplementRequest
    /// Guidance at the counter before receipt.
    public var beforeReceipt: Bool

    public init(at: Date, by: String, request: SupplementRequest, beforeReceipt: Bool) {
        self.at = at
        self.by = by
        self.request = request
        self.beforeReceipt = beforeReceipt
    }
}
