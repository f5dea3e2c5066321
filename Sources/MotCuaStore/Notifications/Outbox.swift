import Foundation
import SQLKit

/// One message waiting in the outbox.
public struct OutboxMessage: Sendable, Hashable {
    public let id: String
    public let dossierCode: String
    public let recipient: String
    public let form: String
    public let subject: String?
    public let message: String
    public let createdAt: Date
    public let attempts: Int
}

/// The notification outbox: rows written in the same transaction as the event they announce, then
/// delivered by the sender (at least once). Each message has a stable id, which the sender puts in
/// the e-mail's Message-ID, so a receiver can drop the duplicate a crash between "sent" and
/// "confirmed" may cause. After `maxAttempts` failures a message is dead-lettered (kept, not retried).
public struct Outbox: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// Queues a message inside the caller's transaction (ignored when the id is already queued).
    static func enqueue(_ db: any SQLDatabase, id: String, dossierCode: String, recipient: String, form: String, subject: String?,
                        message: String, at: Date) async throws {
        try await db.raw("""
            INSERT INTO outbox (id, dossier_code, recipient, form, subject, message, created_at, attempts)
            VALUES (\(bind: id), \(bind: dossierCode), \(bind: recipient), \(bind: form), \(bind: subject), \(bind: message), \(bind: Int(at.timeIntervalSince1970)), 0)
            ON CONFLICT (id) DO NOTHING
            """).run()
    }

    /// Messages due for delivery at `now`, oldest first.
    public func due(now: Date, limit: Int = 50) async throws -> [OutboxMessage] {
        try await database.read { db in
            let t = Int(now.timeIntervalSince1970)
            return try await db.select().columns("id", "dossier_code", "recipient", "form", "subject", "message", "created_at", "attempts").from("outbox")
                .where("sent_at", .is, SQLLiteral.null).where("dead_at", .is, SQLLiteral.null)
                .where(group: { $0.where("next_attempt_at", .is, SQLLiteral.null).orWhere("next_attempt_at", .lessThanOrEqual, t) })
                .orderBy("created_at").orderBy("id").limit(limit).all().map { r in
                    OutboxMessage(id: try r.decode(column: "id", as: String.self), dossierCode: try r.decode(column: "dossier_code", as: String.self),
                                  recipient: try r.decode(column: "recipient", as: String.self), form: try r.decode(column: "form", as: String.self),
                                  subject: try r.decodeNil(column: "subject") ? nil : r.decode(column: "subject", as: String.self),
                                  message: try r.decode(column: "message", as: String.self),
                                  createdAt: Date(timeIntervalSince1970: TimeInterval(try r.decode(column: "created_at", as: Int.self))),
                                  attempts: try r.decode(column: "attempts", as: Int.self))
                }
        }
    }

    /// Records a confirmed delivery (the row stays, with its instant).
    public func markSent(id: String, now: Date) async throws {
        try await database.write { db in
            try await db.update("outbox").set("sent_at", to: Int(now.timeIntervalSince1970)).set("attempts", to: SQLRaw("attempts + 1"))
                .where("id", .equal, id).run()
        }
    }

    /// Records a failed try: retried after `retryAfter`, or dead-lettered at `maxAttempts`.
    public func markFailed(id: String, error: String, now: Date, retryAfter: TimeInterval, maxAttempts: Int) async throws {
        try await database.write { db in
            guard let row = try await db.select().column("attempts").from("outbox").where("id", .equal, id).first() else { return }
            let attempts = try row.decode(column: "attempts", as: Int.self) + 1
            var q = db.update("outbox").set("attempts", to: attempts).set("last_error", to: String(error.prefix(500)))
                .set("next_attempt_at", to: Int(now.addingTimeInterval(retryAfter).timeIntervalSince1970))
            if attempts >= maxAttempts { q = q.set("dead_at", to: Int(now.timeIntervalSince1970)) }
            try await q.where("id", .equal, id).run()
        }
    }

    /// Age in seconds of the oldest undelivered, not dead message (0 when none), for the queue-age metric.
    public func oldestPendingAge(now: Date) async throws -> Int {
        try await database.read { db in
            let rows = try await db.select().column(SQLFunction("min", args: SQLColumn("created_at")), as: "oldest").from("outbox")
                .where("sent_at", .is, SQLLiteral.null).where("dead_at", .is, SQLLiteral.null).all()
            guard let r = rows.first, try !r.decodeNil(column: "oldest") else { return 0 }
            return max(0, Int(now.timeIntervalSince1970) - (try r.decode(column: "oldest", as: Int.self)))
        }
    }

    /// Counts by state, for `motcua outbox` and tests: pending, sent, dead.
    public func counts() async throws -> (pending: Int, sent: Int, dead: Int) {
        try await database.read { db in
            var p = 0, s = 0, d = 0
            for r in try await db.select().columns("sent_at", "dead_at").from("outbox").all() {
                if try !r.decodeNil(column: "sent_at") { s += 1 } else if try !r.decodeNil(column: "dead_at") { d += 1 } else { p += 1 }
            }
            return (p, s, d)
        }
    }
}
