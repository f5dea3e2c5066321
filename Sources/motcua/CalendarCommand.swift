import ArgumentParser
import Foundation
import MotCuaCore
import MotCuaStore
import MotCuaWeb

/// `motcua calendar …`: the working-day calendar from the default rules and the bundled official
/// schedules (2020–2026).
struct CalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar", abstract: "Working days, lunar dates and due instants.",
        subcommands: [Days.self, Lunar.self, Due.self, ScheduleCommand.self])

    static func jsonLine(_ value: some Encodable) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try e.encode(value), as: UTF8.self)
    }

    static func date(_ text: String, _ name: String) throws -> CivilDate {
        guard let d = CivilDate(iso: text), WorkingCalendar.supportedYears.contains(d.year) else {
            throw ValidationError("\(name): \"\(text)\" is not a date YYYY-MM-DD between 1900 and 2100")
        }
        return d
    }

    struct Days: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every date of a year: working or not, and why.")
        @Option(help: "Year (1990–2100).") var year: Int
        @Flag(help: "One JSON object per line.") var json = false

        func validate() throws {
            guard (1990...2100).contains(year) else { throw ValidationError("--year must be from 1990 to 2100") }
        }

        func run() throws {
            let calendar = try BundledData.workingCalendar()
            var d = CivilDate(year: year, month: 1, day: 1)!
            while d.year == year {
                let s = calendar.status(of: d)
                struct Line: Encodable { let date: String; let working: Bool; let reason: String }
                print(json ? try jsonLine(Line(date: d.description, working: s.working, reason: s.reason))
                           : "\(d)  \(s.working ? "làm việc" : "nghỉ    ")  \(s.reason)")
                d = d.adding(days: 1)
            }
        }
    }

    struct Lunar: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Vietnamese lunar dates of solar dates.")
        @Argument(help: "Solar dates YYYY-MM-DD.") var dates: [String] = []
        @Option(help: "First date of a range.") var from: String?
        @Option(help: "Last date of a range.") var to: String?
        @Flag(help: "One JSON object per line.") var json = false

        func run() throws {
            var days = try dates.map { try date($0, "date") }
            if from != nil || to != nil {
                guard let from, let to else { throw ValidationError("--from and --to go together") }
                let a = try date(from, "--from"), b = try date(to, "--to")
                guard a <= b else { throw ValidationError("--from must not be after --to") }
                days += (a.julianDay...b.julianDay).map { CivilDate(julianDay: $0) }
            }
            guard !days.isEmpty else { throw ValidationError("give dates, or --from and --to") }
            for d in days {
                let l = LunarCalendar.lunar(from: d)
                struct Line: Encodable { let solar: String; let day: Int; let month: Int; let year: Int; let leap: Bool }
                print(json ? try jsonLine(Line(solar: d.description, day: l.day, month: l.month, year: l.year, leap: l.leap))
                           : "\(d)  \(l.day)/\(l.month)\(l.leap ? " (nhuận)" : "")/\(l.year) âm lịch")
            }
        }
    }

    struct Due: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Due instant of a time limit from a receipt instant.")
        @Option(help: "Receipt instant, ISO 8601 (e.g. 2026-02-10T09:00:00+07:00).") var from: String
        @Option(name: .customLong("working-days"), help: "Limit in working days.") var workingDays: Int?
        @Option(name: .customLong("working-hours"), help: "Limit in working hours.") var workingHours: Int?
        @Option(name: .customLong("calendar-days"), help: "Limit in calendar days.") var calendarDays: Int?

        func run() throws {
            guard let start = VietnamTime.parse(from) else { throw ValidationError("--from: \"\(from)\" is not an ISO 8601 instant") }
            let given = [(workingDays, TimeLimitUnit.workingDays), (workingHours, .workingHours), (calendarDays, .calendarDays)]
                .compactMap { v, u in v.map { TimeLimit(amount: $0, unit: u) } }
            guard given.count == 1, let limit = given.first else {
                throw ValidationError("give exactly one of --working-days, --working-hours, --calendar-days")
            }
            guard (0...3650).contains(limit.amount) else { throw ValidationError("the limit must be from 0 to 3650") }
            let calculator = DeadlineCalculator(calendar: try BundledData.workingCalendar())
            print(VietnamTime.iso(calculator.due(from: start, limit: limit)))
        }
    }
}
