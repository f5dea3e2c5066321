import Foundation
import MotCuaCore
import SQLKit

/// A feedback (phản ánh, kiến nghị) as stored, with its answer.
public struct FeedbackRecord: Sendable, Hashable, Codable {
    public let reference: String
    public let submission: FeedbackSubmission
    public let submittedAt: Date
    public let dueAt: Date
    public let answer: String?
    public let answeredBy: String?
    public let answeredAt: Date?
    public let published: Bool

    public func isLate(at now: Date) -> Bool { FeedbackRules.isLate(due: dueAt, answeredAt: answeredAt, now: now) }
}

/// Feedback: submitted by anyone (reference numbered per day), routed to the agency named, answered
/// by its staff (the submitter is notified through the outbox), optionally published; audited.
public struct FeedbackRepository: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    static let columns = ["reference", "agency_code", "dossier_code", "category", "name", "email", "phone", "content", "submitted_at", "due_at",
                          "answer", "answered_by", "answered_at", "published"]

    static func record(_ r: any SQLRow) throws -> FeedbackRecord {
        func opt(_ c: String) throws -> String? { try r.decodeNil(column: c) ? nil : r.decode(column: c, as: String.self) }
        func date(_ c: String) throws -> Date? { try r.decodeNil(column: c) ? nil : Date(timeIntervalSince1970: TimeInterval(try r.decode(column: c, as: Int.self))) }
        let s = FeedbackSubmission(name: try r.decode(column: "name", as: String.self), email: try opt("email"), phone: try opt("phone"),
                                   agencyCode: try r.decode(column: "agency_code", as: String.self), dossierCode: try opt("dossier_code"),
                                   category: FeedbackSubmission.Category(rawValue: try r.decode(column: "category", as: String.self)) ?? .other,
                                   content: try r.decode(column: "content", as: String.self))
        return FeedbackRecord(reference: try r.decode(column: "reference", as: String.self), submission: s, submittedAt: try date("submitted_at") ?? Date(),
                              dueAt: try date("due_at") ?? Date(), answer: try opt("answer"), answeredBy: try opt("answered_by"), answeredAt: try date("answered_at"),
                              published: try r.decode(column: "published", as: Int.self) == 1)
    }

    /// Stores a valid submission (the caller checked `FeedbackRules.problems` and the agency).
    public func submit(_ f: FeedbackSubmission, dueAt: Date, now: Date) async throws -> String {
        try await database.write { db in
            let day = DeadlineCalculator.localDate(of: now)
            let seq = try await DossierRepository.nextDailySequence(db, key: "PAKN", day: day)
            let reference = FeedbackRules.reference(date: day, sequence: seq)
            try await db.insert(into: "feedback")
                .columns("reference", "agency_code", "dossier_code", "category", "name", "email", "phone", "content", "submitted_at", "due_at", "published")
                .values(SQLBind(reference), SQLBind(f.agencyCode), SQLBind(f.dossierCode), SQLBind(f.category.rawValue), SQLBind(f.name), SQLBind(f.email),
                        SQLBind(f.phone), SQLBind(f.content), SQLBind(Int(now.timeIntervalSince1970)), SQLBind(Int(dueAt.timeIntervalSince1970)), SQLBind(0))
                .run()
            struct Detail: Encodable { let category: String }
            try await AuditLog.append(db, chain: f.agencyCode, at: now, actor: "public", action: "feedback.submit", subject: reference,
                                      detail: Detail(category: f.category.rawValue))
            return reference
        }
    }

    /// The feedback of `agencies`, unanswered first, then by due instant.
    public func list(agencies: [String], limit: Int = 500) async throws -> [FeedbackRecord] {
        guard !agencies.isEmpty else { return [] }
        return try await database.read { db in
            try await db.select().columns(Self.columns).from("feedback").where("agency_code", .in, agencies)
                .orderBy("answered_at").orderBy("due_at").limit(limit).all().map(Self.record)
        }
    }

    public func feedback(reference: String) async throws -> FeedbackRecord? {
        try await database.read { db in try await db.select().columns(Self.columns).from("feedback").where("reference", .equal, reference).first().map(Self.record) }
    }

    /// Published answers, newest first (no contact data leaves the store through them).
    public func published(limit: Int = 50) async throws -> [FeedbackRecord] {
        try await database.read { db in
            try await db.select().columns(Self.columns).from("feedback").where("published", .equal, 1)
                .orderBy(SQLOrderBy(expression: SQLColumn("answered_at"), direction: SQLDirection.descending)).limit(limit).all().map(Self.record)
        }
    }

    /// Records the answer once, notifies the submitter by e-mail or SMS in the same transaction.
    public func answer(reference: String, text: String, publish: Bool, by username: String, now: Date,
                       notification: @escaping @Sendable (FeedbackRecord) -> (subject: String, body: String)) async throws {
        try await database.write { db in
            guard let f = try await db.select().columns(Self.columns).from("feedback").where("reference", .equal, reference).for(.update).first().map(Self.record) else {
                throw CitizenError.notFound
            }
            guard f.answeredAt == nil else { throw CitizenError.workflow(code: "already_answered", message: "the feedback was already answered", allowed: []) }
            try await db.update("feedback").set("answer", to: text).set("answered_by", to: username).set("answered_at", to: Int(now.timeIntervalSince1970))
                .set("published", to: publish ? 1 : 0).where("reference", .equal, reference).run()
            if let to = f.submission.email ?? f.submission.phone {
                let m = notification(f)
                try await Outbox.enqueue(db, id: "\(reference)#answer", dossierCode: f.submission.dossierCode ?? "", recipient: to, form: "feedback-answer",
                                         subject: m.subject, message: m.body, at: now)
            }
            struct Detail: Encodable { let published: Bool; let late: Bool }
            try await AuditLog.append(db, chain: f.submission.agencyCode, at: now, actor: username, action: "feedback.answer", subject: reference,
                                      detail: Detail(published: publish, late: f.isLate(at: now)))
        }
    }
}
