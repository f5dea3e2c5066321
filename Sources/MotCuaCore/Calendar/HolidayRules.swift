/// A date with the reason it is special (a day off, or a make-up working day).
public struct DatedReason: Hashable, Sendable, Codable {
    public let date: CivilDate
    public let reason: String

    public init(date: CivilDate, reason: String) {
        self.date = date
        self.reason = reason
    }
}

/// One year's official holiday schedule for public servants, as decided by the government
/// (thông báo nghỉ lễ, tết). When a year has one, it replaces the default rules for that year:
/// `daysOff` lists every holiday date (weekend ones included) and `workingDays` the weekend days
/// that became working days (làm bù).
public struct OfficialSchedule: Hashable, Sendable, Codable {
    public let year: Int
    public let source: String
    public let daysOff: [DatedReason]
    public let workingDays: [DatedReason]

    public init(year: Int, source: String, daysOff: [DatedReason], workingDays: [DatedReason]) {
        self.year = year
        self.source = source
        self.daysOff = daysOff
        self.workingDays = workingDays
    }

    /// Problems that make the schedule unusable, in Vietnamese; empty when it is valid.
    public func problems() -> [String] {
        var out: [String] = []
        for d in daysOff + workingDays where d.date.year != year {
            out.append("Ngày \(d.date) không thuộc năm \(year)")
        }
        for d in workingDays where !d.date.isWeekend {
            out.append("Ngày làm bù \(d.date) không phải thứ Bảy hoặc Chủ nhật")
        }
        let off = Set(daysOff.map(\.date))
        for d in workingDays where off.contains(d.date) {
            out.append("Ngày \(d.date) vừa là ngày nghỉ vừa là ngày làm bù")
        }
        if Set(daysOff.map(\.date)).count != daysOff.count { out.append("Ngày nghỉ bị lặp") }
        if Set(workingDays.map(\.date)).count != workingDays.count { out.append("Ngày làm bù bị lặp") }
        return out
    }
}

/// The default public holidays of the Labour Code 2019, article 112, for any year, used when no
/// official schedule for that year is known.
///
/// - 1/1; five days of Tết (the eve and the first four days of the lunar year — the usual
///   arrangement; the real one is decided yearly); 10/3 lunar; 30/4; 1/5; 2/9 with one adjacent day
///   (3/9 when 2/9 is a Monday, otherwise 1/9, as practised 2022–2025).
/// - A holiday that falls on a Saturday or Sunday gives a compensatory day off (nghỉ bù) on the next
///   working day (art. 111–112).
public enum HolidayRules {
    public static func defaultDaysOff(year: Int) -> [DatedReason] {
        var holidays: [DatedReason] = []
        func add(_ date: CivilDate?, _ reason: String) {
            if let date, date.year == year { holidays.append(DatedReason(date: date, reason: reason)) }
        }
        add(CivilDate(year: year, month: 1, day: 1), "Tết Dương lịch (1/1)")
        let tet = LunarCalendar.tet(of: year)
        add(tet.adding(days: -1), "Tết Nguyên đán (ngày cuối năm âm lịch)")
        for i in 0..<4 { add(tet.adding(days: i), "Tết Nguyên đán (mùng \(i + 1))") }
        // Tết of next year may start in late January: its eve never falls in this year's December.
        add(LunarCalendar.solar(from: LunarDate(day: 10, month: 3, year: year)), "Giỗ Tổ Hùng Vương (10/3 âm lịch)")
        add(CivilDate(year: year, month: 4, day: 30), "Ngày Chiến thắng (30/4)")
        add(CivilDate(year: year, month: 5, day: 1), "Ngày Quốc tế Lao động (1/5)")
        let national = CivilDate(year: year, month: 9, day: 2)!
        add(national, "Quốc khánh (2/9)")
        add(national.adding(days: national.isoWeekday == 1 ? 1 : -1), "Quốc khánh (ngày liền kề 2/9)")
        holidays.sort { $0.date < $1.date }

        var taken = Set(holidays.map(\.date))
        var compensatory: [DatedReason] = []
        for h in holidays where h.date.isWeekend {
            var d = h.date.adding(days: 1)
            while d.isWeekend || taken.contains(d) { d = d.adding(days: 1) }
            taken.insert(d)
            compensatory.append(DatedReason(date: d, reason: "Nghỉ bù cho \(h.reason) trùng ngày nghỉ hằng tuần"))
        }
        return (holidays + compensatory.filter { $0.date.year == year }).sorted { $0.date < $1.date }
    }
}
