import Foundation

/// Who acts on a dossier.
public struct Actor: Hashable, Sendable, Codable {
    public var username: String
    public var role: StaffRole
    public var agencyCode: String

    public init(username: String, role: StaffRole, agencyCode: String) {
        self.username = username
        self.role = role
        self.agencyCode = agencyCode
    }
}

/// An action on a dossier. `name` is the identifier used by the API.
public enum DossierAction: Hashable, Sendable {
    case receive
    /// Asks the applicant for missing papers (Mẫu 02): named components of the case, and something
    /// else only with its legal basis.
    case requestSupplement(SupplementRequest)
    case supplementProvided
    case refuse(reason: String)
    /// Completes the current step (reception, specialist) and hands over to the next one.
    case transfer(note: String?)
    case sendBack(reason: String)
    /// Completes a leader's step.
    case approve(note: String?)
    /// Completes the clerk's step, numbering the result.
    case issue(number: String)
    case recordResult(electronic: Bool, file: String?)
    case returnResult
    case withdraw(reason: String)
    case stop(reason: String)
    /// Asks for fees (status 6). On a case without fees for the channel a reason is required.
    case requireFee(amount: Int, reason: String?)
    case payFee
    /// Apology with a new appointment (Mẫu 04).
    case apologize(newDue: Date, reason: String)

    /// The kind of action (its wire name, label and needs).
    public var kind: ActionKind {
        switch self {
        case .receive: .receive
        case .requestSupplement: .requestSupplement
        case .supplementProvided: .supplementProvided
        case .refuse: .refuse
        case .transfer: .transfer
        case .sendBack: .sendBack
        case .approve: .approve
        case .issue: .issue
        case .recordResult: .recordResult
        case .returnResult: .returnResult
        case .withdraw: .withdraw
        case .stop: .stop
        case .requireFee: .requireFee
        case .payFee: .payFee
        case .apologize: .apologize
        }
    }

    /// The name used by the API, the forms and the history.
    public var name: String { kind.rawValue }

    /// Every action name, for errors and documentation.
    public static var allNames: [String] { ActionKind.allCases.map(\.rawValue) }

    public var label: String { kind.label }

    /// The Vietnamese label of an action name (also "submit", the first row of a history).
    public static func label(forName name: String) -> String { ActionKind.label(forName: name) }
}

/// A refused action, with a stable code and the actions that are allowed instead.
public struct WorkflowRejection: Error, Hashable, Sendable {
    public enum Code: String, Sendable {
        case notAllowed = "action_not_allowed"
        case wrongRole = "role_not_allowed"
        case wrongAgency = "agency_not_allowed"
        case supplementOnce = "supplement_only_once"
        case apologyRequired = "apology_required"
        case resultMissing = "result_missing"
        /// The action's own input is incomplete or wrong (the specific codes below).
        case reasonRequired = "reason_required"
        case numberRequired = "number_required"
        case amountInvalid = "amount_invalid"
        case feeReasonRequired = "fee_reason_required"
        case supplementEmpty = "supplement_empty"
        case supplementUnpublished = "supplement_unpublished_component"
        case supplementOtherWithoutBasis = "supplement_other_without_legal_basis"
        case appointmentInvalid = "new_appointment_invalid"

        /// Whether the refusal is about the action's input (not about who acts or when).
        public var isInputProblem: Bool {
            [.reasonRequired, .numberRequired, .amountInvalid, .feeReasonRequired, .supplementEmpty, .supplementUnpublished,
             .supplementOtherWithoutBasis, .appointmentInvalid].contains(self)
        }
    }
    public let code: Code
    public let message: String
    public let allowed: [String]
}

/// Something the shell must do in the same transaction as a transition.
public enum WorkflowEffect: Hashable, Sendable, Codable {
    /// The dossier counts as received now (indicator counters).
    case received
    /// Processing ended (indicator 2.1) with this timeliness (nil: never received, not counted).
    case processingEnded(Timeliness?)
    /// Queue a message to the applicant (online applicants: e-mail/SMS).
    case notifyApplicant(form: String, message: String)
}

/// One row of the control sheet (phiếu kiểm soát): who did what, when, and how the step went.
public struct Transition: Hashable, Sendable, Codable {
    public var action: String
    public var from: DossierStatus
    public var to: DossierStatus
    public var actor: String
    public var actorRole: StaffRole
    public var agencyCode: String
    public var at: Date
    public var note: String?
    public var stepName: String?
    public var stepDueAt: Date?
    public var stepTimeliness: Timeliness?
    public var effects: [WorkflowEffect]
    /// Done by the applicant on the portal (an online submission, supplement or withdrawal); nil:
    /// by staff. `actor` is then `citizen:<account id>` and `actorRole` the receiving desk's.
    public var byApplicant: Bool? = nil
}

/// What the workflow rules need to know about the procedure case and the calendar.
public struct WorkflowContext: Sendable {
    public var steps: [WorkflowStep]
    /// The case's time limit for the dossier's channel; nil when the case has no due date.
    public var limit: TimeLimit?
    public var deadlines: DeadlineCalculator
    /// The fees the catalog lists for the case's channel, in VND (0: none).
    public var listedFees: Int
    /// The names of the case's published components (what a supplement may ask for).
    public var components: [String]

    /// The step that produces the result: the last step that is not reception's (the clerk who
    /// issues it, or the leader who signs it). The owner of its role at the receiving unit records
    /// the result (a liên thông partner only completes its own step); a workflow of reception
    /// steps only has its result recorded by reception.
    public var resultStepIndex: Int? { steps.lastIndex { $0.role != .reception } }

    /// Whether `actor`'s role records the result (an agency leader may act for a department leader).
    public func ownsResult(_ actor: Actor) -> Bool {
        guard let r = resultStepIndex else { return actor.role == .reception }
        return Workflow.ownsStep(actor, steps[r])
    }

    public init(steps: [WorkflowStep], limit: TimeLimit?, deadlines: DeadlineCalculator, listedFees: Int = 0, components: [String] = []) {
        self.steps = steps
        self.limit = limit
        self.deadlines = deadlines
        self.listedFees = listedFees
        self.components = components
    }

    /// The context of a dossier of `procedure`, case `caseCode`, on `channel`.
    public init?(procedure: Procedure, caseCode: String, channel: Channel, deadlines: DeadlineCalculator) {
        guard let c = procedure.procedureCase(caseCode) else { return nil }
        self.init(steps: c.workflow, limit: c.noDueDate ? nil : c.limit(for: channel), deadlines: deadlines,
                  listedFees: procedure.totalFees(for: channel), components: c.components.map(\.name))
    }
}

extension Transition {
    /// The first row of a dossier's history: its submission.
    public static func submission(of s: DossierState, by actor: Actor, at: Date) -> Transition {
        Transition(action: "submit", from: .submitted, to: .submitted, actor: actor.username, actorRole: actor.role,
                   agencyCode: actor.agencyCode, at: at, note: s.note, stepName: nil, stepDueAt: nil, stepTimeliness: nil, effects: [])
    }
}

/// What a supplement request asks for (Mẫu 02). Only components published for the case may be
/// asked for (papers outside the published procedure may not be asked for); an "other" line needs
/// the legal basis that allows it.
public struct SupplementRequest: Hashable, Sendable, Codable {
    public var components: [String]
    public var other: String?
    public var legalBasis: String?
    /// Free text added to the request (how to supplement, where).
    public var note: String?

    public init(components: [String], other: String? = nil, legalBasis: String? = nil, note: String? = nil) {
        self.components = components
        self.other = other
        self.legalBasis = legalBasis
        self.note = note
    }

    /// Why the request cannot be made, or nil.
    public enum Problem: String, Sendable {
        case empty = "supplement_empty"
        case unpublishedComponent = "supplement_unpublished_component"
        case otherWithoutLegalBasis = "supplement_other_without_legal_basis"
    }

    public func problem(published: [String]) -> Problem? {
        let other = other?.trimmed ?? ""
        if components.isEmpty && other.isEmpty { return .empty }
        if components.contains(where: { !published.contains($0) }) { return .unpublishedComponent }
        if !other.isEmpty && (legalBasis?.trimmed ?? "").isEmpty { return .otherWithoutLegalBasis }
        return nil
    }

    /// One line for the history and the applicant's notification.
    public var summary: String {
        var items = components
        if let o = other?.trimmed, !o.isEmpty { items.append(o + (legalBasis.map { " (căn cứ: \($0))" } ?? "")) }
        return items.joined(separator: "; ") + (note.map { $0.trimmed.isEmpty ? "" : ". \($0)" } ?? "")
    }
}
