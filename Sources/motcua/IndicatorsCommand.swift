import ArgumentParser
import Foundation
import MotCuaCore
import MotCuaStore

/// `motcua indicators …`: the Decision 766 aggregates from the command line — rebuild them from the
/// dossier events, close the ended days, print a scope's report.
struct IndicatorsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "indicators", abstract: "Decision 766 indicators and their aggregates.",
                                                    subcommands: [Rebuild.self, Close.self, Report.self])

    /// Recomputes every aggregate from the dossiers and their events in one transaction.
    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the indicator aggregates (daily and monthly counters, the open set of each closed day) from the dossier events.")
        @OptionGroup var db: DatabaseOptions
        @Option(help: "Rebuild from the first day of this date's month (YYYY-MM-DD); default: everything.") var from: String?

        func run() async throws {
            var start: CivilDate?
            if let from {
                guard let d = CivilDate(iso: from) else { throw ValidationError("--from must be a date YYYY-MM-DD, got \(from)") }
                start = d
            }
            let bar = ProgressBar(label: "rebuild")
            let began = Date()
            let n = try await Runtime.withDatabase(db) { database in
                try await IndicatorService(database: database).rebuild.run(from: start, now: Date()) { done, total in bar.update(done, total) }
            }
            bar.finish()
            print("rebuilt the indicator aggregates of \(n) dossiers in \(String(Int(Date().timeIntervalSince(began) * 1000))) ms")
        }
    }

    /// Writes the open set of every ended day not yet closed (the server does this every few minutes).
    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Close every ended day: write the open set as of its end.")
        @OptionGroup var db: DatabaseOptions

        func run() async throws {
            let days = try await Runtime.withDatabase(db) { try await IndicatorService(database: $0).dayClose.closeDays(now: Date()) }
            if let first = days.first, let last = days.last {
                print("closed \(days.count) day(s): \(first) … \(last)")
            } else {
                print("no day to close")
            }
        }
    }

    /// A scope's indicators over a period, as a table or JSON.
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the Decision 766 indicators of an agency scope over a period.")
        @OptionGroup var db: DatabaseOptions
        @Option(help: "Agency code (its units below and its predecessors are included).") var scope: String
        @Option(help: "First day, YYYY-MM-DD.") var from: String
        @Option(help: "Last day, YYYY-MM-DD.") var to: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            guard let start = CivilDate(iso: from) else { throw ValidationError("--from must be a date YYYY-MM-DD, got \(from)") }
            guard let end = CivilDate(iso: to) else { throw ValidationError("--to must be a date YYYY-MM-DD, got \(to)") }
            guard start <= end else { throw ValidationError("--to must be on or after --from") }
            let report = try await Runtime.withDatabase(db) { database -> IndicatorReport in
                let history = try await CatalogRepository(database: database).history()
                guard history.agencies[scope] != nil else { throw CommandFailure("agency \(scope) not found") }
                let calendar = try await CalendarRepository(database: database).workingCalendar()
                return try await IndicatorService(database: database).report(
                    agencies: history.scope(of: scope, from: start, to: end), history: history, from: start, to: end, now: Date(),
                    calendar: calendar, onlinePayment: true)
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(report.indicators), as: UTF8.self))
                return
            }
            for v in report.indicators {
                print([v.id, v.rate, "\(v.numerator)/\(v.denominator)", v.points.map { "\($0)/\(v.maxPoints)" } ?? v.status, v.name].joined(separator: "\t"))
            }
            print("total\t\(report.total)\t\(report.grade)")
        }
    }
}

/// A one-line progress bar on standard error (only when it is a terminal, else a line per 10%).
final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let lock = NSLock()
    private var lastTenth = -1
    private let isTerminal = isatty(2) == 1

    init(label: String) { self.label = label }

    func update(_ done: Int, _ total: Int) {
        lock.lock()
        defer { lock.unlock() }
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        if isTerminal {
            let width = 30, filled = Int(fraction * Double(width))
            let line = "\r\(label) [\(String(repeating: "#", count: filled))\(String(repeating: " ", count: width - filled))] \(done)/\(total)"
            FileHandle.standardError.write(Data(line.utf8))
        } else if Int(fraction * 10) > lastTenth {
            lastTenth = Int(fraction * 10)
            FileHandle.standardError.write(Data("\(label): \(done)/\(total)\n".utf8))
        }
    }

    func finish() {
        if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
