import Foundation

/// The unit of a procedure's time limit.
public enum TimeLimitUnit: String, Hashable, Sendable, Codable, CaseIterable {
    case workingDays, calendarDays, workingHours
    /// "Trong ngày": received on a working day before the agency's cut-off (15:00 by default) → the
    /// close of that day; otherwise the close of the next working day (civil-status registrations
    /// under the Law on Civil Status 2014 and its decrees).
    case sameDay
}

/// A time limit such as "10 working days" or "4 working hours".
public struct TimeLimit: Hashable, Sendable, Codable {
    public let amount: Int
    public let unit: TimeLimitUnit
    public init(amount: Int, unit: TimeLimitUnit) {
        self.amount = amount
        self.unit = unit
    }
}

/// How a finished step or dossier compares with its due instant.
public enum Timeliness: String, Hashable, Sendable, Codable {
    /// trước hạn: finished on a date before the due date.
    case early
    /// đúng hạn: finished on the due date, not after the due instant.
    case onTime
    /// trễ hạn: finished after the due instant.
    case late

    /// Vietnamese label.
    public var label: String {
        switch self {
        case .early: "Trước hạn"
        case .onTime: "Đúng hạn"
        case .late: "Trễ hạn"
        }
    }
}

/// Deadline arithmetic in working time: the rules of the one-stop regulations (office hours, working days, same-day cut-off) over a `WorkingCalendar` and an
/// agency's `OfficeHours`. Instants are UTC; days are those of Asia/Ho_Chi_Minh (UTC+7, no DST).
public struct DeadlineCalculator: Sendable {
    public let calendar: WorkingCalendar
    public let hours: OfficeHours
    /// One working day of a time limit counts as this many working seconds (8 hours).
    public static let secondsPerWorkingDay = 8 * 3600
    /// Offset of Vietnam's time from UTC.
    public static let utcOffset = 7 * 3600

    public init(calendar: WorkingCalendar, hours: OfficeHours = .standard) {
        self.calendar = calendar
        self.hours = hours
    }

    // MARK: Local time

    /// Local (UTC+7) day as a JDN and second of that day, for a UTC instant in whole seconds.
    @inline(__always)
    static func local(_ t: Int) -> (day: Int, second: Int) {
        let l = t + utcOffset
        let d = Int((Double(l) / 86400).rounded(.down))
        return (d + CivilDate.unixEpochJDN, l - d * 86400)
    }

    @inline(__always)
    static func instant(day: Int, second: Int) -> Int {
        (day - CivilDate.unixEpochJDN) * 86400 + second - utcOffset
    }

    /// The instant a local (Vietnamese) date begins (00:00 UTC+7).
    public static func startOfDay(_ date: CivilDate) -> Date {
        Date(timeIntervalSince1970: TimeInterval(instant(day: date.julianDay, second: 0)))
    }

    /// The local (Vietnamese) date of an instant.
    public static func localDate(of instant: Date) -> CivilDate {
        CivilDate(julianDay: local(Int(instant.timeIntervalSince1970.rounded(.down))).day)
    }

    // MARK: Rules

    /// The due instant of a time limit counted from a receipt instant.
    ///
    /// Working days and hours: the moment when the limit's working time (N × 8 h) has elapsed,
    /// counting only office hours of working days from the receipt (a receipt outside office hours
    /// starts at the next opening). Calendar days: the close of the N-th day after the receipt date,
    /// moved to the next working day's close when that day is off.
    public func due(from receipt: Date, limit: TimeLimit) -> Date {
        let t = Int(receipt.timeIntervalSince1970.rounded(.down))
        switch limit.unit {
        case .workingDays:
            return Date(timeIntervalSince1970: TimeInterval(addWorkingSeconds(limit.amount * Self.secondsPerWorkingDay, to: t)))
        case .workingHours:
            return Date(timeIntervalSince1970: TimeInterval(addWorkingSeconds(limit.amount * 3600, to: t)))
        case .sameDay:
            return sameDayDue(receivedAt: receipt)
        case .calendarDays:
            var day = Self.local(t).day + limit.amount
            while !calendar.isWorking(julianDay: day) { day += 1 }
            return Date(timeIntervalSince1970: TimeInterval(Self.instant(day: day, second: hours.closing)))
        }
    }

    /// Due instant of a same-day procedure: the close of the receipt day when received on a working
    /// day before the cut-off, otherwise the close of the next working day.
    public func sameDayDue(receivedAt receipt: Date) -> Date {
        let (day, second) = Self.local(Int(receipt.timeIntervalSince1970.rounded(.down)))
        var d = day
        if !calendar.isWorking(julianDay: d) || second > hours.sameDayCutoff {
            d += 1
            while !calendar.isWorking(julianDay: d) { d += 1 }
        }
        return Date(timeIntervalSince1970: TimeInterval(Self.instant(day: d, second: hours.closing)))
    }

    /// The instant when `seconds` of working time have elapsed after `start` (whole seconds, UTC).
    public func addWorkingSeconds(_ seconds: Int, to start: Int) -> Int {
        guard seconds > 0 else { return start }
        var (day, sod) = Self.local(start)
        var remaining = seconds
        let perDay = hours.secondsPerDay
        while true {
            if calendar.isWorking(julianDay: day) {
                for i in hours.intervals where i.end > sod {
                    let s = max(sod, i.start)
                    let available = i.end - s
                    if remaining <= available { return Self.instant(day: day, second: s + remaining) }
                    remaining -= available
                }
            }
            day += 1
            sod = 0
            if remaining > perDay {
                let skip = (remaining - 1) / perDay
                day = calendar.dayAfter(workingDays: skip, from: day)
                remaining -= skip * perDay
            }
        }
    }

    /// Working seconds between two instants (0 when `to` is not after `from`).
    public func workingSeconds(from: Date, to: Date) -> Int {
        workingSeconds(from: Int(from.timeIntervalSince1970.rounded(.down)), to: Int(to.timeIntervalSince1970.rounded(.down)))
    }

    public func workingSeconds(from a: Int, to b: Int) -> Int {
        guard b > a else { return 0 }
        let (d1, s1) = Self.local(a), (d2, s2) = Self.local(b)
        if d1 == d2 {
            return calendar.isWorking(julianDay: d1) ? hours.officeSeconds(from: s1, to: s2) : 0
        }
        var total = calendar.isWorking(julianDay: d1) ? hours.officeSeconds(from: s1, to: 86400) : 0
        total += calendar.workingDays(fromJulianDay: d1 + 1, to: d2) * hours.secondsPerDay
        if calendar.isWorking(julianDay: d2) { total += hours.officeSeconds(from: 0, to: s2) }
        return total
    }

    /// Early when finished on a date before the due date, on time up to the due instant, else late.
    public static func classify(end: Date, due: Date) -> Timeliness {
        if end > due { return .late }
        return localDate(of: end) < localDate(of: due) ? .early : .onTime
    }

    /// True when `due` is still ahead of `now` by at most `workingDays` working days.
    public func isDueSoon(due: Date, now: Date, workingDays: Int) -> Bool {
        guard due >= now else { return false }
        return workingSeconds(from: now, to: due) <= workingDays * Self.secondsPerWorkingDay
    }

    /// The instant before which a due instant counts as due soon, to the second: for a due instant
    /// in whole seconds, `isDueSoon(due:now:workingDays:)` ⇔ `now ≤ due < dueSoonLimit(now:workingDays:)`.
    /// Lets a query count the dossiers due soon without computing working time per row.
    public func dueSoonLimit(now: Date, workingDays: Int) -> Date {
        let start = Int(now.timeIntervalSince1970.rounded(.down))
        return Date(timeIntervalSince1970: TimeInterval(addWorkingSeconds(max(0, workingDays * Self.secondsPerWorkingDay) + 1, to: start)))
    }
}
