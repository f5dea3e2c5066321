import Foundation
import MotCuaCore
import SQLKit

/// Writes counter bookings in the caller's transaction: one multi-row upsert into the daily
/// counters and one into the monthly roll-up (the same SQL on SQLite and PostgreSQL).
enum IndicatorCounters {
    static func add(_ db: any SQLDatabase, key: CounterKey, _ bookings: [CounterBooking]) async throws {
        guard !bookings.isEmpty else { return }
        var daily: [String: (String, String, Int)] = [:], monthly: [String: (String, String, Int)] = [:]
        for b in bookings {
            let day = b.day.description, month = String(day.prefix(7))
            daily["\(day)|\(b.measure.rawValue)", default: (day, b.measure.rawValue, 0)].2 += b.value
            monthly["\(month)|\(b.measure.rawValue)", default: (month, b.measure.rawValue, 0)].2 += b.value
        }
        let tables = [("indicator_counters", "day", daily), ("indicator_counters_monthly", "month", monthly)]
        if let batch = db as? WriteBatch {
            // In a group-commit batch: summed with the other units' bookings, written once at the end.
            for (table, period, rows) in tables {
                for (p, measure, n) in rows.values {
                    batch.addCounter(table: table, period: period, key: [key.agencyCode, p, key.procedureCode, key.channel, measure], value: n)
                }
            }
            return
        }
        for (table, period, rows) in tables {
            let values = rows.values.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map { p, measure, n in
                SQLGroupExpression([SQLBind(key.agencyCode), SQLBind(p), SQLBind(key.procedureCode), SQLBind(key.channel),
                                    SQLBind(measure), SQLBind(n)] as [any SQLExpression])
            }
            try await upsert(db, table: table, period: period, rows: values)
        }
    }

    /// Adds `rows` (agency, period, procedure, channel, measure, value) to the counters of `table`.
    static func upsert(_ db: any SQLDatabase, table: String, period: String, rows: [SQLGroupExpression]) async throws {
        guard !rows.isEmpty else { return }
        try await db.raw("""
            INSERT INTO \(unsafeRaw: table) (agency_code, \(unsafeRaw: period), procedure_code, channel, measure, value)
            VALUES \(SQLList(rows))
            ON CONFLICT (agency_code, \(unsafeRaw: period), procedure_code, channel, measure)
            DO UPDATE SET value = \(unsafeRaw: table).value + excluded.value
            """).run()
    }
}
