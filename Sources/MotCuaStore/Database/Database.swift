import Foundation
import Logging
import SQLKit

/// The application's database: reads on reader connections, writes through group commit, the same
/// SQLKit query code for SQLite and PostgreSQL.
public final class Database: Sendable {
    public let kind: DatabaseKind
    public let location: DatabaseLocation
    let backend: any DatabaseBackend
    private let writer: GroupCommitWriter

    /// Options an operator may set for the database.
    public struct Options: Sendable {
        /// SQLite `PRAGMA synchronous`: FULL (default), NORMAL or OFF.
        public var sqliteSynchronous: SQLiteSynchronous = .full
        /// SQLite reader connections.
        public var sqliteReaders: Int = 4
        /// PostgreSQL pool size per app node.
        public var postgresMaxConnections: Int = 16
        public init() {}
    }

    private init(location: DatabaseLocation, backend: any DatabaseBackend) {
        self.kind = backend.kind
        self.location = location
        self.backend = backend
        self.writer = GroupCommitWriter(backend: backend)
    }

    /// Opens (creating the SQLite file and its folder when needed) without migrating.
    public static func open(_ location: DatabaseLocation, options: Options = Options(), logger: Logger) async throws -> Database {
        switch location {
        case .sqliteMemory, .sqliteFile:
            let sync = options.sqliteSynchronous
            var path: String? = nil
            if case .sqliteFile(let p) = location { path = p }
            let backend = try await SQLiteBackend.open(path: path, synchronous: sync, readerCount: options.sqliteReaders, logger: logger)
            return Database(location: location, backend: backend)
        case .postgres(let settings):
            let backend = PostgresBackend(settings: settings, maxConnections: options.postgresMaxConnections, logger: logger)
            return Database(location: location, backend: backend)
        }
    }

    /// Runs read-only work on a reader connection.
    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await backend.withReader(body)
    }

    /// Runs `body` in a transaction (group-committed with concurrent writes). Returns only after the
    /// commit is durable; if `body` throws, its changes are rolled back and the error is rethrown.
    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await writer.write(body)
    }

    /// Runs `body` in its own transaction, without group commit: one commit per call. Used by the
    /// benchmark that measures the database's own rate.
    public func writeUnbatched<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let kind = self.kind
        return try await backend.withWriter { db in
            try await db.raw(Dialect.begin(kind)).run()
            do {
                let value = try await body(db)
                try await db.raw("COMMIT").run()
                return value
            } catch {
                try? await db.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    /// Exclusive use of a write connection outside group commit (migrations, bulk imports).
    public func withExclusiveConnection<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await backend.withWriter(body)
    }

    /// Write units waiting for the next group commit.
    public var pendingWrites: Int { writer.pending }

    /// Group-commit counters: batches and units committed.
    public var commitStatistics: (batches: Int, units: Int) { writer.statistics }

    /// Checks that the database answers a query.
    public func ping() async throws {
        _ = try await read { db in try await db.raw("SELECT 1 AS ok").all() }
    }

    public func close() async {
        await backend.close()
    }
}
