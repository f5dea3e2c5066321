import Foundation
import MotCuaStore
import MotCuaTestSupport
import SQLKit
import Testing

/// An attacker who can write the database but not the key folder: rewrites an entry and
/// recomputes every later hash and the head, deletes a whole chain with its head, or cuts the last
/// entries and moves the head back. Each is detected, on SQLite and PostgreSQL.
struct AuditAttackTests {
    /// Two agencies with dossiers and audit chains, and a signed checkpoint of their heads.
    static func prepared(_ app: DemoApp) async throws -> (checkpoints: String, keys: AuditKeys) {
        for (user, procedure, component) in [("tiepnhan.ninhkieu", "1.001193", "Tờ khai đăng ký khai sinh"),
                                             ("tiepnhan.sotuphap", "2.000488", "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp")] {
            for _ in 0..<3 {
                let (status, d, _) = try await app.send(.post, "/api/v1/dossiers", as: user,
                                                        json: DemoApp.intake(procedure, case: "TH1", documents: [component]))
                #expect(status == .created)
                _ = try await app.send(.get, "/api/v1/dossiers/\(d["code"] as? String ?? "")", as: user)
            }
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("motcua-checkpoints-\(UUID().uuidString).jsonl").path
        let keys = AuditKeyring.current
        let written = try await AuditCheckpoints.write(app.database, keys: keys, path: path, reason: "manual", now: Date())
        #expect((written?.heads.count ?? 0) >= 2)
        #expect(try await AuditLog.verify(app.database, keys: keys, checkpoint: written).isIntact)
        return (path, keys)
    }

    static func latest(_ path: String, _ keys: AuditKeys) throws -> AuditCheckpoint? {
        try AuditCheckpoints.read(path: path, key: keys.publicKey).last
    }

    /// Rewrites entry `seq` of `chain` and recomputes every later hash and the head the only way an
    /// attacker without the key can: plain SHA-256, with or without the key id.
    static func rewrite(_ db: Database, chain: String, seq target: Int, dropKeyID: Bool) async throws {
        try await db.write { sql in
            let rows = try await sql.select().columns("seq", "at", "actor", "action", "subject", "detail").from("audit_entries")
                .where("chain", .equal, chain).orderBy("seq").all()
            var previous = AuditLog.genesis
            for r in rows {
                let seq = try r.decode(column: "seq", as: Int.self)
                var record = AuditRecord(chain: chain, seq: seq, at: try r.decode(column: "at", as: Int.self), actor: try r.decode(column: "actor", as: String.self),
                                         action: try r.decode(column: "action", as: String.self), subject: try r.decode(column: "subject", as: String.self),
                                         detail: try r.decode(column: "detail", as: String.self))
                if seq == target { record.actor = "ke-gian" }
                let hash = AuditLog.hash(previous: previous, record: record)
                var update = sql.update("audit_entries").set("actor", to: record.actor).set("prev_hash", to: previous).set("hash", to: hash)
                if dropKeyID { update = update.set("key_id", to: SQLLiteral.null) }
                try await update.where("chain", .equal, chain).where("seq", .equal, seq).run()
                previous = hash
            }
            try await sql.update("audit_heads").set("hash", to: previous).where("chain", .equal, chain).run()
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func aRewrittenChainWithRecomputedHashesIsDetected(kind: DatabaseKind) async throws {
        for dropKeyID in [false, true] {
            try await DemoApp.run(kind) { app in
                let (path, keys) = try await Self.prepared(app)
                try await Self.rewrite(app.database, chain: "H13.41", seq: 2, dropKeyID: dropKeyID)
                // Even without any checkpoint the keyed hashes expose it.
                let result = try await AuditLog.verify(app.database, keys: keys)
                guard case .broken(let chain, let seq, let reason) = result else { Issue.record("rewrite not detected"); return }
                #expect(chain == "H13.41" && seq == 1, "\(reason)")
                #expect(try await !AuditLog.verify(app.database, keys: keys, checkpoint: try Self.latest(path, keys)).isIntact)
            }
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func aDeletedChainIsNamed(kind: DatabaseKind) async throws {
        try await DemoApp.run(kind) { app in
            let (path, keys) = try await Self.prepared(app)
            try await app.database.write { sql in
                try await sql.delete(from: "audit_entries").where("chain", .equal, "H13.01").run()
                try await sql.delete(from: "audit_heads").where("chain", .equal, "H13.01").run()
            }
            let withCheckpoint = try await AuditLog.verify(app.database, keys: keys, checkpoint: try Self.latest(path, keys))
            guard case .broken(let chain, _, let reason) = withCheckpoint else { Issue.record("deleted chain not detected"); return }
            #expect(chain == "H13.01" && reason.contains("missing"))
            // Without a checkpoint, the agency that has dossiers but no chain is named.
            let without = try await AuditLog.verify(app.database, keys: keys)
            guard case .broken(let chain2, _, let reason2) = without else { Issue.record("orphan agency not detected"); return }
            #expect(chain2 == "H13.01" && reason2.contains("no audit chain"))
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func aCutTailWithTheHeadMovedBackIsNamed(kind: DatabaseKind) async throws {
        try await DemoApp.run(kind) { app in
            let (path, keys) = try await Self.prepared(app)
            try await app.database.write { sql in
                let head = try await sql.select().column("seq").from("audit_heads").where("chain", .equal, "H13.41").first()
                let last = try head?.decode(column: "seq", as: Int.self) ?? 0
                try await sql.delete(from: "audit_entries").where("chain", .equal, "H13.41").where("seq", .greaterThan, last - 2).run()
                let newHead = try await sql.select().column("hash").from("audit_entries").where("chain", .equal, "H13.41")
                    .where("seq", .equal, last - 2).first()
                try await sql.update("audit_heads").set("seq", to: last - 2).set("hash", to: try newHead?.decode(column: "hash", as: String.self) ?? "")
                    .where("chain", .equal, "H13.41").run()
            }
            // The chain itself is consistent now: only the checkpoint shows what was cut.
            let result = try await AuditLog.verify(app.database, keys: keys, checkpoint: try Self.latest(path, keys))
            guard case .broken(let chain, _, let reason) = result else { Issue.record("cut tail not detected"); return }
            #expect(chain == "H13.41" && reason.contains("cut back"))
        }
    }

    @Test func theCheckpointFileIsSignedAndChained() async throws {
        try await DemoApp.run(.sqlite) { app in
            let (path, keys) = try await Self.prepared(app)
            _ = try await app.send(.get, "/api/v1/dossiers", as: "tiepnhan.ninhkieu")
            #expect(try await AuditCheckpoints.write(app.database, keys: keys, path: path, reason: "periodic", now: Date()) != nil)
            // Nothing moved: a periodic checkpoint is skipped.
            #expect(try await AuditCheckpoints.write(app.database, keys: keys, path: path, reason: "periodic", now: Date()) == nil)
            #expect(try AuditCheckpoints.read(path: path, key: keys.publicKey).count == 2)
            // Another signing key does not verify; an edited line does not either.
            #expect(throws: AuditCheckpoints.Problem.self) { try AuditCheckpoints.read(path: path, key: AuditKeys.ephemeral().publicKey) }
            let text = try String(contentsOfFile: path, encoding: .utf8)
            try text.replacingOccurrences(of: "\"seq\":", with: "\"seq\":1").write(toFile: path, atomically: true, encoding: .utf8)
            #expect(throws: AuditCheckpoints.Problem.self) { try AuditCheckpoints.read(path: path, key: keys.publicKey) }
        }
    }
}

extension AuditLog.Verification {
    var isIntact: Bool { if case .intact = self { true } else { false } }
}
