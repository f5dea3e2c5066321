import Crypto
import Foundation
import SQLKit

/// One audit entry before it is chained.
public struct AuditRecord: Sendable, Codable, Hashable {
    public var chain: String
    public var seq: Int
    public var at: Int
    public var actor: String
    public var action: String
    public var subject: String
    /// Canonical JSON (sorted keys) of the details.
    public var detail: String
}

/// The audit log: append-only, hash-chained (design-notes §4). Each entry's hash is SHA-256 over the
/// previous hash and a canonical encoding of the entry (JSON with sorted keys, UTF-8, integers for
/// instants). One chain per agency, so agencies do not serialise each other's writes on
/// PostgreSQL; `audit_heads` holds each chain's last entry, so deleting the tail is detected too.
public enum AuditLog {
    public static let genesis = String(repeating: "0", count: 64)

    /// The canonical bytes of an entry.
    static func canonical(_ r: AuditRecord) -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? e.encode(r)) ?? Data()
    }

    public static func hash(previous: String, record: AuditRecord) -> String {
        var h = SHA256()
        h.update(data: Data(previous.utf8))
        h.update(data: Data([0x0A]))
        h.update(data: canonical(record))
        return h.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// An entry to append.
    public struct Entry: Sendable {
        public var at: Date
        public var actor: String
        public var action: String
        public var subject: String
        public var detail: any Encodable & Sendable

        public init(at: Date, actor: String, action: String, subject: String, detail: any Encodable & Sendable) {
            self.at = at
            self.actor = actor
            self.action = action
            self.subject = subject
            self.detail = detail
        }
    }

    /// Appends an entry inside the caller's transaction.
    public static func append(_ db: any SQLDatabase, chain: String, at: Date, actor: String, action: String, subject: String,
                              detail: some Encodable & Sendable) async throws {
        try await append(db, chain: chain, entries: [Entry(at: at, actor: actor, action: action, subject: subject, detail: detail)])
    }

    /// Appends entries, in order, inside the caller's transaction: the chain head is read (and
    /// locked on PostgreSQL) once, the entries inserted in one statement, the head moved once.
    public static func append(_ db: any SQLDatabase, chain: String, entries: [Entry]) async throws {
        guard !entries.isEmpty else { return }
        let head = try await db.select().columns("seq", "hash").from("audit_heads").where("chain", .equal, chain).for(.update).first()
        var seq = try head?.decode(column: "seq", as: Int.self) ?? 0
        var previous = try head?.decode(column: "hash", as: String.self) ?? genesis
        var insert = db.insert(into: "audit_entries").columns("chain", "seq", "at", "actor", "action", "subject", "detail", "prev_hash", "hash")
        for e in entries {
            seq += 1
            let record = AuditRecord(chain: chain, seq: seq, at: Int(e.at.timeIntervalSince1970), actor: e.actor, action: e.action,
                                     subject: e.subject, detail: try StoredJSON.encode(e.detail))
            let hash = hash(previous: previous, record: record)
            insert = insert.values(SQLBind(chain), SQLBind(seq), SQLBind(record.at), SQLBind(e.actor), SQLBind(e.action), SQLBind(e.subject),
                                   SQLBind(record.detail), SQLBind(previous), SQLBind(hash))
            previous = hash
        }
        try await insert.run()
        if head == nil {
            try await db.insert(into: "audit_heads").columns("chain", "seq", "hash").values(SQLBind(chain), SQLBind(seq), SQLBind(previous)).run()
        } else {
            try await db.update("audit_heads").set("seq", to: seq).set("hash", to: previous).where("chain", .equal, chain).run()
        }
    }

    /// The outcome of `verify`: intact with the number of entries, or the first bad entry.
    public enum Verification: Sendable, Equatable {
        case intact(entries: Int, chains: Int)
        case broken(chain: String, seq: Int, reason: String)
    }

    /// Re-computes every chain. Reports the first entry that was changed, deleted or reordered.
    public static func verify(_ database: Database) async throws -> Verification {
        try await database.read { db in
            let heads = try await db.select().columns("chain", "seq", "hash").from("audit_heads").orderBy("chain").all()
            var total = 0
            for head in heads {
                let chain = try head.decode(column: "chain", as: String.self)
                let rows = try await db.select().columns("seq", "at", "actor", "action", "subject", "detail", "prev_hash", "hash")
                    .from("audit_entries").where("chain", .equal, chain).orderBy("seq").all()
                var previous = genesis
                var expected = 1
                for r in rows {
                    let seq = try r.decode(column: "seq", as: Int.self)
                    if seq != expected { return .broken(chain: chain, seq: expected, reason: "entry \(expected) is missing (deleted)") }
                    let record = AuditRecord(chain: chain, seq: seq, at: try r.decode(column: "at", as: Int.self),
                                             actor: try r.decode(column: "actor", as: String.self), action: try r.decode(column: "action", as: String.self),
                                             subject: try r.decode(column: "subject", as: String.self), detail: try r.decode(column: "detail", as: String.self))
                    if try r.decode(column: "prev_hash", as: String.self) != previous {
                        return .broken(chain: chain, seq: seq, reason: "does not follow the previous entry (reordered or inserted)")
                    }
                    let stored = try r.decode(column: "hash", as: String.self)
                    if hash(previous: previous, record: record) != stored {
                        return .broken(chain: chain, seq: seq, reason: "content does not match its hash (changed)")
                    }
                    previous = stored
                    expected += 1
                    total += 1
                }
                let headSeq = try head.decode(column: "seq", as: Int.self)
                let headHash = try head.decode(column: "hash", as: String.self)
                if headSeq != expected - 1 || headHash != previous {
                    return .broken(chain: chain, seq: expected, reason: "entries after \(expected - 1) up to \(headSeq) are missing (deleted)")
                }
            }
            return .intact(entries: total, chains: heads.count)
        }
    }
}
