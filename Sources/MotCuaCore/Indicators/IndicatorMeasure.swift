/// The counters kept per agency, day, procedure and channel, written in the same transaction as the
/// event that changes them (`IndicatorBookings`), stored under these names. Every counter is booked
/// on the local day of the event that makes it true, so the sums over a past period are fixed by
/// the events up to its end: a later event adds to a later day, never to a closed one.
public enum IndicatorMeasure: String, Sendable, Hashable, CaseIterable {
    /// Received (tiếp nhận), on the day of receipt.
    case received
    /// Received through the online channel (kênh 2).
    case receivedOnline = "received_online"
    /// Counted online for 3.3: an online dossier whose procedure's result is not on paper, at
    /// receipt; an online dossier of a paper-result procedure when its result is returned with an
    /// electronic result (code + file).
    case onlineCounted = "online_counted"
    /// Received dossiers whose processing ended (2.1), by timeliness, on the day it ended.
    case endedEarly = "ended_early"
    case endedOnTime = "ended_on_time"
    case endedLate = "ended_late"
    /// Working seconds from receipt to the end of processing, supplement waits removed (2.2).
    case endedSeconds = "ended_seconds"
    /// Results returned (trả kết quả), on the day of return.
    case returned
    /// Returned dossiers of procedures that issue a paper result (4.1 denominator) and, of those,
    /// with an electronic result (4.1 numerator).
    case returnedPaperResult = "returned_paper_result"
    case returnedElectronicResult = "returned_e_result"
    /// Returned with every input component and the result as files (4.2).
    case returnedDigitised = "returned_digitised"
    /// Digitised and shared to the owner's data store for reuse (4.4).
    case returnedShared = "returned_shared"
    /// Received reusing a document from the citizen's data store (4.3).
    case receivedReused = "received_reused"
    /// Received, of a procedure for citizens (4.5 denominator), and of those with population data
    /// used: an e-identified (VNeID) account or data from the store (4.5 numerator).
    case receivedForCitizens = "received_for_citizens"
    case receivedPopulationData = "received_population_data"
    /// Fees paid (a non-zero fee), and paid online through the gateway (3.6), on the payment day.
    case feePaid = "fee_paid"
    case feePaidOnline = "fee_paid_online"
    /// Ratings given by applicants, and "not satisfied" ones (5.4), on the rating day.
    case rated
    case ratedDissatisfied = "rated_dissatisfied"

    /// The counter of dossiers that ended with `timeliness`.
    public static func ended(_ timeliness: Timeliness) -> IndicatorMeasure {
        switch timeliness {
        case .early: .endedEarly
        case .onTime: .endedOnTime
        case .late: .endedLate
        }
    }
}

/// Sums of the counters over a scope and a period, by measure.
public struct CounterSums: Hashable, Sendable {
    public var values: [IndicatorMeasure: Int]

    public init(_ values: [IndicatorMeasure: Int] = [:]) { self.values = values }

    public subscript(_ m: IndicatorMeasure) -> Int {
        get { values[m] ?? 0 }
        set { values[m] = newValue }
    }

    /// Dossiers whose processing ended in the period.
    public var ended: Int { self[.endedEarly] + self[.endedOnTime] + self[.endedLate] }
}
