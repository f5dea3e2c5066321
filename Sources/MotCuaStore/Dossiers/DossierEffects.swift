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
        var events = db.insert(into: "dossier_events").columns("dossier_code", "seq", "at", "event")
        for (i, t) in transitions.enumerated() {
            events = events.values(SQLBind(s.code), SQLBind(firstSeq + i), SQLBind(Int(t.at.timeIntervalSince1970)), SQLBind(try StoredJSON.encode(t)))
        }
        try await events.run()
        try await numberForms(db, state: s, transitions: transitions, firstSeq: firstSeq)

        var counters: [(CivilDate, String)] = []
        var outbox: [(id: String, recipient: String, form: String, message: String, at: Date)] = []
        for (i, t) in transitions.enumerated() {
            for effect in t.effects {
                switch effect {
                case .received:
                    let day = DeadlineCalculator.localDate(of: s.receivedAt ?? t.at)
                    counters.append((day, IndicatorMeasure.received.rawValue))
                    if s.channel == .online { counters.append((day, IndicatorMeasure.receivedOnline.rawValue)) }
                case .processingEnded(let timeliness?):
                    counters.append((DeadlineCalculator.localDate(of: t.at), endedMeasure(timeliness)))
                case .processingEnded(nil):
                    break
                case .notifyApplicant(let form, let message):
                    guard let recipient = s.applicant.email ?? s.applicant.phone, s.channel == .online || s.applicant.email != nil else { continue }
                    outbox.append(("\(s.code)#\(firstSeq + i)#\(form)", recipient, form, message, t.at))
                }
            }
        }
        if !counters.isEmpty { try await count(db, s, counters) }
        if !outbox.isEmpty {
            var insert = db.insert(into: "outbox").columns("id", "dossier_code", "recipient", "form", "message", "created_at")
            for o in outbox {
                insert = insert.values(SQLBind(o.id), SQLBind(s.code), SQLBind(o.recipient), SQLBind(o.form), SQLBind(o.message),
                                       SQLBind(Int(o.at.timeIntervalSince1970)))
            }
            try await insert.run()
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
            try await db.insert(into: "dossier_forms").columns("dossier_code", "event_seq", "form", "number")
                .values(SQLBind(s.code), SQLBind(firstSeq + i), SQLBind(form.rawValue), SQLBind("\(last)/\(form.symbol)")).run()
        }
    }

    /// Advances the running number of `form` (a printed form's, or "BL" for payment receipts) at the
    /// agency for the year, in the caller's transaction.
    static func nextNumber(_ db: any SQLDatabase, agency: String, form: String, year: Int) async throws -> Int {
        try await db.raw("""
            INSERT INTO form_numbers (agency_code, form, year, last) VALUES (\(bind: agency), \(bind: form), \(bind: year), 1)
            ON CONFLICT (agency_code, form, year) DO UPDATE SET last = form_numbers.last + 1
            RETURNING last
            """).first()?.decode(column: "last", as: Int.self) ?? 0
    }

    /// The counter a dossier whose processing ended with this timeliness adds to.
    static func endedMeasure(_ t: Timeliness) -> String { IndicatorMeasure.ended(t).rawValue }

    /// Adds 1 to each counter (one multi-row upsert, the same SQL on SQLite and PostgreSQL).
    static func count(_ db: any SQLDatabase, _ s: DossierState, _ measures: [(CivilDate, String)]) async throws {
        var totals: [String: (CivilDate, String, Int)] = [:]
        for (day, measure) in measures { totals["\(day)|\(measure)", default: (day, measure, 0)].2 += 1 }
        let rows = totals.values.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map { day, measure, n in
            SQLGroupExpression([SQLBind(s.agencyCode), SQLBind(day.description), SQLBind(s.procedureCode), SQLBind(s.channel.rawValue),
                                SQLBind(measure), SQLBind(n)] as [any SQLExpression])
        }
        try await db.raw("""
            INSERT INTO indicator_counters (agency_code, day, procedure_code, channel, measure, value)
            VALUES \(SQLList(rows))
            ON CONFLICT (agency_code, day, procedure_code, channel, measure)
            DO UPDATE SET value = indicator_counters.value + excluded.value
            """).run()
    }
}
