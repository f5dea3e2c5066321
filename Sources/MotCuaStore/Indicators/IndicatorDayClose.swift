import Foundation
import MotCuaCore
import SQLKit

/// The day close: writes, for each day that has ended, the dossiers open at its end (23:59:59
/// local) by key, on time or late as 2.1 judges them at that instant — so that a past period's
/// figures never depend on what happened later.
///
/// It does not matter when the close runs (right after midnight, or days later after downtime):
/// the open set at the end of day D is the current open set, corrected by replaying, for every
/// dossier with an event after D's end, its hot state as of then (`dossier_events` keeps the hot
/// state after each event). Right after midnight that correction is tiny. A day is closed only
/// `grace` seconds after its end, so that a transaction that took its clock before midnight has
/// committed.
public struct IndicatorDayClose: Sendable {
    let database: Database
    public static let grace = 300

    public init(database: Database) { self.database = database }

    /// The open set at the end of `day`, by key.
    static func openSet(_ db: any SQLDatabase, day: CivilDate) async throws -> [CounterKey: OpenCounts] {
        let end = OpenSetHistory.endOfDay(day)
        var out: [CounterKey: OpenCounts] = [:]
        func count(_ key: CounterKey, late: Bool) {
            out[key, default: OpenCounts()] = out[key, default: OpenCounts()] + OpenCounts(onTime: late ? 0 : 1, late: late ? 1 : 0)
        }
        func key(_ r: any SQLRow) throws -> CounterKey {
            CounterKey(agencyCode: try r.decode(column: "agency_code", as: String.self), procedureCode: try r.decode(column: "procedure_code", as: String.self),
                       channel: try r.decode(column: "channel", as: String.self))
        }
        func optional(_ r: any SQLRow, _ c: String) throws -> Int? { try r.decodeNil(column: c) ? nil : try r.decode(column: c, as: Int.self) }
        let changed = Set(try await db.raw("SELECT DISTINCT dossier_code FROM dossier_events WHERE at > \(bind: end)").all()
            .map { try $0.decode(column: "dossier_code", as: String.self) })
        // Open now and unchanged since the day's end: their columns are their state then.
        for r in try await db.raw("""
            SELECT code, agency_code, procedure_code, channel, due_at, supplement_count, waiting_since FROM dossiers
            WHERE ended_at IS NULL AND received_at IS NOT NULL AND received_at <= \(bind: end)
            """).all() {
            guard !changed.contains(try r.decode(column: "code", as: String.self)) else { continue }
            let hot = IndicatorHotState(dueAt: try optional(r, "due_at"), supplementCount: try r.decode(column: "supplement_count", as: Int.self),
                                        waitingSince: try optional(r, "waiting_since"))
            count(try key(r), late: hot.isLate(at: end))
        }
        // Changed since: open at the day's end with the hot state of their latest event by then.
        let codes = Array(changed).sorted()
        for start in stride(from: 0, to: codes.count, by: 500) {
            let chunk = Array(codes[start..<min(start + 500, codes.count)])
            var keys: [String: CounterKey] = [:]
            for r in try await db.raw("""
                SELECT code, agency_code, procedure_code, channel FROM dossiers WHERE code IN (\(binds: chunk))
                AND received_at IS NOT NULL AND received_at <= \(bind: end) AND (ended_at IS NULL OR ended_at > \(bind: end))
                """).all() {
                keys[try r.decode(column: "code", as: String.self)] = try key(r)
            }
            guard !keys.isEmpty else { continue }
            var latest: [String: IndicatorHotState] = [:]
            for r in try await db.raw("""
                SELECT dossier_code, due_at, supplement_count, waiting_since FROM dossier_events
                WHERE dossier_code IN (\(binds: Array(keys.keys).sorted())) AND at <= \(bind: end) ORDER BY dossier_code, at, seq
                """).all() {
                latest[try r.decode(column: "dossier_code", as: String.self)] = IndicatorHotState(
                    dueAt: try optional(r, "due_at"), supplementCount: try optional(r, "supplement_count") ?? 0, waitingSince: try optional(r, "waiting_since"))
            }
            for (code, k) in keys { if let hot = latest[code] { count(k, late: hot.isLate(at: end)) } }
        }
        return out
    }

    /// Closes every day not yet closed whose end is at least `grace` seconds before `now`, from the
    /// day after the last closed one (or the first receipt); returns the days closed.
    @discardableResult
    public func closeDays(now: Date) async throws -> [CivilDate] {
        let t = Int(now.timeIntervalSince1970)
        var lastEnded = DeadlineCalculator.localDate(of: now)
        lastEnded = CivilDate(julianDay: lastEnded.julianDay - 1)
        if OpenSetHistory.endOfDay(lastEnded) + Self.grace > t { lastEnded = CivilDate(julianDay: lastEnded.julianDay - 1) }
        let first: CivilDate? = try await database.read { db in
            if let last = try await db.raw("SELECT MAX(day) AS d FROM indicator_closed_days").first(),
               !(try last.decodeNil(column: "d")), let d = CivilDate(iso: try last.decode(column: "d", as: String.self)) {
                return CivilDate(julianDay: d.julianDay + 1)
            }
            return try await Self.firstDay(db)
        }
        guard let start = first, start <= lastEnded else { return [] }
        var closed: [CivilDate] = []
        for jd in start.julianDay...lastEnded.julianDay {
            let day = CivilDate(julianDay: jd)
            try await database.write { db in
                guard try await db.select().column("day").from("indicator_closed_days").where("day", .equal, day.description).first() == nil else { return }
                try await Self.write(db, day: day, counts: try await Self.openSet(db, day: day), at: t)
            }
            closed.append(day)
        }
        return closed
    }

    /// The first day the open set is kept for: the first of the month of the first receipt.
    static func firstDay(_ db: any SQLDatabase) async throws -> CivilDate? {
        guard let row = try await db.raw("SELECT MIN(received_at) AS r FROM dossiers").first(), !(try row.decodeNil(column: "r")) else { return nil }
        let d = DeadlineCalculator.localDate(of: Date(timeIntervalSince1970: TimeInterval(try row.decode(column: "r", as: Int.self))))
        return CivilDate(year: d.year, month: d.month, day: 1)
    }

    /// Writes one day's snapshot and marks it closed.
    static func write(_ db: any SQLDatabase, day: CivilDate, counts: [CounterKey: OpenCounts], at: Int) async throws {
        let rows = counts.sorted { $0.key < $1.key }
        for start in stride(from: 0, to: rows.count, by: 400) {
            var insert = db.insert(into: "indicator_open_days").columns("agency_code", "day", "procedure_code", "channel", "on_time", "late")
            for (k, c) in rows[start..<min(start + 400, rows.count)] {
                insert = insert.values(SQLBind(k.agencyCode), SQLBind(day.description), SQLBind(k.procedureCode), SQLBind(k.channel),
                                       SQLBind(c.onTime), SQLBind(c.late))
            }
            try await insert.run()
        }
        try await db.insert(into: "indicator_closed_days").columns("day", "closed_at").values(SQLBind(day.description), SQLBind(at)).run()
    }
}
