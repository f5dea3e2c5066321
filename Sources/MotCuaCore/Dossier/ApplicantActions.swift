import Foundation

/// What the applicant may do to their own online dossier from the portal (pure):
/// - provide the supplement asked for (Mẫu 02) while the dossier waits for it — the clock resumes;
/// - withdraw it before it is received.
/// Everything else stays with the one-stop desk. Ownership is checked by the shell (the dossier
/// belongs to the account); these rules decide by the dossier's state alone.
extension Workflow {
    /// The actor recorded for an applicant's action: `citizen:<account id>` at the receiving unit.
    /// The role is the desk's (reception), whose clock and queue the action affects; the
    /// transition is marked `byApplicant`.
    public static func applicantActor(accountID: String, dossier s: DossierState) -> Actor {
        Actor(username: "citizen:\(accountID)", role: .reception, agencyCode: s.agencyCode)
    }

    /// The actions the owner of an online dossier may take now, by name.
    public static func applicantActions(_ s: DossierState) -> [String] {
        guard s.channel == .online else { return [] }
        switch s.status {
        case .supplementRequested: return [ActionKind.supplementProvided.rawValue]
        case .submitted: return [ActionKind.withdraw.rawValue]
        default: return []
        }
    }

    /// A supplement sent online must carry at least one document prepared for it.
    public static func supplementIsReady(preparedDocuments: Int) -> Bool { preparedDocuments > 0 }

    /// Applies an applicant's action, or refuses it with the allowed list.
    public static func applyByApplicant(_ state: DossierState, _ action: DossierAction, accountID: String, now: Date,
                                        context: WorkflowContext) -> Result<(DossierState, Transition), WorkflowRejection> {
        let allowed = applicantActions(state)
        guard allowed.contains(action.name) else {
            return .failure(WorkflowRejection(code: .notAllowed, message: "the applicant may not \(action.name) while the dossier is \(state.status.rawValue)",
                                              allowed: allowed))
        }
        if case .withdraw(let reason) = action, reason.trimmed.isEmpty {
            return .failure(WorkflowRejection(code: .reasonRequired, message: "reason is required", allowed: allowed))
        }
        return perform(state, action, actor: applicantActor(accountID: accountID, dossier: state), now: now, context: context,
                       allowed: allowed, byApplicant: true)
    }

    /// The submission row of an online dossier, made by its applicant.
    public static func onlineSubmission(of s: DossierState, accountID: String, at: Date) -> Transition {
        var t = Transition.submission(of: s, by: applicantActor(accountID: accountID, dossier: s), at: at)
        t.byApplicant = true
        return t
    }
}
