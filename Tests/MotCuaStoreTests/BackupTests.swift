import Foundation
import MotCuaStore
import MotCuaTestSupport
import SQLKit
import Testing

/// A backup taken from a database with dossiers and audit chains restores into an empty database
/// whose audit log verifies with the same entries; a non-empty target is refused.
struct BackupTests {
    @Test(arguments: TestDatabases.kinds)
    func backupAndRestoreRoundTrip(kind: DatabaseKind) async throws {
        try await TestDatabases.with(kind) { database, _ in
            try await DemoSeeder.seed(database, now: Date(), logger: TestDatabases.logger, hashPassword: { _ in "x" }, withHistory: true)
            guard case .intact(let entries, let chains) = try await AuditLog.verify(database) else { Issue.record("demo audit broken"); return }
            #expect(entries > 50)
            let dossiers = try await database.read { try await $0.raw("SELECT count(*) AS n FROM dossiers").first()?.decode(column: "n", as: Int.self) ?? 0 }
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("motcua-backup-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: file) }
            try await Backup.backup(database, to: file)
            await #expect(throws: Backup.Failure.self) { try await Backup.backup(database, to: file) }

            let (target, cleanup) = try await TestDatabases.makeLocation(kind)
            try await Backup.restore(from: file, into: target, logger: TestDatabases.logger)
            let restored = try await Database.open(target, logger: TestDatabases.logger)
            let after = try await AuditLog.verify(restored)
            let restoredDossiers = try await restored.read { try await $0.raw("SELECT count(*) AS n FROM dossiers").first()?.decode(column: "n", as: Int.self) ?? 0 }
            await restored.close()
            #expect(after == .intact(entries: entries, chains: chains))
            #expect(restoredDossiers == dossiers && dossiers > 0)
            // The restored database is not empty any more: a second restore into it is refused.
            await #expect(throws: Backup.Failure.self) { try await Backup.restore(from: file, into: target, logger: TestDatabases.logger) }
            await cleanup()
        }
    }
}
