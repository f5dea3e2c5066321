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
        try await upsert(db, table: "indicator_counters", period: "day", key: key, daily.values.sorted { ($0.0, $0.1) < ($1.0, $1.1) })
        try await upsert(db, table: "indicator_counters_monthly", period: "month", key: key, monthly.values.sorted { ($0.0, $0.1) < ($1.0, $1.1) })
    }

    static func upsert(_ db: any SQLDatabase, table: String, period: String, key: CounterKey, _ rows: [(String, String, Int)]) async throws {
        let values = rows.map { p, measure, n in
            SQLGroupExpression([SQLBind(key.agencyCode), SQLBind(p), SQLBind(key.procedureCode), SQLBind(key.channel),
                                SQLBind(measure), SQLBind(n)] as [any SQLExpression])
        }
        try await db.raw("""
            INSERT INTO \(unsafeRaw: table) (agency_code, \(unsafeRaw: period), procedure_code, channel, measure, value)
            VALUES \(SQLList(values))
            ON CONFLICT (agency_code, \(unsafeRaw: period), procedure_code, channel, measure)
            DO UPDATE SET value = \(unsafeRaw: table).value + excluded.value
            """).run()
    }
}
