import Foundation
import MotCuaCore
import SQLKit

/// Persists what transitions imply, in the caller's transaction: the history rows, the indicator
/// counters, the notification outbox and the audit entries — batched into as few statements as
/// possible (one multi-row insert per table), since statements, not commits, dominate the cost.
enum DossierEffects {
    /// `transitions` are the last ones that led to `s`, oldest first; the last has seq `s.version`.
    static func persist(_ db: any SQLDatabase, state s: DossierState, transitions: [Transition]) async throws {
        guard !transitions.isEmpty else { return }
        let firstSeq = s.version - transitions.count + 1
        // Every transition of one persist happens at the same instant (intake: submit + receive),
        // so the hot state after the last is the one after each.
        let hot = IndicatorHotState(s)
        let events = try transitions.enumerated().map { i, t in
            SQLGroupExpression([SQLBind(s.code), SQLBind(firstSeq + i), SQLBind(Int(t.at.timeIntervalSince1970)), SQLBind(try StoredJSON.encode(t)),
                                SQLBind(hot.dueAt), SQLBind(hot.supplementCount), SQLBind(hot.waitingSince)] as [any SQLExpression])
        }
        for row in events { try await db.insertRow("dossier_events (dossier_code, seq, at, event, due_at, supplement_count, waiting_since)", row) }
        try await numberForms(db, state: s, transitions: transitions, firstSeq: firstSeq)

        var bookings: [CounterBooking] = []
        var outbox: [(id: String, recipient: String, form: String, message: String, at: Date)] = []
        for (i, t) in transitions.enumerated() {
            bookings += IndicatorBookings.bookings(t, state: s)
            for case .notifyApplicant(let form, let message) in t.effects {
                guard let recipient = s.applicant.email ?? s.applicant.phone, s.channel == .online || s.applicant.email != nil else { continue }
                outbox.append(("\(s.code)#\(firstSeq + i)#\(form)", recipient, form, message, t.at))
            }
        }
        try await IndicatorCounters.add(db, key: CounterKey(agencyCode: s.agencyCode, procedureCode: s.procedureCode, channel: s.channel.rawValue),
                                        bookings)
        if !outbox.isEmpty {
            let rows = outbox.map { o in
                SQLGroupExpression([SQLBind(o.id), SQLBind(s.code), SQLBind(o.recipient), SQLBind(o.form), SQLBind(o.message),
                                    SQLBind(Int(o.at.timeIntervalSince1970))] as [any SQLExpression])
            }
            for row in rows { try await db.insertRow("outbox (id, dossier_code, recipient, form, message, created_at)", row) }
        }
        struct Detail: Encodable { let from: String; let to: String; let version: Int; let note: String? }
        try await AuditLog.append(db, chain: s.agencyCode, entries: transitions.enumerated().map { i, t in
            AuditLog.Entry(at: t.at, actor: t.actor, action: "dossier.\(t.action)", subject: s.code,
                           detail: Detail(from: t.from.rawValue, to: t.to.rawValue, version: firstSeq + i, note: t.note))
        })
    }

    /// Gives each event that a printed form records (receipt, supplement, refusal, apology, stop) the
    /// next number of that form at the agency for the year ("15/TNHS"), in the same transaction.
    static func numberForms(_ db: any SQLDatabase, state s: DossierState, transitions: [Transition], firstSeq: Int) async throws {
        for (i, t) in transitions.enumerated() {
            guard let form = FormNumber.allCases.first(where: { $0.event?.rawValue == t.action }) else { continue }
            let last = try await nextNumber(db, agency: s.agencyCode, form: form.rawValue, year: DeadlineCalculator.localDate(of: t.at).year)
            try await db.insertRow("dossier_forms (dossier_code, event_seq, form, number)", SQLGroupExpression(
                [SQLBind(s.code), SQLBind(firstSeq + i), SQLBind(form.rawValue), SQLBind("\(last)/\(form.symbol)")] as [any SQLExpression]))
        }
    }

    /// Advances the running number of `form` (a printed form's, or "BL" for payment receipts) at the
    /// agency for the year, in the caller's transaction.
    static func nextNumber(_ db: any SQLDatabase, agency: String, form: String, year: Int) async throws -> Int {
        let advance: (any SQLDatabase) async throws -> Int = { db in
            try await db.raw("""
                INSERT INTO form_numbers (agency_code, form, year, last) VALUES (\(bind: agency), \(bind: form), \(bind: year), 1)
                ON CONFLICT (agency_code, form, year) DO UPDATE SET last = form_numbers.last + 1
                RETURNING last
                """).first()?.decode(column: "last", as: Int.self) ?? 0
        }
        guard let batch = db as? WriteBatch else { return try await advance(db) }
        return try await batch.nextRunningNumber("form_numbers|\(agency)|\(form)|\(year)", first: { try await advance(batch.inner) }) { last in
            "UPDATE form_numbers SET last = \(bind: last) WHERE agency_code = \(bind: agency) AND form = \(bind: form) AND year = \(bind: year)"
        }
    }
}
