/// Whether a date is a working day, and why.
public struct DayStatus: Hashable, Sendable, Codable {
    public let date: CivilDate
    public let working: Bool
    public let reason: String
}

/// Which dates are working days in Vietnam, for every date of a range of years.
///
/// Built once from the default rules (`HolidayRules`) and the official schedules that override them
/// year by year; then every question is an array lookup, and counting working days between two dates
/// is a subtraction of prefix sums — what the deadline arithmetic needs to be fast.
public struct WorkingCalendar: Sendable {
    /// The years this calendar answers for.
    public let years: ClosedRange<Int>
    private let firstJDN: Int
    private let working: [Bool]
    /// `prefix[i]` = number of working days among the first `i` days of the range.
    private let prefix: [Int32]
    private let reasons: [Int: String]
    /// The years whose schedule came from an official decision rather than the default rules.
    public let officialYears: Set<Int>

    /// The range of years supported by the lunar calendar and so by this type.
    public static let supportedYears = 1900...2100

    public init(officialSchedules: [OfficialSchedule] = [], years: ClosedRange<Int> = 1990...2100) {
        precondition(WorkingCalendar.supportedYears.contains(years.lowerBound) && WorkingCalendar.supportedYears.contains(years.upperBound))
        self.years = years
        firstJDN = CivilDate(year: years.lowerBound, month: 1, day: 1)!.julianDay
        let lastJDN = CivilDate(year: years.upperBound, month: 12, day: 31)!.julianDay
        let official = Dictionary(officialSchedules.map { ($0.year, $0) }, uniquingKeysWith: { _, new in new })
        officialYears = Set(official.keys).filter { years.contains($0) }

        var working = (firstJDN...lastJDN).map { ($0 % 7) < 5 }
        var reasons: [Int: String] = [:]
        for year in years {
            if let schedule = official[year] {
                for d in schedule.daysOff {
                    working[d.date.julianDay - firstJDN] = false
                    reasons[d.date.julianDay] = d.reason
                }
                for d in schedule.workingDays {
                    working[d.date.julianDay - firstJDN] = true
                    reasons[d.date.julianDay] = d.reason
                }
            } else {
                for d in HolidayRules.defaultDaysOff(year: year) {
                    working[d.date.julianDay - firstJDN] = false
                    reasons[d.date.julianDay] = d.reason
                }
            }
        }
        var prefix = [Int32](repeating: 0, count: working.count + 1)
        for i in working.indices { prefix[i + 1] = prefix[i] + (working[i] ? 1 : 0) }
        self.working = working
        self.prefix = prefix
        self.reasons = reasons
    }

    /// True when the date is inside the years this calendar covers.
    public func covers(_ date: CivilDate) -> Bool { years.contains(date.year) }

    /// Whether the day (a JDN) is a working day. Days outside the range fall back to Mon–Fri.
    @inline(__always)
    public func isWorking(julianDay jd: Int) -> Bool {
        let i = jd - firstJDN
        guard i >= 0, i < working.count else { return (jd % 7) < 5 }
        return working[i]
    }

    public func isWorking(_ date: CivilDate) -> Bool { isWorking(julianDay: date.julianDay) }

    /// The status of a date with its reason in Vietnamese.
    public func status(of date: CivilDate) -> DayStatus {
        let jd = date.julianDay
        let isWorking = isWorking(julianDay: jd)
        let reason = reasons[jd] ?? (isWorking ? "Ngày làm việc" : (date.isoWeekday == 6 ? "Thứ Bảy" : "Chủ nhật"))
        return DayStatus(date: date, working: isWorking, reason: reason)
    }

    /// Number of working days in the half-open day range [from, to).
    public func workingDays(fromJulianDay from: Int, to: Int) -> Int {
        guard to > from else { return 0 }
        let lo = from - firstJDN, hi = to - firstJDN
        if lo >= 0 && hi <= working.count { return Int(prefix[hi] - prefix[lo]) }
        return (from..<to).reduce(0) { $0 + (isWorking(julianDay: $1) ? 1 : 0) }
    }

    /// The day (JDN) just after the `count`-th working day at or after `from` (count ≥ 1).
    public func dayAfter(workingDays count: Int, from: Int) -> Int {
        let lo = from - firstJDN
        if lo >= 0 && lo < working.count {
            let target = prefix[lo] + Int32(count)
            if target <= prefix[working.count] {
                var a = lo + 1, b = working.count
                while a < b {
                    let mid = (a + b) / 2
                    if prefix[mid] >= target { b = mid } else { a = mid + 1 }
                }
                return a + firstJDN
            }
        }
        var day = from, seen = 0
        while true {
            if isWorking(julianDay: day) { seen += 1 }
            day += 1
            if seen == count { return day }
        }
    }
}
