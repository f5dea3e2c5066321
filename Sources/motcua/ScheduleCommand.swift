import ArgumentParser
import Foundation
import MotCuaCore
import MotCuaStore
import MotCuaWeb

/// `motcua calendar schedule list|set FILE`: the official holiday schedules an administrator
/// maintains (a running server picks changes up within five minutes).
struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule", abstract: "Official holiday schedules stored in the database.", subcommands: [List.self, Set.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Years with an official schedule, and their sources.")
        @OptionGroup var db: DatabaseOptions

        func run() async throws {
            try await Runtime.withDatabase(db) { database in
                for s in try await CalendarRepository(database: database).schedules() {
                    print("\(s.year)\t\(s.daysOff.count) days off\t\(s.workingDays.count) make-up days\t\(s.source)")
                }
            }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store schedules from a JSON file {\"years\":[{year, source, daysOff:[{date,reason}], workingDays:[…]}]}, all or nothing.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "JSON file.") var file: String

        struct File: Decodable { let years: [OfficialSchedule] }

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else { throw CommandFailure("cannot read \(file)") }
            let schedules: [OfficialSchedule]
            do { schedules = try JSONDecoder().decode(File.self, from: data).years } catch let e as DecodingError {
                throw CommandFailure("schedule rejected: \(DecodingErrorText.describe(e))")
            }
            var problems: [String] = []
            for (i, s) in schedules.enumerated() {
                if !WorkingCalendar.supportedYears.contains(s.year) { problems.append("years[\(i)]: year \(s.year) outside 1900–2100") }
                problems += s.problems().map { "years[\(i)] (\(s.year)): \($0)" }
            }
            if Swift.Set(schedules.map(\.year)).count != schedules.count { problems.append("a year appears twice") }
            guard problems.isEmpty, !schedules.isEmpty else {
                throw CommandFailure("schedule rejected:\n" + (problems.isEmpty ? ["no years given"] : problems).map { "  - \($0)" }.joined(separator: "\n"))
            }
            try await Runtime.withDatabase(db) { database in
                try await CalendarRepository(database: database).save(schedules, now: Date())
            }
            print("stored schedules for \(schedules.map { String($0.year) }.joined(separator: ", "))")
        }
    }
}
