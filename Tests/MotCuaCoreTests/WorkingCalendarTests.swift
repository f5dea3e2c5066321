import Foundation
import MotCuaCore
import Testing

struct WorkingCalendarTests {
    static let calendar = WorkingCalendar(years: 2018...2035)

    func date(_ s: String) -> CivilDate { CivilDate(iso: s)! }

    @Test func defaultHolidaysOf2030FollowLabourCode() {
        let off = HolidayRules.defaultDaysOff(year: 2030).map(\.date.description)
        // Tết 2030 is 2/2 (Saturday): eve 1/2 and mùng 1–4, two fall on the weekend → two nghỉ bù.
        #expect(off.contains("2030-02-01") && off.contains("2030-02-05"))
        #expect(off.contains("2030-02-06") && off.contains("2030-02-07"))
        // Giỗ Tổ 10/3 lunar 2030 = 12/4/2030.
        #expect(off.contains("2030-04-12"))
        // 2/9/2030 is a Monday → the adjacent day is 3/9.
        #expect(off.contains("2030-09-02") && off.contains("2030-09-03"))
        #expect(off.contains("2030-04-30") && off.contains("2030-05-01") && off.contains("2030-01-01"))
    }

    @Test func compensatoryDayWhenHolidayOnWeekend() {
        // 1/1/2028 is a Saturday → Monday 3/1/2028 is nghỉ bù.
        let cal = WorkingCalendar(years: 2028...2028)
        #expect(!cal.isWorking(date("2028-01-03")))
        #expect(cal.status(of: date("2028-01-03")).reason.hasPrefix("Nghỉ bù"))
        #expect(cal.isWorking(date("2028-01-04")))
    }

    @Test func officialScheduleOverridesDefaults() {
        let s = OfficialSchedule(year: 2024, source: "test", daysOff: [DatedReason(date: date("2024-04-29"), reason: "Hoán đổi")],
                                 workingDays: [DatedReason(date: date("2024-05-04"), reason: "Làm bù")])
        let cal = WorkingCalendar(officialSchedules: [s], years: 2024...2024)
        #expect(!cal.isWorking(date("2024-04-29")))
        #expect(cal.isWorking(date("2024-05-04")))
        // With an official schedule, the default days of that year no longer apply.
        #expect(cal.isWorking(date("2024-04-30")))
        #expect(cal.officialYears == [2024])
        #expect(s.problems().isEmpty)
    }

    @Test func scheduleProblemsAreReported() {
        let bad = OfficialSchedule(year: 2025, source: "x", daysOff: [DatedReason(date: date("2024-01-01"), reason: "a")],
                                   workingDays: [DatedReason(date: date("2025-01-06"), reason: "Monday")])
        #expect(bad.problems().count == 2)
    }

    @Test func workingDayCounting() {
        let cal = Self.calendar
        // A plain week in March 2026: 5 working days.
        #expect(cal.workingDays(fromJulianDay: date("2026-03-02").julianDay, to: date("2026-03-09").julianDay) == 5)
        #expect(cal.dayAfter(workingDays: 5, from: date("2026-03-02").julianDay) == date("2026-03-07").julianDay)
    }
}
