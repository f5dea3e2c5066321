import Foundation
import MotCuaCore
import SQLKit

/// A table of counters that add up: its name and its key columns (a `value` column follows).
struct CounterTable: Hashable, Sendable {
    let name: String
    let keys: [String]

    /// Per agency, day, procedure, channel and measure: the source every roll-up is made from.
    static let daily = CounterTable(name: "indicator_counters", keys: ["agency_code", "day", "procedure_code", "channel", "measure"])
    /// Per period ("YYYY" or "YYYY-MM"), agency and measure: a year of a province is one row per
    /// agency and measure.
    static let totals = CounterTable(name: "indicator_totals", keys: ["period", "agency_code", "measure"])
    /// Per period, agency, procedure and measure, for the measures read by procedure only.
    static let procedureTotals = CounterTable(name: "indicator_procedure_totals", keys: ["period", "agency_code", "procedure_code", "measure"])

    /// In the order statements write them (the same order in every transaction).
    static let all = [daily, procedureTotals, totals]
}

/// Writes counter bookings in the caller's transaction: one multi-row upsert into the daily
/// counters and one into each roll-up, by month and by year (the same SQL on SQLite and
/// PostgreSQL), so that the roll-ups always equal the sums of the daily counters.
enum IndicatorCounters {
    /// The measures kept by procedure in the roll-ups: what 2.2 (time per procedure) and 3.2
    /// (procedures with online dossiers) read.
    static let procedureMeasures: Set<IndicatorMeasure> = [.endedEarly, .endedOnTime, .endedLate, .endedSeconds, .receivedOnline]

    /// The rows of every counter table that `bookings` add to, by key.
    static func rows(key: CounterKey, _ bookings: [CounterBooking]) -> [CounterTable: [[String]: Int]] {
        var rows: [CounterTable: [[String]: Int]] = [:]
        for b in bookings {
            let day = b.day.description, measure = b.measure.rawValue
            rows[.daily, default: [:]][[key.agencyCode, day, key.procedureCode, key.channel, measure], default: 0] += b.value
            for period in [String(day.prefix(7)), String(day.prefix(4))] {
                rows[.totals, default: [:]][[period, key.agencyCode, measure], default: 0] += b.value
                if procedureMeasures.contains(b.measure) {
                    rows[.procedureTotals, default: [:]][[period, key.agencyCode, key.procedureCode, measure], default: 0] += b.value
                }
            }
        }
        return rows
    }

    static func add(_ db: any SQLDatabase, key: CounterKey, _ bookings: [CounterBooking]) async throws {
        guard !bookings.isEmpty else { return }
        let rows = rows(key: key, bookings)
        if let batch = db as? WriteBatch {
            // In a group-commit batch: summed with the other units' bookings, written once at the end.
            for table in CounterTable.all {
                for (k, n) in rows[table] ?? [:] { batch.addCounter(table, key: k, value: n) }
            }
            return
        }
        for table in CounterTable.all {
            guard let r = rows[table] else { continue }
            let values = r.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map { k, n in
                SQLGroupExpression(k.map { SQLBind($0) as any SQLExpression } + [SQLBind(n)])
            }
            try await upsert(db, table: table, rows: values)
        }
    }

    /// Adds `rows` (the key columns, then the value) to the counters of `table`.
    static func upsert(_ db: any SQLDatabase, table: CounterTable, rows: [SQLGroupExpression]) async throws {
        guard !rows.isEmpty else { return }
        let keys = table.keys.joined(separator: ", ")
        try await db.raw("""
            INSERT INTO \(unsafeRaw: table.name) (\(unsafeRaw: keys), value) VALUES \(SQLList(rows))
            ON CONFLICT (\(unsafeRaw: keys)) DO UPDATE SET value = \(unsafeRaw: table.name).value + excluded.value
            """).run()
    }

    /// Adds to the roll-ups the daily counters of the days [from, before) (every day when nil),
    /// summed by month (`length` 7) or by year (`length` 4).
    static func rollUp(_ db: any SQLDatabase, length: Int, days: (from: String, before: String)? = nil) async throws {
        precondition(length == 4 || length == 7)
        // SQLite needs a WHERE in an INSERT … SELECT with an upsert clause.
        let range: SQLQueryString = days.map { "day >= \(bind: $0.from) AND day < \(bind: $0.before)" } ?? "1 = 1"
        let period = "SUBSTR(day, 1, \(length))"
        try await db.raw("""
            INSERT INTO indicator_totals (period, agency_code, measure, value)
            SELECT \(unsafeRaw: period), agency_code, measure, SUM(value) FROM indicator_counters WHERE \(range)
            GROUP BY \(unsafeRaw: period), agency_code, measure
            ON CONFLICT (period, agency_code, measure) DO UPDATE SET value = indicator_totals.value + excluded.value
            """).run()
        try await db.raw("""
            INSERT INTO indicator_procedure_totals (period, agency_code, procedure_code, measure, value)
            SELECT \(unsafeRaw: period), agency_code, procedure_code, measure, SUM(value) FROM indicator_counters
            WHERE \(range) AND measure IN (\(binds: procedureMeasures.map(\.rawValue).sorted()))
            GROUP BY \(unsafeRaw: period), agency_code, procedure_code, measure
            ON CONFLICT (period, agency_code, procedure_code, measure) DO UPDATE SET value = indicator_procedure_totals.value + excluded.value
            """).run()
    }

    /// Before a rebuild from `start` (the first day of a month): the roll-ups' months from
    /// `start`'s and years from `start`'s go; `start`'s year is summed again from the daily
    /// counters of the days before `start`, which the rebuild keeps.
    static func resetRollUps(_ db: any SQLDatabase, from start: CivilDate) async throws {
        let day = start.description, month = String(day.prefix(7)), year = String(day.prefix(4))
        for table in [CounterTable.totals, .procedureTotals] {
            try await db.raw("""
                DELETE FROM \(unsafeRaw: table.name)
                WHERE (LENGTH(period) = 7 AND period >= \(bind: month)) OR (LENGTH(period) = 4 AND period >= \(bind: year))
                """).run()
        }
        try await rollUp(db, length: 4, days: (from: "\(year)-01-01", before: day))
    }
}
