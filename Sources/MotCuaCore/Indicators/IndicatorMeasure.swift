/// The counters kept per agency, day, procedure and channel in the same transaction as the event, stored under these
/// names: dossiers received, received online, and dossiers whose processing ended early, on time or
/// late.
public enum IndicatorMeasure: String, Sendable, Hashable, CaseIterable {
    case received
    case receivedOnline = "received_online"
    case endedEarly = "ended_early"
    case endedOnTime = "ended_on_time"
    case endedLate = "ended_late"

    /// The counter of dossiers that ended with `timeliness`.
    public static func ended(_ timeliness: Timeliness) -> IndicatorMeasure {
        switch timeliness {
        case .early: .endedEarly
        case .onTime: .endedOnTime
        case .late: .endedLate
        }
    }
}
