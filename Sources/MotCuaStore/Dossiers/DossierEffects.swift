import Foundation
import MotCuaCore
import SQLKit

/// Persists what a transition implies, in the caller's transaction: the history row, the indicator
/// counters, the notification outbox and the audit entry.
enum DossierEffects {
    static func persist(_ db: any SQLDatabase, state s: DossierState, transition t: Transition) async throws {
        try await db.insert(into: "dossier_events").columns("dossier_code", "seq", "at", "event")
            .values(SQLBind(s.code), SQLBind(s.version), SQLBind(Int(t.at.timeIntervalSince1970)), SQLBind(try StoredJSON.encode(t)))
            .run()
        for effect in t.effects {
            switch effect {
            case .received:
                let day = DeadlineCalculator.localDate(of: s.receivedAt ?? t.at)
                try await count(db, s, day: day, measure: "received")
                if s.channel == .online { try await count(db, s, day: day, measure: "received_online") }
            case .processingEnded(let timeliness?):
                let measure = switch timeliness { case .early: "ended_early"; case .onTime: "ended_on_time"; case .late: "ended_late" }
                try await count(db, s, day: DeadlineCalculator.localDate(of: t.at), measure: measure)
            case .processingEnded(nil):
                break
            case .notifyApplicant(let form, let message):
                guard let recipient = s.applicant.email ?? s.applicant.phone, s.channel == .online || s.applicant.email != nil else { continue }
                try await db.insert(into: "outbox").columns("id", "dossier_code", "recipient", "form", "message", "created_at")
                    .values(SQLBind("\(s.code)#\(s.version)#\(form)"), SQLBind(s.code), SQLBind(recipient), SQLBind(form), SQLBind(message),
                            SQLBind(Int(t.at.timeIntervalSince1970)))
                    .run()
            }
        }
        struct Detail: Encodable { let from: String; let to: String; let version: Int; let note: String? }
        try await AuditLog.append(db, chain: s.agencyCode, at: t.at, actor: t.actor, action: "dossier.\(t.action)", subject: s.code,
                                  detail: Detail(from: t.from.rawValue, to: t.to.rawValue, version: s.version, note: t.note))
    }

    /// Adds 1 to a counter (same upsert on SQLite and PostgreSQL).
    static func count(_ db: any SQLDatabase, _ s: DossierState, day: CivilDate, measure: String) async throws {
        try await db.raw("""
            INSERT INTO indicator_counters (agency_code, day, procedure_code, channel, measure, value)
            VALUES (\(bind: s.agencyCode), \(bind: day.description), \(bind: s.procedureCode), \(bind: s.channel.rawValue), \(bind: measure), 1)
            ON CONFLICT (agency_code, day, procedure_code, channel, measure)
            DO UPDATE SET value = indicator_counters.value + excluded.value
            """).run()
    }
}
