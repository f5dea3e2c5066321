import Foundation
import MotCuaStore
import MotCuaTestSupport
import SQLKit
import Testing

/// The audit chain detects an entry changed, deleted (in the middle or at the end) or reordered.
struct AuditLogTests {
    struct Detail: Encodable { let note: String }

    static func fill(_ db: Database) async throws {
        for i in 1...5 {
            try await db.write { sql in
                try await AuditLog.append(sql, chain: "H13.41", at: Date(timeIntervalSince1970: TimeInterval(1_770_000_000 + i)), actor: "tiepnhan.ninhkieu",
                                          action: "dossier.transfer", subject: "H13.41-260302-000\(i)", detail: Detail(note: "Bước \(i)"))
                try await AuditLog.append(sql, chain: "H13.01", at: Date(timeIntervalSince1970: TimeInterval(1_770_000_000 + i)), actor: "tiepnhan.sotuphap",
                                          action: "dossier.read", subject: "H13.01-260302-000\(i)", detail: Detail(note: "Đọc"))
            }
        }
    }

    static func tamper(_ db: Database, _ sql: SQLQueryString) async throws {
        try await db.write { s in try await s.raw(sql).run() }
    }

    @Test(arguments: TestDatabases.kinds)
    func intactChainsVerify(kind: DatabaseKind) async throws {
        try await TestDatabases.with(kind) { db, _ in
            try await Self.fill(db)
            let result = try await AuditLog.verify(db)
            #expect(result == .intact(entries: 10, chains: 2))
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func changedEntryIsNamed(kind: DatabaseKind) async throws {
        try await TestDatabases.with(kind) { db, _ in
            try await Self.fill(db)
            try await Self.tamper(db, "UPDATE audit_entries SET actor = 'ke-gian' WHERE chain = 'H13.41' AND seq = 3")
            let result = try await AuditLog.verify(db)
            guard case .broken(let chain, let seq, let reason) = result else { Issue.record("not detected"); return }
            #expect(chain == "H13.41" && seq == 3 && reason.contains("changed"))
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func deletedEntriesAreNamed(kind: DatabaseKind) async throws {
        try await TestDatabases.with(kind) { db, _ in
            try await Self.fill(db)
            try await Self.tamper(db, "DELETE FROM audit_entries WHERE chain = 'H13.01' AND seq = 2")
            let middle = try await AuditLog.verify(db)
            #expect(middle == .broken(chain: "H13.01", seq: 2, reason: "entry 2 is missing (deleted)"))
        }
        try await TestDatabases.with(kind) { db, _ in
            try await Self.fill(db)
            try await Self.tamper(db, "DELETE FROM audit_entries WHERE chain = 'H13.41' AND seq = 5")
            let tail = try await AuditLog.verify(db)
            guard case .broken(let chain, let seq, _) = tail else { Issue.record("tail deletion not detected"); return }
            #expect(chain == "H13.41" && seq == 5)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func reorderedEntriesAreNamed(kind: DatabaseKind) async throws {
        try await TestDatabases.with(kind) { db, _ in
            try await Self.fill(db)
            // Swap entries 2 and 3 (through a free number so the primary key holds).
            try await Self.tamper(db, "UPDATE audit_entries SET seq = 99 WHERE chain = 'H13.41' AND seq = 2")
            try await Self.tamper(db, "UPDATE audit_entries SET seq = 2 WHERE chain = 'H13.41' AND seq = 3")
            try await Self.tamper(db, "UPDATE audit_entries SET seq = 3 WHERE chain = 'H13.41' AND seq = 99")
            let result = try await AuditLog.verify(db)
            guard case .broken(let chain, let seq, let reason) = result else { Issue.record("reorder not detected"); return }
            #expect(chain == "H13.41" && seq == 2 && reason.contains("reordered"))
        }
    }
}
