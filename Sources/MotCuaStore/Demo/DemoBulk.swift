import Foundation
import MotCuaCore
import SQLKit

/// `motcua demo --dossiers N --seed S`: a province-sized history, generated through the real
/// workflow rules (`Intake.newDossier`, `Workflow.apply`) with a simulated clock, and written in
/// bulk — multi-row inserts in transactions of a few thousand dossiers, no HTTP, no per-dossier
/// transaction. The indicator aggregates are booked in memory by the same `IndicatorAccumulator`
/// as the rebuild and added at the end, so the result equals a rebuild (a test checks it).
///
/// Every agency that exists on a day receives the procedures it serves that day (the 2025
/// reorganisation applies by itself: merged communes stop, their successors start); the online
/// share rises over the period; 4% are withdrawn, 2% refused, 8% wait for a supplement, about 10%
/// are slow and finish late (with an apology), the rest end on time; the last ones are still open.
/// Same seed, same catalog, same period → the same dossiers.
///
/// Generated dossiers carry no audit entries and no printed-form numbers: they are not the acts
/// of officers. Their codes use the agencies' daily sequences, which are advanced, so live intake
/// continues without a gap or a collision.
public struct DemoBulk: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// One generated dossier: its final state and its events with the hot state after each.
    struct Generated {
        var state: DossierState
        var events: [(seq: Int, transition: Transition, hot: IndicatorHotState)]
    }

    /// Generates `count` dossiers received over [from, to] (working days), as of `now`; returns the
    /// number written. `progress(done, total)` is called after each batch.
    public func generate(count: Int, seed: UInt64, from: CivilDate, to: CivilDate, now: Date,
                         progress: @escaping @Sendable (Int, Int) -> Void) async throws -> Int {
        let calendar = try await CalendarRepository(database: database).workingCalendar()
        let deadlines = DeadlineCalculator(calendar: calendar)
        let catalog = CatalogRepository(database: database)
        let agencies = try await catalog.agencies()
        let procedures = try await catalog.procedures(ProcedureFilter(limit: 100_000))
        let serving: [(Agency, [Procedure])] = agencies.compactMap { a in
            let served = procedures.filter { p in !p.cases.isEmpty && (p.agencies.contains(a.code) || p.agencyKinds.contains(a.kind)) }
            return served.isEmpty ? nil : (a, served)
        }
        var workingDays = (from.julianDay...to.julianDay).filter { calendar.isWorking(julianDay: $0) }
        workingDays = workingDays.filter { Date(timeIntervalSince1970: TimeInterval(OpenSetHistory.endOfDay(CivilDate(julianDay: $0)) - 86399)) < now }
        guard !workingDays.isEmpty, !serving.isEmpty, count > 0 else { return 0 }
        // Every ended day is closed first, so the generated open sets are added to complete days.
        try await IndicatorDayClose(database: database).closeDays(now: now)
        let first = CivilDate(julianDay: workingDays[0])
        var accumulator = IndicatorAccumulator(fromDay: CivilDate(year: first.year, month: first.month, day: 1)!,
                                               lastClosedDay: IndicatorRebuild.lastClosable(now: now))
        var sequences = try await Self.sequences(database, from: first, to: CivilDate(julianDay: workingDays[workingDays.count - 1]))
        var dice = DemoHistory.Dice(state: seed)
        var contexts: [String: WorkflowContext] = [:]
        let batch = 4000
        var done = 0
        while done < count {
            var generated: [Generated] = []
            generated.reserveCapacity(batch)
            for i in done..<min(count, done + batch) {
                // Days in order (the i-th dossier falls on the i-th share of the period), agencies at random.
                let jd = workingDays[min(workingDays.count - 1, i * workingDays.count / count)]
                let day = CivilDate(julianDay: jd)
                let open = serving.filter { $0.0.existed(from: day, to: day) }
                guard !open.isEmpty else { continue }
                let (agency, served) = open[dice.next(open.count)]
                let p = served[dice.next(served.count)]
                let share = Double(jd - workingDays[0]) / Double(max(1, workingDays[workingDays.count - 1] - workingDays[0]))
                let offersOnline = p.channels.contains { $0.channel == .online }
                let channel: Channel = offersOnline && Double(dice.next(1000)) < (200 + 500 * share) ? .online : .counter
                let caseCode = p.cases[dice.next(p.cases.count)].code
                let contextKey = "\(p.code)|\(caseCode)|\(channel.rawValue)"
                guard let context = contexts[contextKey] ?? WorkflowContext(procedure: p, caseCode: caseCode, channel: channel, deadlines: deadlines)
                else { continue }
                contexts[contextKey] = context
                let second = 7 * 3600 + 1800 + dice.next(8 * 3600)
                let receivedAt = Date(timeIntervalSince1970: TimeInterval((jd - CivilDate.unixEpochJDN) * 86400 + second - DeadlineCalculator.utcOffset))
                guard receivedAt < now else { continue }
                // The code takes the next number of the day only for a dossier that is written (gap-free).
                let sequence = (sequences[agency.code + "|" + day.description] ?? 0) + 1
                if let g = DemoLifecycle.run(code: Intake.dossierCode(agency: agency.code, date: day, sequence: sequence), agency: agency.code,
                                             procedure: p, caseCode: caseCode, channel: channel, context: context, deadlines: deadlines,
                                             receivedAt: receivedAt, now: now, dice: &dice) {
                    sequences[agency.code + "|" + day.description] = sequence
                    generated.append(g)
                }
            }
            let rows = generated
            try await database.write { db in
                try await Self.insert(db, rows)
            }
            for g in generated { accumulator.add(g.state, events: g.events.map { ($0.transition, $0.hot) }) }
            if accumulator.counters.count + accumulator.open.days.count > 200_000 {
                // The upserts add, so the buffers may be written in parts (memory stays bounded).
                let part = accumulator
                try await database.write { db in
                    var buffered = part
                    try await buffered.flush(db)
                }
                accumulator.clear()
            }
            done = min(count, done + batch)
            progress(done, count)
        }
        let collected = accumulator, used = sequences
        try await database.write { db in
            var aggregates = collected
            try await aggregates.flush(db)
            try await Self.closeGeneratedDays(db, from: collected.fromDay, to: collected.open.lastDay, at: Int(now.timeIntervalSince1970))
            try await Self.storeSequences(db, used)
        }
        return done
    }

    /// The agencies' daily sequences already used in [from, to], as "agency|day" → last.
    static func sequences(_ database: Database, from: CivilDate, to: CivilDate) async throws -> [String: Int] {
        try await database.read { db in
            var out: [String: Int] = [:]
            for r in try await db.select().columns("agency_code", "day", "last").from("dossier_sequences")
                .where("day", .greaterThanOrEqual, from.description).where("day", .lessThanOrEqual, to.description).all() {
                out[try r.decode(column: "agency_code", as: String.self) + "|" + r.decode(column: "day", as: String.self)] = try r.decode(column: "last", as: Int.self)
            }
            return out
        }
    }

    static func storeSequences(_ db: any SQLDatabase, _ sequences: [String: Int]) async throws {
        let rows = sequences.sorted { $0.key < $1.key }
        for start in stride(from: 0, to: rows.count, by: 500) {
            let values = rows[start..<min(start + 500, rows.count)].map { key, last in
                let parts = key.split(separator: "|", maxSplits: 1).map(String.init)
                return SQLGroupExpression([SQLBind(parts[0]), SQLBind(parts.count > 1 ? parts[1] : ""), SQLBind(last)] as [any SQLExpression])
            }
            try await db.raw("""
                INSERT INTO dossier_sequences (agency_code, day, last) VALUES \(SQLList(values))
                ON CONFLICT (agency_code, day) DO UPDATE SET last = CASE WHEN excluded.last > dossier_sequences.last THEN excluded.last ELSE dossier_sequences.last END
                """).run()
        }
    }

    /// Marks closed the generated days before the first day the day close knew about (those after
    /// it were closed before the generation, and got the generated open sets added).
    static func closeGeneratedDays(_ db: any SQLDatabase, from: CivilDate, to: CivilDate, at: Int) async throws {
        guard from <= to else { return }
        let days = Array(from.julianDay...to.julianDay)
        for start in stride(from: 0, to: days.count, by: 400) {
            let values = days[start..<min(start + 400, days.count)].map {
                SQLGroupExpression([SQLBind(CivilDate(julianDay: $0).description), SQLBind(at)] as [any SQLExpression])
            }
            try await db.raw("INSERT INTO indicator_closed_days (day, closed_at) VALUES \(SQLList(values)) ON CONFLICT (day) DO NOTHING").run()
        }
    }

    /// Multi-row inserts of the dossiers and their events.
    static func insert(_ db: any SQLDatabase, _ generated: [Generated]) async throws {
        for start in stride(from: 0, to: generated.count, by: 400) {
            var insert = db.insert(into: "dossiers")
                .columns("code", "agency_code", "handling_agency", "procedure_code", "procedure_version", "channel", "status", "applicant_name",
                         "submitted_at", "received_at", "due_at", "ended_at", "version", "state", "supplement_count", "waiting_since")
            for g in generated[start..<min(start + 400, generated.count)] {
                let s = g.state, e = DossierRepository.epoch
                insert = insert.values(SQLBind(s.code), SQLBind(s.agencyCode), SQLBind(s.handlingAgency), SQLBind(s.procedureCode), SQLBind(s.procedureVersion),
                                       SQLBind(s.channel.rawValue), SQLBind(s.status.rawValue), SQLBind(s.applicant.name), SQLBind(e(s.submittedAt) ?? 0),
                                       SQLBind(e(s.receivedAt)), SQLBind(e(s.dueAt)), SQLBind(e(s.processingEndedAt)), SQLBind(s.version),
                                       SQLBind(try StoredJSON.encode(s)), SQLBind(s.supplementCount), SQLBind(IndicatorHotState(s).waitingSince))
            }
            try await insert.run()
        }
        let events = generated.flatMap { g in g.events.map { (g.state.code, $0) } }
        for start in stride(from: 0, to: events.count, by: 1000) {
            var insert = db.insert(into: "dossier_events").columns("dossier_code", "seq", "at", "event", "due_at", "supplement_count", "waiting_since")
            for (code, e) in events[start..<min(start + 1000, events.count)] {
                insert = insert.values(SQLBind(code), SQLBind(e.seq), SQLBind(Int(e.transition.at.timeIntervalSince1970)), SQLBind(try StoredJSON.encode(e.transition)),
                                       SQLBind(e.hot.dueAt), SQLBind(e.hot.supplementCount), SQLBind(e.hot.waitingSince))
            }
            try await insert.run()
        }
    }
}
