import Foundation
import MotCuaCore
import SQLKit

/// Collects counter bookings and the open set per closed day in memory and adds them to the
/// tables in bulk (upserts that add): the rebuild and the demo generator write through it.
struct IndicatorAccumulator {
    var counters: [String: (CounterKey, CounterBooking)] = [:]
    var open: OpenSetHistory
    /// Bookings before this day are dropped (a rebuild from a day keeps what came before).
    let fromDay: CivilDate

    init(fromDay: CivilDate, lastClosedDay: CivilDate) {
        self.fromDay = fromDay
        open = OpenSetHistory(firstDay: fromDay, lastDay: lastClosedDay)
    }

    mutating func book(_ key: CounterKey, _ bookings: [CounterBooking]) {
        for b in bookings where b.day >= fromDay {
            let id = "\(key.agencyCode)|\(key.procedureCode)|\(key.channel)|\(b.day)|\(b.measure.rawValue)"
            if let existing = counters[id] {
                var e = existing.1
                e.value += b.value
                counters[id] = (key, e)
            } else {
                counters[id] = (key, b)
            }
        }
    }

    /// Adds one dossier: its final state and its events with their hot states.
    mutating func add(_ s: DossierState, events: [(Transition, IndicatorHotState)]) {
        let key = CounterKey(agencyCode: s.agencyCode, procedureCode: s.procedureCode, channel: s.channel.rawValue)
        for (t, _) in events { book(key, IndicatorBookings.bookings(t, state: s)) }
        if let received = s.receivedAt {
            open.add(key: key, receivedAt: Int(received.timeIntervalSince1970), endedAt: s.processingEndedAt.map { Int($0.timeIntervalSince1970) },
                     events: events.map { (Int($0.0.at.timeIntervalSince1970), $0.1) })
        }
    }

    /// Writes what was collected (adding to what the tables hold) and empties the buffers.
    mutating func flush(_ db: any SQLDatabase) async throws {
        var byKey: [CounterKey: [CounterBooking]] = [:]
        for (_, (k, b)) in counters { byKey[k, default: []].append(b) }
        for (k, bookings) in byKey.sorted(by: { $0.key < $1.key }) {
            for start in stride(from: 0, to: bookings.count, by: 300) {
                try await IndicatorCounters.add(db, key: k, Array(bookings[start..<min(start + 300, bookings.count)]))
            }
        }
        counters.removeAll(keepingCapacity: true)
        let rows = open.days.sorted { ($0.key.day, $0.key.key) < ($1.key.day, $1.key.key) }
        for start in stride(from: 0, to: rows.count, by: 300) {
            let values = rows[start..<min(start + 300, rows.count)].map { k, c in
                SQLGroupExpression([SQLBind(k.key.agencyCode), SQLBind(k.day.description), SQLBind(k.key.procedureCode), SQLBind(k.key.channel),
                                    SQLBind(c.onTime), SQLBind(c.late)] as [any SQLExpression])
            }
            try await db.raw("""
                INSERT INTO indicator_open_days (agency_code, day, procedure_code, channel, on_time, late) VALUES \(SQLList(values))
                ON CONFLICT (day, agency_code, procedure_code, channel)
                DO UPDATE SET on_time = indicator_open_days.on_time + excluded.on_time, late = indicator_open_days.late + excluded.late
                """).run()
        }
        open = OpenSetHistory(firstDay: open.firstDay, lastDay: open.lastDay)
    }

    /// Empties the buffers without writing them (after a copy of them was flushed).
    mutating func clear() {
        counters.removeAll(keepingCapacity: true)
        open = OpenSetHistory(firstDay: open.firstDay, lastDay: open.lastDay)
    }

    /// Marks the days [fromDay, lastClosedDay] closed.
    func markClosed(_ db: any SQLDatabase, at: Int) async throws {
        guard fromDay <= open.lastDay else { return }
        let days = Array(fromDay.julianDay...open.lastDay.julianDay)
        for start in stride(from: 0, to: days.count, by: 400) {
            var insert = db.insert(into: "indicator_closed_days").columns("day", "closed_at")
            for jd in days[start..<min(start + 400, days.count)] { insert = insert.values(SQLBind(CivilDate(julianDay: jd).description), SQLBind(at)) }
            try await insert.run()
        }
    }
}

/// `motcua indicators rebuild`: recomputes every aggregate from the dossiers' histories (their
/// events with the hot state after each, the final state for the facts each booking reads, the
/// ratings), in one transaction, and returns how many dossiers it read.
public struct IndicatorRebuild: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// The last day whose end is `IndicatorDayClose.grace` before `now`.
    static func lastClosable(now: Date) -> CivilDate {
        var d = CivilDate(julianDay: DeadlineCalculator.localDate(of: now).julianDay - 1)
        if OpenSetHistory.endOfDay(d) + IndicatorDayClose.grace > Int(now.timeIntervalSince1970) { d = CivilDate(julianDay: d.julianDay - 1) }
        return d
    }

    /// Rebuilds from the first day of `from`'s month (nil: everything).
    public func run(from: CivilDate?, now: Date, progress: @escaping @Sendable (Int, Int) -> Void) async throws -> Int {
        try await database.write { db in
            guard let first = try await IndicatorDayClose.firstDay(db) else { return 0 }
            let start = max(first, from.map { CivilDate(year: $0.year, month: $0.month, day: 1)! } ?? first)
            let startText = start.description
            let total = try await db.raw("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM dossiers").first()?.decode(column: "n", as: Int.self) ?? 0
            try await db.delete(from: "indicator_counters").where("day", .greaterThanOrEqual, startText).run()
            try await IndicatorCounters.resetRollUps(db, from: start)
            try await db.delete(from: "indicator_open_days").where("day", .greaterThanOrEqual, startText).run()
            try await db.delete(from: "indicator_closed_days").where("day", .greaterThanOrEqual, startText).run()
            var acc = IndicatorAccumulator(fromDay: start, lastClosedDay: Self.lastClosable(now: now))
            var after = "", done = 0
            while true {
                let page = try await db.select().columns("code", "state").from("dossiers").where("code", .greaterThan, after)
                    .orderBy("code").limit(1000).all()
                guard let last = page.last else { break }
                after = try last.decode(column: "code", as: String.self)
                let states = try page.map { try StoredJSON.decode(DossierState.self, from: $0.decode(column: "state", as: String.self)) }
                var events: [String: [(Transition, IndicatorHotState)]] = [:]
                for r in try await db.raw("""
                    SELECT dossier_code, event, due_at, supplement_count, waiting_since FROM dossier_events
                    WHERE dossier_code IN (\(binds: states.map(\.code))) ORDER BY dossier_code, seq
                    """).all() {
                    func optional(_ c: String) throws -> Int? { try r.decodeNil(column: c) ? nil : try r.decode(column: c, as: Int.self) }
                    let hot = IndicatorHotState(dueAt: try optional("due_at"), supplementCount: try optional("supplement_count") ?? 0,
                                                waitingSince: try optional("waiting_since"))
                    events[try r.decode(column: "dossier_code", as: String.self), default: []]
                        .append((try StoredJSON.decode(Transition.self, from: r.decode(column: "event", as: String.self)), hot))
                }
                for s in states { acc.add(s, events: events[s.code] ?? []) }
                done += states.count
                if acc.counters.count + acc.open.days.count > 200_000 { try await acc.flush(db) }
                progress(done, total)
            }
            var ratingsAfter = ""
            while true {
                let page = try await db.raw("""
                    SELECT r.dossier_code, r.overall, r.created_at, d.agency_code, d.procedure_code, d.channel FROM ratings r
                    JOIN dossiers d ON d.code = r.dossier_code WHERE r.dossier_code > \(bind: ratingsAfter) ORDER BY r.dossier_code LIMIT 5000
                    """).all()
                guard let last = page.last else { break }
                ratingsAfter = try last.decode(column: "dossier_code", as: String.self)
                for r in page {
                    let key = CounterKey(agencyCode: try r.decode(column: "agency_code", as: String.self),
                                         procedureCode: try r.decode(column: "procedure_code", as: String.self), channel: try r.decode(column: "channel", as: String.self))
                    let level = Rating.Level(rawValue: try r.decode(column: "overall", as: String.self)) ?? .normal
                    acc.book(key, IndicatorBookings.rating(level, at: Date(timeIntervalSince1970: TimeInterval(try r.decode(column: "created_at", as: Int.self)))))
                }
            }
            try await acc.flush(db)
            try await acc.markClosed(db, at: Int(now.timeIntervalSince1970))
            return done
        }
    }
}
