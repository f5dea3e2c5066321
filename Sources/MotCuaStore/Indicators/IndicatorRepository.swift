import Foundation
import MotCuaCore
import SQLKit

/// Decision 766 indicators as of a period's end, from aggregates — cost grows with months × keys
/// and with the open set, never with the dossier table:
/// - Counters (`IndicatorCounters`) are booked on the day of the event that makes them true, so a
///   past period's sums are fixed by the events up to its end. Whole months are read from the
///   monthly roll-up, the days at either edge from the daily counters.
/// - The open dossiers at the period end: for a period that reaches today, the live open set
///   classified at `now` (one scan of a partial index); for a past period, the snapshot of its
///   last day written by the day close (`IndicatorDayClose`), or computed the same way if that day
///   is not closed yet.
public struct IndicatorRepository: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// Sums of every measure over the agencies and the days [from, to], in total and, for the
    /// measures kept by procedure (`IndicatorCounters.procedureMeasures`), by procedure. Whole
    /// years and months come from the roll-ups, the days at either edge from the daily counters.
    public func counterSums(agencies: Set<String>, from: CivilDate, to: CivilDate) async throws -> (total: CounterSums, byProcedure: [String: CounterSums]) {
        guard !agencies.isEmpty, from <= to else { return (CounterSums(), [:]) }
        let split = Self.split(from: from, to: to)
        return try await database.read { db in
            var total = CounterSums(), byProcedure: [String: CounterSums] = [:]
            func collect(_ rows: [any SQLRow], total addsToTotal: Bool, byProcedure addsByProcedure: Bool) throws {
                for r in rows {
                    guard let m = IndicatorMeasure(rawValue: try r.decode(column: "measure", as: String.self)) else { continue }
                    let v = try r.decode(column: "total", as: Int.self)
                    if addsToTotal { total[m] += v }
                    if addsByProcedure, IndicatorCounters.procedureMeasures.contains(m) {
                        byProcedure[try r.decode(column: "procedure_code", as: String.self), default: CounterSums()][m] += v
                    }
                }
            }
            let codes = Array(agencies), sum = SQLRaw("CAST(SUM(value) AS BIGINT)")
            if !split.periods.isEmpty {
                try collect(try await db.select().column("measure").column(sum, as: "total").from(CounterTable.totals.name)
                    .where("period", .in, split.periods).where("agency_code", .in, codes).groupBy("measure").all(),
                            total: true, byProcedure: false)
                try collect(try await db.select().column("procedure_code").column("measure").column(sum, as: "total").from(CounterTable.procedureTotals.name)
                    .where("period", .in, split.periods).where("agency_code", .in, codes).groupBy("procedure_code").groupBy("measure").all(),
                            total: false, byProcedure: true)
            }
            for (a, b) in split.dayRanges {
                try collect(try await db.select().column("procedure_code").column("measure").column(sum, as: "total")
                    .from(CounterTable.daily.name).where("agency_code", .in, codes)
                    .where("day", .greaterThanOrEqual, a.description).where("day", .lessThanOrEqual, b.description)
                    .groupBy("procedure_code").groupBy("measure").all(), total: true, byProcedure: true)
            }
            return (total, byProcedure)
        }
    }

    /// [from, to] as the roll-ups' periods it covers whole (years "YYYY", then months "YYYY-MM")
    /// and the day ranges left at its edges.
    static func split(from: CivilDate, to: CivilDate) -> (periods: [String], dayRanges: [(CivilDate, CivilDate)]) {
        var years: [String] = [], months: [String] = [], ranges: [(CivilDate, CivilDate)] = []
        var cursor = from
        while cursor <= to {
            if cursor.month == 1, cursor.day == 1, let yearEnd = CivilDate(year: cursor.year, month: 12, day: 31), yearEnd <= to,
               let next = CivilDate(year: cursor.year + 1, month: 1, day: 1) {
                years.append(String(cursor.year))
                cursor = next
                continue
            }
            let first = CivilDate(year: cursor.year, month: cursor.month, day: 1)!
            let next = cursor.month == 12 ? CivilDate(year: cursor.year + 1, month: 1, day: 1)! : CivilDate(year: cursor.year, month: cursor.month + 1, day: 1)!
            let last = CivilDate(julianDay: next.julianDay - 1)
            if cursor == first && last <= to {
                months.append(String(first.description.prefix(7)))
            } else {
                let end = min(last, to)
                if let l = ranges.last, l.1.julianDay + 1 == cursor.julianDay { ranges[ranges.count - 1].1 = end } else { ranges.append((cursor, end)) }
            }
            cursor = next
        }
        return (years + months, ranges)
    }

    /// The open set now, classified at `now`.
    public func liveOpen(agencies: Set<String>, now: Date) async throws -> OpenCounts {
        guard !agencies.isEmpty else { return OpenCounts() }
        let t = Int(now.timeIntervalSince1970)
        return try await database.read { db in
            let row = try await db.raw("""
                SELECT CAST(COUNT(*) AS BIGINT) AS total,
                       CAST(COALESCE(SUM(CASE WHEN supplement_count > 1 OR (due_at IS NOT NULL AND COALESCE(waiting_since, \(bind: t)) > due_at)
                                 THEN 1 ELSE 0 END), 0) AS BIGINT) AS late
                FROM dossiers WHERE ended_at IS NULL AND received_at IS NOT NULL AND agency_code IN (\(binds: Array(agencies)))
                """).first()
            let total = try row?.decode(column: "total", as: Int.self) ?? 0, late = try row?.decode(column: "late", as: Int.self) ?? 0
            return OpenCounts(onTime: total - late, late: late)
        }
    }

    /// The open set at the end of day `day` from its snapshot (nil when the day is not closed).
    public func closedOpen(agencies: Set<String>, day: CivilDate) async throws -> OpenCounts? {
        try await database.read { db in
            guard try await db.select().column("day").from("indicator_closed_days").where("day", .equal, day.description).first() != nil else { return nil }
            guard !agencies.isEmpty else { return OpenCounts() }
            let row = try await db.select().column(SQLRaw("CAST(COALESCE(SUM(on_time), 0) AS BIGINT)"), as: "on_time")
                .column(SQLRaw("CAST(COALESCE(SUM(late), 0) AS BIGINT)"), as: "late")
                .from("indicator_open_days").where("day", .equal, day.description).where("agency_code", .in, Array(agencies)).first()
            return OpenCounts(onTime: try row?.decode(column: "on_time", as: Int.self) ?? 0, late: try row?.decode(column: "late", as: Int.self) ?? 0)
        }
    }

    /// The open set at the end of the period [.., to] as seen at `now`.
    public func openAtEnd(agencies: Set<String>, to: CivilDate, now: Date) async throws -> OpenCounts {
        let end = OpenSetHistory.endOfDay(to)
        if end >= Int(now.timeIntervalSince1970) { return try await liveOpen(agencies: agencies, now: now) }
        if let closed = try await closedOpen(agencies: agencies, day: to) { return closed }
        let computed = try await database.read { db in try await IndicatorDayClose.openSet(db, day: to) }
        return computed.filter { agencies.contains($0.key.agencyCode) }.values.reduce(OpenCounts(), +)
    }

    /// Feedback to the agencies submitted in [from, to] (up to `end`).
    public func feedback(agencies: Set<String>, from: CivilDate, end: Date) async throws -> [FeedbackFact] {
        guard !agencies.isEmpty else { return [] }
        let start = Int(DeadlineCalculator.startOfDay(from).timeIntervalSince1970), stop = Int(end.timeIntervalSince1970)
        return try await database.read { db in
            try await db.select().columns("category", "submitted_at", "due_at", "answered_at", "dossier_code").from("feedback")
                .where("agency_code", .in, Array(agencies)).where("submitted_at", .greaterThanOrEqual, start).where("submitted_at", .lessThanOrEqual, stop)
                .all().map { r in
                    func date(_ c: String) throws -> Date? { try r.decodeNil(column: c) ? nil : Date(timeIntervalSince1970: TimeInterval(try r.decode(column: c, as: Int.self))) }
                    return FeedbackFact(category: FeedbackSubmission.Category(rawValue: try r.decode(column: "category", as: String.self)) ?? .other,
                                        submittedAt: try date("submitted_at") ?? end, dueAt: try date("due_at") ?? end, answeredAt: try date("answered_at"),
                                        aboutDossier: !(try r.decodeNil(column: "dossier_code")))
                }
        }
    }
}

/// Every aggregate row, keyed as text: what a rebuild must reproduce exactly.
public struct AggregateSnapshot: Equatable, Sendable {
    public var daily: [String: Int] = [:]
    /// The roll-ups, keyed "table|key columns…".
    public var totals: [String: Int] = [:]
    public var openDays: [String: String] = [:]
    public var closedDays: Set<String> = []
}

extension IndicatorRepository {
    public func snapshot() async throws -> AggregateSnapshot {
        try await database.read { db in
            var out = AggregateSnapshot()
            for table in CounterTable.all {
                for r in try await db.select().columns(table.keys + ["value"]).from(table.name).all() {
                    let key = try table.keys.map { try r.decode(column: $0, as: String.self) }.joined(separator: "|")
                    let v = try r.decode(column: "value", as: Int.self)
                    guard v != 0 else { continue }
                    if table == .daily { out.daily[key] = v } else { out.totals["\(table.name)|\(key)"] = v }
                }
            }
            for r in try await db.select().columns("agency_code", "day", "procedure_code", "channel", "on_time", "late").from("indicator_open_days").all() {
                let key = try ["agency_code", "day", "procedure_code", "channel"].map { try r.decode(column: $0, as: String.self) }.joined(separator: "|")
                out.openDays[key] = "\(try r.decode(column: "on_time", as: Int.self))/\(try r.decode(column: "late", as: Int.self))"
            }
            out.closedDays = Set(try await db.select().column("day").from("indicator_closed_days").all().map { try $0.decode(column: "day", as: String.self) })
            return out
        }
    }
}
