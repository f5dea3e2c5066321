import Foundation

/// The part of a dossier's state that decides whether, while open, it counts as on time for 2.1
/// at some instant: the appointment, the supplement requests during processing, and since when it
/// waits for a supplement (instants as Unix seconds, as stored).
public struct IndicatorHotState: Hashable, Sendable {
    public var dueAt: Int?
    public var supplementCount: Int
    public var waitingSince: Int?

    public init(dueAt: Int?, supplementCount: Int, waitingSince: Int?) {
        self.dueAt = dueAt
        self.supplementCount = supplementCount
        self.waitingSince = waitingSince
    }

    public init(_ s: DossierState) {
        dueAt = s.dueAt.map { Int($0.timeIntervalSince1970) }
        supplementCount = s.supplementCount
        waitingSince = s.status == .supplementRequested && s.receivedAt != nil ? s.supplementRequestedAt.map { Int($0.timeIntervalSince1970) } : nil
    }

    /// Late at instant `end` (2.1's rule for an open dossier, see `Indicators.isOnTime`).
    public func isLate(at end: Int) -> Bool {
        if supplementCount > 1 { return true }
        guard let due = dueAt else { return false }
        return (waitingSince ?? end) > due
    }
}

/// The key the open set is counted by.
public struct CounterKey: Hashable, Sendable, Comparable {
    public var agencyCode: String
    public var procedureCode: String
    public var channel: String

    public init(agencyCode: String, procedureCode: String, channel: String) {
        self.agencyCode = agencyCode
        self.procedureCode = procedureCode
        self.channel = channel
    }

    public static func < (a: CounterKey, b: CounterKey) -> Bool {
        (a.agencyCode, a.procedureCode, a.channel) < (b.agencyCode, b.procedureCode, b.channel)
    }
}

/// Accumulates, from dossiers' histories, the open set at the end of every day (pure): the
/// rebuild and the demo generator use it; the day-close job computes the same from the store.
public struct OpenSetHistory: Sendable {
    public struct DayKey: Hashable, Sendable {
        public var day: CivilDate
        public var key: CounterKey
        public init(day: CivilDate, key: CounterKey) {
            self.day = day
            self.key = key
        }
    }
    public private(set) var days: [DayKey: OpenCounts] = [:]
    /// Only days in [firstDay, lastDay] are kept (lastDay: the last closed day).
    public let firstDay: CivilDate
    public let lastDay: CivilDate

    public init(firstDay: CivilDate, lastDay: CivilDate) {
        self.firstDay = firstDay
        self.lastDay = lastDay
    }

    /// The end of local day `d` (23:59:59 in Asia/Ho_Chi_Minh), in Unix seconds.
    public static func endOfDay(_ d: CivilDate) -> Int {
        (d.julianDay + 1 - CivilDate.unixEpochJDN) * 86_400 - DeadlineCalculator.utcOffset - 1
    }

    /// Adds one dossier: received at `receivedAt`, processing ended at `endedAt` (nil: still
    /// open), with the hot state after each of its events (`events`, oldest first).
    public mutating func add(key: CounterKey, receivedAt: Int, endedAt: Int?, events: [(at: Int, hot: IndicatorHotState)]) {
        let received = DeadlineCalculator.localDate(of: Date(timeIntervalSince1970: TimeInterval(receivedAt)))
        var day = max(received.julianDay, firstDay.julianDay)
        var lastIndex = -1
        while day <= lastDay.julianDay {
            let date = CivilDate(julianDay: day)
            let end = Self.endOfDay(date)
            if let e = endedAt, e <= end { break }
            if receivedAt <= end {
                while lastIndex + 1 < events.count && events[lastIndex + 1].at <= end { lastIndex += 1 }
                if lastIndex >= 0 {
                    let late = events[lastIndex].hot.isLate(at: end)
                    days[DayKey(day: date, key: key), default: OpenCounts()] = days[DayKey(day: date, key: key), default: OpenCounts()]
                        + OpenCounts(onTime: late ? 0 : 1, late: late ? 1 : 0)
                }
            }
            day += 1
        }
    }
}
