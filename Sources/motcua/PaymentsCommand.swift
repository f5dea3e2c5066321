import ArgumentParser
import Foundation
import MotCuaCore
import MotCuaStore

/// `motcua payments reconcile --date D`: mismatches between the day's online payments and dossiers.
struct PaymentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "payments", abstract: "Online payments.", subcommands: [Reconcile.self])

    struct Reconcile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List mismatches between the payments made on a date (Vietnam's time) and the dossiers; exit 1 when there is one.")
        @OptionGroup var db: DatabaseOptions
        @Option(help: "The date, YYYY-MM-DD.") var date: String

        func run() async throws {
            guard let day = CivilDate(iso: date) else { throw ValidationError("--date must be a date YYYY-MM-DD, got \(date)") }
            let problems = try await Runtime.withDatabase(db) { try await PaymentRepository(database: $0).reconcile(day: day) }
            if problems.isEmpty {
                print("payments of \(day): no mismatch")
            } else {
                for p in problems { print(p) }
                throw CommandFailure("\(problems.count) mismatch(es) on \(day)")
            }
        }
    }
}
