import MotCuaCore

/// Why a dossier operation was refused; the web layer maps each case to a status and a stable code.
public enum DossierError: Error, Sendable {
    case notFound
    /// The request's `version` is stale: the dossier is now at `current`.
    case versionConflict(current: Int)
    case rejected(WorkflowRejection)
    /// The same Idempotency-Key was used with another request body.
    case idempotencyMismatch
    case invalid([String])
}
