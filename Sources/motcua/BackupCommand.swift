import ArgumentParser
import Foundation
import MotCuaStore
import MotCuaWeb

/// `motcua backup --to FILE`: a consistent backup while the server keeps serving.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up the database (SQLite: a consistent snapshot while serving; PostgreSQL: pg_dump). Back up the audit key folder separately.")
    @OptionGroup var db: DatabaseOptions
    @Option(help: "The backup file to write (must not exist).") var to: String

    func run() async throws {
        try await Runtime.withDatabase(db) { database in
            do { try await Backup.backup(database, to: to) } catch let e as Backup.Failure { throw CommandFailure(e.description) }
        }
        print("backup written to \(to)")
    }
}

/// `motcua restore --from FILE`: into an empty database, then a signed restore checkpoint.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup into an empty database (a new SQLite file or an empty PostgreSQL database), then verify the audit log.")
    @OptionGroup var db: DatabaseOptions
    @Option(help: "The backup file written by `motcua backup`.") var from: String
    @Flag(help: "Restore even when the backup is older than this database's latest audit checkpoint (entries since are lost).")
    var acceptRollback = false

    func run() async throws {
        let config = try Runtime.resolveConfig(db)
        let logger = Runtime.logger(config)
        do { try await Backup.restore(from: from, into: config.database, logger: logger) } catch let e as Backup.Failure {
            throw CommandFailure(e.description)
        }
        let keys = try Runtime.installAuditKeys(config, create: false)
        // A restored database is checked against the latest checkpoint of that database, if any: a
        // backup from before it lost entries, which is said and needs --accept-rollback.
        let checkpoint: AuditCheckpoint?
        do { checkpoint = try AuditCheckpoints.read(path: config.auditCheckpoints, key: keys.publicKey).last } catch {
            throw CommandFailure("audit checkpoints of this database are BROKEN: \(error)")
        }
        let accept = acceptRollback
        let result = try await Runtime.withDatabase(db) { database in
            var verification = try await AuditLog.verify(database, keys: keys, checkpoint: checkpoint)
            if case .broken = verification, checkpoint != nil, accept {
                let intact = try await AuditLog.verify(database, keys: keys)
                if case .intact = intact {
                    print("warning: \(verification) — accepted (--accept-rollback): entries after the backup are lost")
                    verification = intact
                }
            }
            if case .intact = verification {
                try await AuditCheckpoints.write(database, keys: keys, path: config.auditCheckpoints, reason: "restore", now: Date())
            }
            return verification
        }
        switch result {
        case let .intact(entries, chains):
            print("restored \(from) into \(config.database.redacted); audit log intact (\(entries) entries in \(chains) chains); restore checkpoint written")
        case let .broken(chain, seq, reason):
            throw CommandFailure("restored, but the audit log is BROKEN at chain \(chain) entry \(seq): \(reason) "
                                 + "(were the audit keys of this database used? a backup older than the latest checkpoint needs --accept-rollback)")
        }
    }
}
