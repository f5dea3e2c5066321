import Foundation
import MotCuaCore
import Testing

/// Oracles: Tết dates and lunar samples checked against two independent computations
/// (see the notes in the fixture files).
struct LunarCalendarTests {
    struct TetSample: Decodable { let year: Int; let tet: String }
    struct LunarSample: Decodable { let solar: String; let day: Int; let month: Int; let year: Int; let leap: Bool }

    static func fixture<T: Decodable>(_ name: String) throws -> T {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }

    @Test func knownTetDates() throws {
        let samples: [TetSample] = try Self.fixture("tet-dates.json")
        #expect(samples.count >= 30)
        for s in samples {
            #expect(LunarCalendar.tet(of: s.year).description == s.tet, "Tết \(s.year)")
        }
    }

    @Test func vietnameseCalendarDiffersFromChineseIn1985And2007() {
        #expect(LunarCalendar.tet(of: 1985).description == "1985-01-21")
        #expect(LunarCalendar.tet(of: 2007).description == "2007-02-17")
        #expect(LunarCalendar.tet(of: 2026).description == "2026-02-17")
    }

    @Test func lunarSamplesIncludingLeapMonths() throws {
        let samples: [LunarSample] = try Self.fixture("lunar-samples.json")
        #expect(samples.count >= 20)
        for s in samples {
            let solar = try #require(CivilDate(iso: s.solar))
            let l = LunarCalendar.lunar(from: solar)
            #expect(l == LunarDate(day: s.day, month: s.month, year: s.year, leap: s.leap), "\(s.solar)")
            #expect(LunarCalendar.solar(from: l) == solar)
        }
    }

    @Test func roundTripEveryDay1900To2100() {
        var jd = CivilDate(year: 1900, month: 2, day: 1)!.julianDay
        let last = CivilDate(year: 2100, month: 12, day: 31)!.julianDay
        var previous = LunarCalendar.lunar(from: CivilDate(julianDay: jd - 1))
        while jd <= last {
            let solar = CivilDate(julianDay: jd)
            let l = LunarCalendar.lunar(from: solar)
            #expect(LunarCalendar.solar(from: l) == solar, "\(solar)")
            // Consecutive days: either the next day of the month, or day 1 after day 29/30.
            if l.day == 1 { #expect(previous.day == 29 || previous.day == 30, "\(solar)") } else { #expect(l.day == previous.day + 1, "\(solar)") }
            previous = l
            jd += 1
        }
    }

    @Test func invalidLunarDatesAreRejected() {
        // 2026 has no leap month; month 2 of 2023 has a leap twin, month 3 does not.
        #expect(LunarCalendar.solar(from: LunarDate(day: 1, month: 5, year: 2026, leap: true)) == nil)
        #expect(LunarCalendar.solar(from: LunarDate(day: 1, month: 2, year: 2023, leap: true))?.description == "2023-03-22")
        #expect(LunarCalendar.solar(from: LunarDate(day: 1, month: 3, year: 2023, leap: true)) == nil)
        #expect(LunarCalendar.solar(from: LunarDate(day: 31, month: 1, year: 2026)) == nil)
    }
}
