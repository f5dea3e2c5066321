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

    public init(chain: String, seq: Int, at: Int, actor: String, action: String, subject: String, detail: String) {
        self.chain = chain
        self.seq = seq
        self.at = at
        self.actor = actor
        self.action = action
        self.subject = subject
        self.detail = detail
    }
}

/// The audit log: append-only, hash-chained. Each entry's hash is HMAC-SHA-256,
/// with a key kept outside the database (`AuditKeys`), over the previous hash and a canonical
/// encoding of the entry (JSON with sorted keys, UTF-8, integers for instants); `key_id` names the
/// key. Entries written before keys existed (`key_id` NULL) carry a plain SHA-256. One chain per
/// agency, so agencies do not serialise each other's writes on PostgreSQL; `audit_heads` holds each
/// chain's last entry, and signed checkpoints outside the database (`AuditCheckpoints`) hold every
/// head, so a changed entry, a deleted chain and a cut tail are all detected, even by an attacker
/// who can rewrite the database but not read the key folder.
public enum AuditLog {
    public static let genesis = String(repeating: "0", count: 64)

    /// The canonical bytes of an entry.
    static func canonical(_ r: AuditRecord) -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? e.encode(r)) ?? Data()
    }

    /// The unkeyed hash of entries written before audit keys existed.
    public static func hash(previous: String, record: AuditRecord) -> String {
        var h = SHA256()
        h.update(data: Data(previous.utf8))
        h.update(data: Data([0x0A]))
        h.update(data: canonical(record))
        return CivilHex.string(h.finalize())
    }

    /// The keyed hash of an entry.
    public static func mac(previous: String, record: AuditRecord, key: SymmetricKey) -> String {
        var h = HMAC<SHA256>(key: key)
        h.update(data: Data(previous.utf8))
        h.update(data: Data([0x0A]))
        h.update(data: canonical(record))
        return CivilHex.string(h.finalize())
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
        let readHead: () async throws -> WriteBatch.AuditHead = {
            let row = try await db.immediate.raw("SELECT seq, hash FROM audit_heads WHERE chain = \(bind: chain) \(SQLLockingClause.update)").first()
            return WriteBatch.AuditHead(seq: try row?.decode(column: "seq", as: Int.self) ?? 0,
                                        hash: try row?.decode(column: "hash", as: String.self) ?? genesis, stored: row != nil)
        }
        let batch = db as? WriteBatch
        let head: WriteBatch.AuditHead
        if let batch { head = try await batch.auditHead(chain, read: readHead) } else { head = try await readHead() }
        var seq = head.seq
        var previous = head.hash
        let key = AuditKeyring.current.current
        var rows: [SQLGroupExpression] = []
        for e in entries {
            seq += 1
            let record = AuditRecord(chain: chain, seq: seq, at: Int(e.at.timeIntervalSince1970), actor: e.actor, action: e.action,
                                     subject: e.subject, detail: try StoredJSON.encode(e.detail))
            let hash = mac(previous: previous, record: record, key: key.key)
            rows.append(SQLGroupExpression([SQLBind(chain), SQLBind(seq), SQLBind(record.at), SQLBind(e.actor), SQLBind(e.action), SQLBind(e.subject),
                                            SQLBind(record.detail), SQLBind(previous), SQLBind(hash), SQLBind(key.id)] as [any SQLExpression]))
            previous = hash
        }
        if let batch {
            // In a group-commit batch: the entries and the head are written at the end of the batch.
            for row in rows { batch.deferInsert("audit_entries (chain, seq, at, actor, action, subject, detail, prev_hash, hash, key_id)", row) }
            batch.moveAuditHead(chain, seq: seq, hash: previous)
            return
        }
        try await db.raw("""
            INSERT INTO audit_entries (chain, seq, at, actor, action, subject, detail, prev_hash, hash, key_id) VALUES \(SQLList(rows))
            """).run()
        if !head.stored {
            try await db.raw("INSERT INTO audit_heads (chain, seq, hash) VALUES (\(bind: chain), \(bind: seq), \(bind: previous))").run()
        } else {
            try await db.raw("UPDATE audit_heads SET seq = \(bind: seq), hash = \(bind: previous) WHERE chain = \(bind: chain)").run()
        }
    }

    /// The outcome of `verify`: intact with the number of entries, or the first problem found.
    public enum Verification: Sendable, Equatable {
        case intact(entries: Int, chains: Int)
        case broken(chain: String, seq: Int, reason: String)
    }

    /// Re-computes every chain with `keys`, then compares the heads with the latest signed
    /// `checkpoint` (if any) and checks that every agency holding dossiers has a chain. Reports the
    /// first entry that was changed, deleted or reordered, a chain deleted or cut back, or an
    /// agency without a chain.
    public static func verify(_ database: Database, keys: AuditKeys = AuditKeyring.current, checkpoint: AuditCheckpoint? = nil) async throws -> Verification {
        try await database.read { db in
            let heads = try await db.select().columns("chain", "seq", "hash").from("audit_heads").orderBy("chain").all()
            var total = 0
            var stored: [String: (seq: Int, hash: String)] = [:]
            var hashes: [String: [Int: String]] = [:]
            for head in heads {
                let chain = try head.decode(column: "chain", as: String.self)
                let rows = try await db.select().columns("seq", "at", "actor", "action", "subject", "detail", "prev_hash", "hash", "key_id")
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
                    let hash = try r.decode(column: "hash", as: String.self)
                    let keyID = try r.decodeNil(column: "key_id") ? nil : try r.decode(column: "key_id", as: String.self)
                    let computed: String
                    if let keyID {
                        guard let key = keys.hmacKeys[keyID] else {
                            return .broken(chain: chain, seq: seq, reason: "hashed with key \(keyID), which is not in the key folder")
                        }
                        computed = mac(previous: previous, record: record, key: key)
                    } else {
                        guard seq <= keys.legacyBoundary[chain] ?? 0 else {
                            return .broken(chain: chain, seq: seq, reason: "unkeyed entry after the audit keys were introduced (rewritten)")
                        }
                        computed = Self.hash(previous: previous, record: record)
                    }
                    if computed != hash { return .broken(chain: chain, seq: seq, reason: "content does not match its hash (changed)") }
                    hashes[chain, default: [:]][seq] = hash
                    previous = hash
                    expected += 1
                    total += 1
                }
                let headSeq = try head.decode(column: "seq", as: Int.self)
                let headHash = try head.decode(column: "hash", as: String.self)
                if headSeq != expected - 1 || headHash != previous {
                    return .broken(chain: chain, seq: expected, reason: "entries after \(expected - 1) up to \(headSeq) are missing (deleted)")
                }
                stored[chain] = (headSeq, headHash)
            }
            if let checkpoint {
                for h in checkpoint.heads {
                    guard let now = stored[h.chain] else {
                        return .broken(chain: h.chain, seq: h.seq, reason: "the chain is missing (deleted); the checkpoint of \(checkpoint.atText) has \(h.seq) entries")
                    }
                    if now.seq < h.seq {
                        return .broken(chain: h.chain, seq: now.seq + 1,
                                       reason: "cut back to \(now.seq) entries; the checkpoint of \(checkpoint.atText) has \(h.seq) (entries deleted, head moved back)")
                    }
                    if hashes[h.chain]?[h.seq] != h.hash {
                        return .broken(chain: h.chain, seq: h.seq, reason: "entry \(h.seq) differs from the checkpoint of \(checkpoint.atText) (chain rewritten)")
                    }
                }
            }
            let agencies = try await db.select().distinct().column("agency_code").from("dossiers").orderBy("agency_code").all()
                .map { try $0.decode(column: "agency_code", as: String.self) }
            if let orphan = agencies.first(where: { stored[$0] == nil }) {
                return .broken(chain: orphan, seq: 0, reason: "agency \(orphan) has dossiers but no audit chain (deleted)")
            }
            return .intact(entries: total, chains: heads.count)
        }
    }

    /// Every chain head (chain, seq, hash), in chain order.
    public static func heads(_ database: Database) async throws -> [AuditCheckpoint.Head] {
        try await database.read { db in
            try await db.select().columns("chain", "seq", "hash").from("audit_heads").orderBy("chain").all().map {
                AuditCheckpoint.Head(chain: try $0.decode(column: "chain", as: String.self), seq: try $0.decode(column: "seq", as: Int.self),
                                     hash: try $0.decode(column: "hash", as: String.self))
            }
        }
    }
}
