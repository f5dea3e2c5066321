import ArgumentParser
import Foundation
import MotCuaCore
import MotCuaStore

/// `motcua bench …`: benchmarks, run against release builds (`swift run -c release motcua bench …`).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Benchmarks.", subcommands: [DueBench.self, DatabaseBench.self, LifecycleBench.self, IndicatorBench.self])

    /// Due-date computations per second on one core.
    struct DueBench: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "due", abstract: "Due-date computations per second on one core.")
        @Option(help: "Number of computations.") var count = 5_000_000
        @Option(help: "Largest limit in working days (limits are spread over 1…N).") var maxDays = 30

        func validate() throws {
            guard count > 0, maxDays > 0 else { throw ValidationError("--count and --max-days must be positive") }
        }

        func run() throws {
            let calculator = DeadlineCalculator(calendar: try BundledData.workingCalendar())
            // Receipt instants spread over 2024–2026 (a prime stride visits all times of day).
            let base = 1_704_067_200, span = 3 * 365 * 86400
            var checksum = 0
            let clock = ContinuousClock()
            let elapsed = clock.measure {
                var t = 0
                for i in 0..<count {
                    t = (t + 7_919_993) % span
                    let days = 1 + i % maxDays
                    checksum &+= calculator.addWorkingSeconds(days * DeadlineCalculator.secondsPerWorkingDay, to: base + t)
                }
            }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("due-date computations: \(count) in \(String(format: "%.3f", seconds)) s = \(Int(Double(count) / seconds)) per second on one core (limits 1–\(maxDays) working days; checksum \(checksum))")
        }
    }
}
