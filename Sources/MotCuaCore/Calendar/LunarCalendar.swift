import Foundation

/// A date of the Vietnamese lunisolar calendar (âm lịch).
public struct LunarDate: Hashable, Sendable, Codable {
    public let day: Int
    public let month: Int
    public let year: Int
    /// True for the intercalary month (tháng nhuận) that repeats `month`.
    public let leap: Bool

    public init(day: Int, month: Int, year: Int, leap: Bool = false) {
        self.day = day
        self.month = month
        self.year = year
        self.leap = leap
    }
}

/// The Vietnamese lunar calendar, computed astronomically for the meridian of UTC+7.
///
/// A month starts on the day (in UTC+7) of the new moon; month 11 contains the winter solstice; in a
/// year with 13 months the leap month is the first one without a principal solar term (trung khí).
/// This is the method of Hồ Ngọc Đức's published algorithm (new moons and solar longitude after
/// Meeus), which is why the calendar differs from the Chinese one (UTC+8) in years such as 1985 and
/// 2007. Valid at least for 1900–2100.
public enum LunarCalendar {
    /// Hours east of UTC used for the Vietnamese calendar.
    public static let timeZoneHours = 7.0

    private static let synodicMonth = 29.530588853
    private static let epoch = 2_415_021.076998695

    /// Converts a solar (Gregorian) date to the lunar date.
    public static func lunar(from solar: CivilDate) -> LunarDate {
        let dayNumber = solar.julianDay
        // The mean-lunation estimate can be one month off near a new moon: step until
        // monthStart ≤ day < next month's start.
        var k = floorInt((Double(dayNumber) - epoch) / synodicMonth) + 1
        while newMoonDay(k) > dayNumber { k -= 1 }
        while newMoonDay(k + 1) <= dayNumber { k += 1 }
        let monthStart = newMoonDay(k)
        var a11 = lunarMonth11(solar.year)
        var b11 = a11
        var lunarYear: Int
        if a11 >= monthStart {
            lunarYear = solar.year
            a11 = lunarMonth11(solar.year - 1)
        } else {
            lunarYear = solar.year + 1
            b11 = lunarMonth11(solar.year + 1)
        }
        let lunarDay = dayNumber - monthStart + 1
        let diff = (monthStart - a11) / 29
        var leap = false
        var lunarMonth = diff + 11
        if b11 - a11 > 365 {
            let leapDiff = leapMonthOffset(a11)
            if diff >= leapDiff {
                lunarMonth = diff + 10
                if diff == leapDiff { leap = true }
            }
        }
        if lunarMonth > 12 { lunarMonth -= 12 }
        if lunarMonth >= 11 && diff < 4 { lunarYear -= 1 }
        return LunarDate(day: lunarDay, month: lunarMonth, year: lunarYear, leap: leap)
    }

    /// Converts a lunar date to the solar date; nil when that lunar date does not exist
    /// (a leap flag on a month that is not the leap month, or a day past the month's end).
    public static func solar(from lunar: LunarDate) -> CivilDate? {
        guard (1...12).contains(lunar.month), (1...30).contains(lunar.day) else { return nil }
        let a11: Int, b11: Int
        if lunar.month < 11 {
            a11 = lunarMonth11(lunar.year - 1)
            b11 = lunarMonth11(lunar.year)
        } else {
            a11 = lunarMonth11(lunar.year)
            b11 = lunarMonth11(lunar.year + 1)
        }
        let k = floorInt(0.5 + (Double(a11) - epoch) / synodicMonth)
        var off = lunar.month - 11
        if off < 0 { off += 12 }
        if b11 - a11 > 365 {
            let leapOff = leapMonthOffset(a11)
            var leapMonth = leapOff - 2
            if leapMonth < 0 { leapMonth += 12 }
            if lunar.leap && lunar.month != leapMonth { return nil }
            if lunar.leap || off >= leapOff { off += 1 }
        } else if lunar.leap {
            return nil
        }
        let monthStart = newMoonDay(k + off)
        let nextStart = newMoonDay(k + off + 1)
        guard lunar.day <= nextStart - monthStart else { return nil }
        return CivilDate(julianDay: monthStart + lunar.day - 1)
    }

    /// The solar date of Tết Nguyên Đán (1/1 lunar) of a lunar year.
    public static func tet(of year: Int) -> CivilDate {
        solar(from: LunarDate(day: 1, month: 1, year: year))!
    }

    /// Number of days of the lunar month that contains `solar`.
    public static func monthLength(containing solar: CivilDate) -> Int {
        let l = lunar(from: solar)
        let start = solar.julianDay - l.day + 1
        var next = start + 29
        if lunar(from: CivilDate(julianDay: next)).day != 1 { next += 1 }
        return next - start
    }

    // MARK: Astronomy

    private static func floorInt(_ x: Double) -> Int { Int(x.rounded(.down)) }

    /// Julian day (fractional, UT) of the k-th new moon after 1900-01-01.
    static func newMoon(_ k: Int) -> Double {
        let kd = Double(k)
        let t = kd / 1236.85
        let t2 = t * t, t3 = t2 * t
        let dr = Double.pi / 180
        var jd1 = 2_415_020.75933 + 29.53058868 * kd + 0.0001178 * t2 - 0.000000155 * t3
        jd1 += 0.00033 * sin((166.56 + 132.87 * t - 0.009173 * t2) * dr)
        let m = 359.2242 + 29.10535608 * kd - 0.0000333 * t2 - 0.00000347 * t3
        let mpr = 306.0253 + 385.81691806 * kd + 0.0107306 * t2 + 0.00001236 * t3
        let f = 21.2964 + 390.67050646 * kd - 0.0016528 * t2 - 0.00000239 * t3
        var c1 = (0.1734 - 0.000393 * t) * sin(m * dr) + 0.0021 * sin(2 * dr * m)
        c1 = c1 - 0.4068 * sin(mpr * dr) + 0.0161 * sin(dr * 2 * mpr)
        c1 = c1 - 0.0004 * sin(dr * 3 * mpr)
        c1 = c1 + 0.0104 * sin(dr * 2 * f) - 0.0051 * sin(dr * (m + mpr))
        c1 = c1 - 0.0074 * sin(dr * (m - mpr)) + 0.0004 * sin(dr * (2 * f + m))
        c1 = c1 - 0.0004 * sin(dr * (2 * f - m)) - 0.0006 * sin(dr * (2 * f + mpr))
        c1 = c1 + 0.0010 * sin(dr * (2 * f - mpr)) + 0.0005 * sin(dr * (2 * mpr + m))
        let deltaT: Double
        if t < -11 {
            deltaT = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
        } else {
            deltaT = -0.000278 + 0.000265 * t + 0.000262 * t2
        }
        return jd1 + c1 - deltaT
    }

    /// Apparent solar longitude in radians, [0, 2π), at a Julian day (UT).
    static func sunLongitude(_ jdn: Double) -> Double {
        let t = (jdn - 2_451_545.0) / 36525
        let t2 = t * t
        let dr = Double.pi / 180
        let m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2
        let l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2
        var dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * sin(dr * m)
        dl += (0.019993 - 0.000101 * t) * sin(dr * 2 * m) + 0.000290 * sin(dr * 3 * m)
        var l = (l0 + dl) * dr
        l -= Double.pi * 2 * Double(floorInt(l / (Double.pi * 2)))
        return l
    }

    /// The sector (0–11, 30° each) of the sun's longitude at the start of a local day.
    private static func sunSector(_ dayNumber: Int) -> Int {
        floorInt(sunLongitude(Double(dayNumber) - 0.5 - timeZoneHours / 24) / Double.pi * 6)
    }

    /// The local day (JDN) of the k-th new moon.
    private static func newMoonDay(_ k: Int) -> Int {
        floorInt(newMoon(k) + 0.5 + timeZoneHours / 24)
    }

    /// The first day of the lunar month 11 (the one with the winter solstice) of a solar year.
    private static func lunarMonth11(_ year: Int) -> Int {
        let off = CivilDate(year: year, month: 12, day: 31)!.julianDay - 2_415_021
        let k = floorInt(Double(off) / synodicMonth)
        var nm = newMoonDay(k)
        if sunSector(nm) >= 9 { nm = newMoonDay(k - 1) }
        return nm
    }

    /// Offset, in months after month 11, of the leap month in a 13-month year starting at `a11`.
    private static func leapMonthOffset(_ a11: Int) -> Int {
        let k = floorInt((Double(a11) - epoch) / synodicMonth + 0.5)
        var i = 1
        var arc = sunSector(newMoonDay(k + i))
        var last: Int
        repeat {
            last = arc
            i += 1
            arc = sunSector(newMoonDay(k + i))
        } while arc != last && i < 14
        return i - 1
    }
}
