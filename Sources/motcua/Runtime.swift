import ArgumentParser
import Foundation
import Logging
import MotCuaStore
import MotCuaWeb

/// Options shared by every command that opens the database.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database"), help: "Database URL (sqlite:///path.sqlite or postgres://user:pass@host:port/db). Env: MOTCUA_DATABASE_URL.")
    var database: String?

    @Option(name: .customLong("config"), help: "JSON config file. Env: MOTCUA_CONFIG.")
    var config: String?

    /// Flags given on the command line, keyed like the config file.
    var flagValues: [String: String] {
        var f: [String: String] = [:]
        if let database { f["database"] = database }
        return f
    }
}

/// Shared start-up steps: configuration, logging, database.
enum Runtime {
    static func resolveConfig(_ options: DatabaseOptions, extraFlags: [String: String] = [:]) throws -> ServerConfig {
        let env = ProcessInfo.processInfo.environment
        do {
            let file = try (options.config ?? env["MOTCUA_CONFIG"]).map(ServerConfig.readFile)
            return try ServerConfig.resolve(flags: options.flagValues.merging(extraFlags) { $1 }, environment: env, file: file)
        } catch let e as ConfigError {
            throw ValidationError(e.description)
        }
    }

    nonisolated(unsafe) private static var bootstrapped = false

    static func logger(_ config: ServerConfig) -> Logger {
        if !bootstrapped {
            bootstrapped = true
            let level = config.logLevel
            if config.logFormat == .json {
                LoggingSystem.bootstrap { label in
                    var h = JSONLogHandler(label: label)
                    h.logLevel = level
                    return h
                }
            } else {
                LoggingSystem.bootstrap { label in
                    var h = StreamLogHandler.standardError(label: label)
                    h.logLevel = level
                    return h
                }
            }
        }
        return Logger(label: "motcua")
    }

    /// Runs `body` with the migrated database of the command's options, closing it afterwards.
    static func withDatabase<T>(_ options: DatabaseOptions, _ body: (Database) async throws -> T) async throws -> T {
        let config = try resolveConfig(options)
        let database = try await openMigrated(config, logger: logger(config))
        do {
            let value = try await body(database)
            await database.close()
            return value
        } catch {
            await database.close()
            throw error
        }
    }

    /// Loads (creating on first use) the audit keys of the configuration and makes them the keys
    /// this process appends audit entries with.
    @discardableResult
    static func installAuditKeys(_ config: ServerConfig, create: Bool = true) throws -> AuditKeys {
        do {
            let keys = try AuditKeys.load(directory: config.auditKeyDir, create: create)
            AuditKeyring.install(keys)
            return keys
        } catch let e as AuditKeyError {
            throw CommandFailure("audit keys: \(e.description)")
        }
    }

    /// Opens the database and applies pending migrations (with the audit keys installed).
    static func openMigrated(_ config: ServerConfig, logger: Logger) async throws -> Database {
        try installAuditKeys(config)
        let database = try await Database.open(config.database, options: config.databaseOptions, logger: logger)
        do {
            try await Migrator.migrate(database, logger: logger)
            if !AuditKeys.hasLegacyBoundary(directory: config.auditKeyDir) {
                // First use of the keys: entries already in the database predate them.
                let heads = Dictionary(try await AuditLog.heads(database).map { ($0.chain, $0.seq) }, uniquingKeysWith: { a, _ in a })
                try AuditKeys.recordLegacyBoundary(directory: config.auditKeyDir, heads: heads)
                try installAuditKeys(config)
            }
        } catch {
            await database.close()
            throw error
        }
        return database
    }
}

/// A failure to report to the operator and exit non-zero.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
