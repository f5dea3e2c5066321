import ArgumentParser
import Foundation
import MotCuaCore
import MotCuaStore
import MotCuaWeb
import SQLKit

/// `motcua bench indicators`: the province-wide year report (every Decision 766 indicator, every
/// agency in scope) from the aggregates, against a naive aggregation over the dossier table, on
/// the database given (optionally filled first with `--dossiers N` generated dossiers).
struct IndicatorBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "indicators", abstract: "Indicator reads from the aggregates vs a naive scan.")
    @OptionGroup var db: DatabaseOptions
    @Option(help: "Generate this many dossiers first (as `motcua demo --dossiers`).") var dossiers: Int?
    @Option(help: "The generator's seed.") var seed: UInt64 = 766
    @Option(help: "Scope (the province by default).") var scope = "H13"
    @Option(help: "Year of the report (default: this year).") var year: Int?
    @Option(help: "Timed reports.") var runs = 30

    func validate() throws {
        guard runs > 0, runs <= 10_000 else { throw ValidationError("--runs must be between 1 and 10000") }
        if let dossiers, dossiers <= 0 { throw ValidationError("--dossiers must be positive") }
    }

    func run() async throws {
        let config = try Runtime.resolveConfig(db)
        var logger = Runtime.logger(config)
        logger.logLevel = .warning
        let database = try await Runtime.openMigrated(config, logger: logger)
        let now = Date()
        let today = DeadlineCalculator.localDate(of: now)
        let y = year ?? today.year
        _ = try await DemoSeeder.seedIfEmpty(database, now: now, logger: logger, hashPassword: PasswordHasher(cost: 4).hash)
        if let dossiers {
            let bar = ProgressBar(label: "demo")
            let began = Date()
            let n = try await DemoBulk(database: database).generate(count: dossiers, seed: seed, from: CivilDate(year: y - 1, month: 1, day: 1)!,
                                                                    to: today, now: now) { bar.update($0, $1) }
            bar.finish()
            let s = Date().timeIntervalSince(began)
            print("generated \(n) dossiers in \(Int(s)) s (\(Int(Double(n) / max(s, 0.001))) dossiers/s)")
        }
        let service = IndicatorService(database: database)
        try await service.dayClose.closeDays(now: now)
        let history = try await CatalogRepository(database: database).history()
        guard history.agencies[scope] != nil else { throw CommandFailure("agency \(scope) not found") }
        let calendar = try await CalendarRepository(database: database).workingCalendar()
        let from = CivilDate(year: y, month: 1, day: 1)!, to = CivilDate(year: y, month: 12, day: 31)!
        let agencies = history.scope(of: scope, from: from, to: to)
        let total = try await database.read { try await $0.raw("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM dossiers").first()?.decode(column: "n", as: Int.self) ?? 0 }

        var report: IndicatorReport?
        var fast: [Double] = []
        for _ in 0..<(runs + 2) {
            let t = ContinuousClock.now
            report = try await service.report(agencies: agencies, history: history, from: from, to: to, now: now, calendar: calendar, onlinePayment: true)
            fast.append(Self.milliseconds(ContinuousClock.now - t))
        }
        fast.removeFirst(2)
        var naive: [Double] = []
        var naiveRows = 0
        for _ in 0..<max(3, min(runs, 10)) {
            let t = ContinuousClock.now
            naiveRows = try await Self.naive(database, agencies: agencies, from: from, to: to, now: now)
            naive.append(Self.milliseconds(ContinuousClock.now - t))
        }
        let p95 = Self.percentile(fast, 0.95), p50 = Self.percentile(fast, 0.5), naive50 = Self.percentile(naive, 0.5)
        print("database \(config.database.redacted): \(total) dossiers; scope \(scope) (\(agencies.count) agencies), \(from) … \(to)")
        print("report from the aggregates (\(report?.indicators.count ?? 0) indicators, total \(report?.total ?? "-")): p50 \(Self.format(p50)) ms, p95 \(Self.format(p95)) ms over \(runs) runs")
        print("naive GROUP BY over the dossier table (2.1 and 3.3 only, \(naiveRows) groups): p50 \(Self.format(naive50)) ms")
        print("ratio naive ÷ aggregates (p50): \(Self.format(naive50 / max(p50, 0.001)))×; peak RSS \(Self.peakRSSMegabytes()) MB")
        await database.close()
    }

    /// 2.1's and 3.3's numbers straight from the dossiers: what a report costs without aggregates.
    static func naive(_ database: Database, agencies: Set<String>, from: CivilDate, to: CivilDate, now: Date) async throws -> Int {
        let start = Int(DeadlineCalculator.startOfDay(from).timeIntervalSince1970), end = min(OpenSetHistory.endOfDay(to), Int(now.timeIntervalSince1970))
        return try await database.read { db in
            try await db.raw("""
                SELECT agency_code, channel, COUNT(*) AS n,
                       SUM(CASE WHEN ended_at IS NOT NULL AND due_at IS NOT NULL AND ended_at <= due_at THEN 1 ELSE 0 END) AS on_time,
                       SUM(CASE WHEN ended_at IS NULL AND due_at IS NOT NULL AND due_at < \(bind: end) THEN 1 ELSE 0 END) AS open_late
                FROM dossiers
                WHERE agency_code IN (\(binds: agencies.sorted())) AND received_at IS NOT NULL AND received_at <= \(bind: end)
                  AND (ended_at IS NULL OR ended_at >= \(bind: start))
                GROUP BY agency_code, channel
                """).all().count
        }
    }

    static func milliseconds(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }
    static func format(_ v: Double) -> String { String(Double(Int(v * 10)) / 10) }
    static func peakRSSMegabytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Int(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kb / 1024
    }
}
