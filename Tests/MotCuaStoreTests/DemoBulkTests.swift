import Foundation
import MotCuaCore
@testable import MotCuaStore
import MotCuaTestSupport
import SQLKit
import Testing

/// The bulk history generator: through the workflow rules, deterministic, and its aggregates equal
/// a rebuild from the events it wrote.
struct DemoBulkTests {
    static let now = ISO8601DateFormatter().date(from: "2026-06-15T03:00:00Z")!

    static func generated(_ kind: DatabaseKind, count: Int, seed: UInt64,
                          _ check: (Database, Int) async throws -> Void) async throws {
        try await TestDatabases.with(kind) { db, _ in
            try await DemoSeeder.seed(db, now: now, logger: TestDatabases.logger, hashPassword: { "test:" + $0 }, withHistory: true)
            let n = try await DemoBulk(database: db).generate(count: count, seed: seed, from: CivilDate(iso: "2025-05-01")!,
                                                              to: CivilDate(iso: "2026-06-15")!, now: now, progress: { _, _ in })
            try await check(db, n)
        }
    }

    static func fingerprint(_ db: Database) async throws -> [String] {
        try await db.read { db in
            try await db.raw("SELECT code, status, received_at, ended_at FROM dossiers ORDER BY code").all().map { r in
                "\(try r.decode(column: "code", as: String.self)) \(try r.decode(column: "status", as: String.self)) \(try r.decode(column: "received_at", as: Int?.self) ?? 0) \(try r.decode(column: "ended_at", as: Int?.self) ?? 0)"
            }
        }
    }

    /// The roll-up rows (`CounterTable.totals`, `.procedureTotals`) that daily counters sum to.
    static func rolledUp(_ daily: [String: Int]) -> [String: Int] {
        var out: [String: Int] = [:]
        for (key, v) in daily {
            let k = key.split(separator: "|", omittingEmptySubsequences: false).map(String.init)  // agency, day, procedure, channel, measure
            for period in [String(k[1].prefix(7)), String(k[1].prefix(4))] {
                out["indicator_totals|\(period)|\(k[0])|\(k[4])", default: 0] += v
                if let m = IndicatorMeasure(rawValue: k[4]), IndicatorCounters.procedureMeasures.contains(m) {
                    out["indicator_procedure_totals|\(period)|\(k[0])|\(k[2])|\(k[4])", default: 0] += v
                }
            }
        }
        return out.filter { $0.value != 0 }
    }

    @Test func periodsSplitIntoYearsMonthsAndEdgeDays() {
        func split(_ a: String, _ b: String) -> [String] {
            let s = IndicatorRepository.split(from: CivilDate(iso: a)!, to: CivilDate(iso: b)!)
            return s.periods + s.dayRanges.map { "\($0.0)..\($0.1)" }
        }
        #expect(split("2026-01-01", "2026-12-31") == ["2026"])
        #expect(split("2025-12-15", "2027-02-10") == ["2026", "2027-01", "2025-12-15..2025-12-31", "2027-02-01..2027-02-10"])
        #expect(split("2026-03-01", "2026-05-31") == ["2026-03", "2026-04", "2026-05"])
        #expect(split("2026-02-10", "2026-02-10") == ["2026-02-10..2026-02-10"])
        #expect(split("2026-01-01", "2026-12-30") == (1...11).map { String(format: "2026-%02d", $0) } + ["2026-12-01..2026-12-30"])
        #expect(split("2026-05-02", "2026-05-01").isEmpty)
    }

    @Test(arguments: TestDatabases.kinds)
    func generatedHistoryEqualsItsRebuild(kind: DatabaseKind) async throws {
        try await Self.generated(kind, count: 3000, seed: 42) { db, n in
            #expect(n == 3000)
            let indicators = IndicatorService(database: db)
            let statuses = try await db.read { db in
                try await db.raw("SELECT status, CAST(COUNT(*) AS BIGINT) AS n FROM dossiers GROUP BY status").all().reduce(into: [String: Int]()) {
                    $0[try $1.decode(column: "status", as: String.self)] = try $1.decode(column: "n", as: Int.self)
                }
            }
            // Every fate happens: returned, withdrawn, refused, still open.
            for s in ["returned", "withdrawn", "refused", "processing"] { #expect((statuses[s] ?? 0) > 0, "\(s): \(statuses)") }
            try await indicators.dayClose.closeDays(now: Self.now)
            let stored = try await indicators.indicators.snapshot()
            _ = try await indicators.rebuild.run(from: nil, now: Self.now, progress: { _, _ in })
            let rebuilt = try await indicators.indicators.snapshot()
            #expect(rebuilt == stored && !stored.openDays.isEmpty)
            if rebuilt != stored {
                for (k, v) in stored.daily where rebuilt.daily[k] != v { Issue.record("daily \(k): generated \(v), rebuilt \(rebuilt.daily[k] ?? 0)") }
                for (k, v) in stored.openDays where rebuilt.openDays[k] != v { Issue.record("open \(k): generated \(v), rebuilt \(rebuilt.openDays[k] ?? "-")") }
                for (k, v) in rebuilt.openDays where stored.openDays[k] == nil { Issue.record("open \(k): only rebuilt \(v)") }
            }
            // The roll-ups by month and year are the sums of the daily counters, summed here.
            let expected = Self.rolledUp(stored.daily)
            #expect(stored.totals == expected && expected.count > 100)
            for (k, v) in expected where stored.totals[k] != v { Issue.record("roll-up \(k): daily sum \(v), stored \(stored.totals[k] ?? 0)") }
            // A rebuild from a day inside a year keeps the months before it and sums the year again.
            _ = try await indicators.rebuild.run(from: CivilDate(iso: "2026-03-10")!, now: Self.now, progress: { _, _ in })
            #expect(try await indicators.indicators.snapshot() == stored)
            // Gap-free codes: every number of a day up to its sequence is used, and live intake continues after it.
            let sequences = try await DemoBulk.sequences(db, from: CivilDate(iso: "2025-05-01")!, to: CivilDate(iso: "2026-06-15")!)
            let codes = Set(try await Self.fingerprint(db).map { String($0.split(separator: " ")[0]) })
            for (key, last) in sequences {
                let parts = key.split(separator: "|").map(String.init)
                let day = CivilDate(iso: parts[1])!
                let lastUsed = (1...max(1, last)).allSatisfy { codes.contains(Intake.dossierCode(agency: parts[0], date: day, sequence: $0)) }
                let nextFree = !codes.contains(Intake.dossierCode(agency: parts[0], date: day, sequence: last + 1))
                #expect(lastUsed && nextFree, "\(key) → \(last)")
            }
        }
    }

    @Test func sameSeedSameData() async throws {
        var runs: [[String]] = []
        for _ in 0..<2 { try await Self.generated(.sqlite, count: 500, seed: 7) { db, _ in runs.append(try await Self.fingerprint(db)) } }
        #expect(runs.count == 2 && runs[0] == runs[1] && runs[0].count > 500)
        try await Self.generated(.sqlite, count: 500, seed: 8) { db, _ in
            let other = try await Self.fingerprint(db)
            #expect(other != runs[0])
        }
    }
}
