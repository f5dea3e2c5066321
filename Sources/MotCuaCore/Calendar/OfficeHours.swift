import Foundation

/// An agency's office hours: the intervals of a working day during which time counts, in seconds
/// after local midnight (Asia/Ho_Chi_Minh), and the same-day cut-off.
public struct OfficeHours: Hashable, Sendable, Codable {
    /// A half-open stretch of a day, in seconds after local midnight.
    public struct Interval: Hashable, Sendable, Codable {
        public let start: Int
        public let end: Int
        public init(start: Int, end: Int) {
            self.start = start
            self.end = end
        }
        public var length: Int { end - start }
    }

    public let intervals: [Interval]
    /// Dossiers of same-day procedures received after this second of the day are due the next
    /// working day.
    public let sameDayCutoff: Int

    /// 07:00–11:30 and 13:30–17:00, cut-off 15:00: the common practice.
    public static let standard = OfficeHours(
        intervals: [Interval(start: 7 * 3600, end: 11 * 3600 + 1800), Interval(start: 13 * 3600 + 1800, end: 17 * 3600)],
        sameDayCutoff: 15 * 3600)!

    /// Nil when intervals are empty, unordered, overlapping or outside the day, or the cut-off is
    /// outside office hours' span.
    public init?(intervals: [Interval], sameDayCutoff: Int) {
        guard !intervals.isEmpty else { return nil }
        var previousEnd = 0
        for i in intervals {
            guard i.start >= previousEnd, i.end > i.start, i.end <= 86400 else { return nil }
            previousEnd = i.end
        }
        guard sameDayCutoff >= intervals[0].start, sameDayCutoff <= previousEnd else { return nil }
        self.intervals = intervals
        self.sameDayCutoff = sameDayCutoff
    }

    /// Parses `"07:00-11:30,13:30-17:00"`.
    public static func parse(_ text: String, cutoff: String = "15:00") -> OfficeHours? {
        func seconds(_ hhmm: Substring) -> Int? {
            let p = hhmm.trimmingCharacters(in: .whitespaces).split(separator: ":")
            guard p.count == 2, let h = Int(p[0]), let m = Int(p[1]), (0...24).contains(h), (0...59).contains(m) else { return nil }
            return h * 3600 + m * 60
        }
        var intervals: [Interval] = []
        for part in text.split(separator: ",") {
            let ends = part.split(separator: "-")
            guard ends.count == 2, let s = seconds(ends[0]), let e = seconds(ends[1]) else { return nil }
            intervals.append(Interval(start: s, end: e))
        }
        guard let c = seconds(Substring(cutoff)) else { return nil }
        return OfficeHours(intervals: intervals, sameDayCutoff: c)
    }

    /// Seconds of office time in a working day (8 hours for the standard hours).
    public var secondsPerDay: Int { intervals.reduce(0) { $0 + $1.length } }
    public var opening: Int { intervals[0].start }
    public var closing: Int { intervals[intervals.count - 1].end }

    /// Office seconds between two moments of the same working day.
    func officeSeconds(from: Int, to: Int) -> Int {
        var total = 0
        for i in intervals {
            let s = max(from, i.start), e = min(to, i.end)
            if e > s { total += e - s }
        }
        return total
    }
}
