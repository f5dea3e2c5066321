import ArgumentParser
import Foundation
import MotCuaStore
import MotCuaWeb

/// `motcua audit verify|checkpoint|rotate-key`: the tamper-evident audit log.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Audit log.",
                                                    subcommands: [Verify.self, Checkpoint.self, RotateKey.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify the audit chains with the HMAC keys, against the latest signed checkpoint; exit 1 naming the first problem.")
        @OptionGroup var db: DatabaseOptions

        func run() async throws {
            let config = try Runtime.resolveConfig(db)
            let keys = try Runtime.installAuditKeys(config, create: false)
            let checkpoints: [AuditCheckpoint]
            do { checkpoints = try AuditCheckpoints.read(path: config.auditCheckpoints, key: keys.publicKey) } catch {
                throw CommandFailure("audit checkpoints BROKEN: \(error)")
            }
            let result = try await Runtime.withDatabase(db) { try await AuditLog.verify($0, keys: keys, checkpoint: checkpoints.last) }
            switch result {
            case let .intact(entries, chains):
                print("audit log intact: \(entries) entries in \(chains) chains" +
                      (checkpoints.isEmpty ? " (no checkpoint yet)" : "; matches checkpoint \(checkpoints.count) of \(config.auditCheckpoints)"))
            case let .broken(chain, seq, reason):
                throw CommandFailure("audit log BROKEN at chain \(chain) entry \(seq): \(reason)")
            }
        }
    }

    struct Checkpoint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Append a signed checkpoint of every chain head now.")
        @OptionGroup var db: DatabaseOptions

        func run() async throws {
            let config = try Runtime.resolveConfig(db)
            let written = try await Runtime.withDatabase(db) {
                try await AuditCheckpoints.write($0, keys: AuditKeyring.current, path: config.auditCheckpoints, reason: "manual", now: Date())
            }
            print("checkpoint of \(written?.heads.count ?? 0) chains appended to \(config.auditCheckpoints)")
        }
    }

    struct RotateKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-key",
            abstract: "Retire the current audit HMAC key (kept to verify older entries) and create a new one; restart the nodes afterwards.")
        @OptionGroup var db: DatabaseOptions

        func run() async throws {
            let config = try Runtime.resolveConfig(db)
            do {
                let id = try AuditKeys.rotate(directory: config.auditKeyDir)
                print("new audit HMAC key \(id) in \(config.auditKeyDir); copy the folder to every node and restart them")
            } catch {
                throw CommandFailure("cannot rotate: \(error)")
            }
        }
    }
}
