import Foundation
import Hummingbird
import MotCuaCore

/// `/api/v1/calendar/days`, `/lunar` and `/due`.
enum CalendarAPI {
    struct YearDays: Encodable {
        let year: Int
        let official: Bool
        let days: [DayStatus]
    }

    struct Lunar: Encodable {
        let solar: String
        let day: Int
        let month: Int
        let year: Int
        let leap: Bool
    }

    struct Due: Encodable {
        let from: String
        let limit: TimeLimit
        let due: String
    }

    static func register(_ routes: inout RouteRegistry, services: AppServices) {
        routes.get("/api/v1/calendar/days") { request, _ in
            guard let text = request.query("year"), let year = Int(text), WorkingCalendar.supportedYears.contains(year) else {
                throw APIError.invalid("year", "required, an integer from 1990 to 2100")
            }
            let calendar = services.calendar
            guard calendar.years.contains(year) else { throw APIError.invalid("year", "must be from \(calendar.years.lowerBound) to \(calendar.years.upperBound)") }
            return try JSONResponse.make(YearDays(year: year, official: calendar.officialYears.contains(year), days: days(of: year, calendar)))
        }
        routes.get("/api/v1/calendar/lunar") { request, _ in
            guard let text = request.query("date") else { throw APIError.invalid("date", "required, YYYY-MM-DD") }
            let dates = try text.split(separator: ",").map { part -> CivilDate in
                guard let d = CivilDate(iso: part), WorkingCalendar.supportedYears.contains(d.year) else {
                    throw APIError.invalid("date", "\(part) is not a date YYYY-MM-DD between 1900 and 2100")
                }
                return d
            }
            let items = dates.map(lunar)
            return try items.count == 1 ? JSONResponse.make(items[0]) : JSONResponse.make(items)
        }
        routes.get("/api/v1/calendar/due") { request, _ in
            guard let fromText = request.query("from"), let from = VietnamTime.parse(fromText) else {
                throw APIError.invalid("from", "required, an ISO 8601 instant such as 2026-02-10T09:00:00+07:00")
            }
            let given: [(String, TimeLimitUnit)] = [("workingDays", .workingDays), ("workingHours", .workingHours), ("calendarDays", .calendarDays)]
            let present = given.compactMap { g in request.query(g.0).map { (g.0, g.1, $0) } }
            guard present.count == 1, let (name, unit, text) = present.first else {
                throw APIError.invalid("workingDays", "give exactly one of workingDays, workingHours or calendarDays")
            }
            guard let amount = Int(text), (0...3650).contains(amount) else {
                throw APIError.invalid(name, "must be an integer from 0 to 3650")
            }
            let year = DeadlineCalculator.localDate(of: from).year
            guard services.calendar.years.contains(year) else { throw APIError.invalid("from", "year out of the supported range") }
            let limit = TimeLimit(amount: amount, unit: unit)
            let deadlines = request.query("agency").map { services.deadlines(for: $0) } ?? services.deadlines
            let due = deadlines.due(from: from, limit: limit)
            return try JSONResponse.make(Due(from: VietnamTime.iso(from), limit: limit, due: VietnamTime.iso(due)))
        }
    }

    static func days(of year: Int, _ calendar: WorkingCalendar) -> [DayStatus] {
        let first = CivilDate(year: year, month: 1, day: 1)!.julianDay
        let last = CivilDate(year: year, month: 12, day: 31)!.julianDay
        return (first...last).map { calendar.status(of: CivilDate(julianDay: $0)) }
    }

    static func lunar(_ d: CivilDate) -> Lunar {
        let l = LunarCalendar.lunar(from: d)
        return Lunar(solar: d.description, day: l.day, month: l.month, year: l.year, leap: l.leap)
    }
}
