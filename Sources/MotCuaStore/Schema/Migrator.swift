import Foundation
import Logging
import SQLKit

/// One versioned schema change. `apply` uses SQLKit's builders so that the same list gives
/// equivalent schemas on SQLite and PostgreSQL.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let apply: @Sendable (any SQLDatabase, DatabaseKind) async throws -> Void

    public init(version: Int, name: String, apply: @escaping @Sendable (any SQLDatabase, DatabaseKind) async throws -> Void) {
        self.version = version
        self.name = name
        self.apply = apply
    }
}

/// Errors that stop migration.
public enum MigrationError: Error, CustomStringConvertible {
    /// The database was migrated by a newer MotCua than this binary.
    case schemaTooNew(database: Int, binary: Int)

    public var description: String {
        switch self {
        case let .schemaTooNew(database, binary):
            "the database schema is at version \(database) but this MotCua knows only up to \(binary); upgrade MotCua before starting it on this database"
        }
    }
}

/// Applies pending migrations in order, each in its own transaction, recording them in
/// `schema_migrations`. On PostgreSQL a session advisory lock makes app nodes that start together
/// migrate one at a time (the later ones find nothing left to do).
public enum Migrator {
    /// Key of the PostgreSQL advisory lock ("MotCua" in ASCII, as a number).
    static let advisoryLockKey: Int64 = 0x4D6F_7443_7561

    /// Applies what is pending; returns the versions applied now.
    @discardableResult
    public static func migrate(_ database: Database, migrations: [Migration] = Schema.migrations, logger: Logger) async throws -> [Int] {
        let kind = database.kind
        let known = migrations.map(\.version).max() ?? 0
        return try await database.withExclusiveConnection { db in
            if kind == .postgres {
                try await db.raw("SELECT pg_advisory_lock(\(bind: advisoryLockKey))").run()
            }
            do {
                let applied = try await applyPending(db, kind: kind, migrations: migrations, known: known, logger: logger)
                if kind == .postgres { try await db.raw("SELECT pg_advisory_unlock(\(bind: advisoryLockKey))").run() }
                return applied
            } catch {
                if kind == .postgres { try? await db.raw("SELECT pg_advisory_unlock(\(bind: advisoryLockKey))").run() }
                throw error
            }
        }
    }

    /// The highest applied version (0 for an empty database).
    public static func currentVersion(_ database: Database) async throws -> Int {
        try await database.read { db in
            let rows = try await db.select().column(SQLFunction("max", args: SQLColumn("version")), as: "v")
                .from("schema_migrations").all()
            return try rows.first?.decodeNil(column: "v") == false ? rows[0].decode(column: "v", as: Int.self) : 0
        }
    }

    /// One transaction per migration. Each transaction re-reads the applied versions after taking
    /// the write lock (SQLite: BEGIN IMMEDIATE), so two processes migrating one SQLite file cannot
    /// apply the same migration twice; on PostgreSQL the advisory lock already serialises them.
    private static func applyPending(_ db: any SQLDatabase, kind: DatabaseKind, migrations: [Migration], known: Int, logger: Logger) async throws -> [Int] {
        try await db.create(table: "schema_migrations").ifNotExists()
            .column("version", type: .bigint, .primaryKey(autoIncrement: false))
            .column("name", type: .text, .notNull)
            .column("applied_at", type: .bigint, .notNull)
            .run()
        var applied: [Int] = []
        while true {
            try await db.raw(Dialect.begin(kind)).run()
            do {
                let rows = try await db.select().column("version").from("schema_migrations").all()
                let done = Set(try rows.map { try $0.decode(column: "version", as: Int.self) })
                if let newest = done.max(), newest > known { throw MigrationError.schemaTooNew(database: newest, binary: known) }
                guard let m = migrations.sorted(by: { $0.version < $1.version }).first(where: { !done.contains($0.version) }) else {
                    try await db.raw("COMMIT").run()
                    return applied
                }
                try await m.apply(db, kind)
                try await db.insert(into: "schema_migrations")
                    .columns("version", "name", "applied_at")
                    .values(SQLBind(m.version), SQLBind(m.name), SQLBind(Int(Date().timeIntervalSince1970)))
                    .run()
                try await db.raw("COMMIT").run()
                logger.info("applied migration", metadata: ["version": "\(m.version)", "name": "\(m.name)"])
                applied.append(m.version)
            } catch {
                try? await db.raw("ROLLBACK").run()
                throw error
            }
        }
    }
}
