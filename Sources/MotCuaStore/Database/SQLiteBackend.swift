import Foundation
import Logging
import NIOPosix
import SQLKit
import SQLiteKit
import SQLiteNIO
import Synchronization

/// SQLite: one writer connection (guarded by a mutex, run on its own thread with a statement cache,
/// `SQLiteDirectConnection`) and a few reader connections (SQLiteNIO; WAL lets them read while the
/// writer commits). Durability is `synchronous=FULL` unless configured otherwise.
final class SQLiteBackend: DatabaseBackend {
    /// `PRAGMA synchronous` levels an operator may choose.
    typealias Synchronous = SQLiteSynchronous

    let kind = DatabaseKind.sqlite
    let writeLanes = 1
    private let writer: SQLiteDirectConnection
    private let writerDatabase: SQLiteDirectDatabase
    private let readers: [SQLiteConnection]
    private let writerLock = AsyncMutex()
    private let nextReader = Mutex(0)

    private init(writer: SQLiteDirectConnection, readers: [SQLiteConnection], logger: Logger) {
        self.writer = writer
        self.writerDatabase = SQLiteDirectDatabase(connection: writer, logger: logger, eventLoop: MultiThreadedEventLoopGroup.singleton.any())
        self.readers = readers
    }

    static func open(path: String?, synchronous: Synchronous, readerCount: Int, logger: Logger) async throws -> SQLiteBackend {
        var quiet = logger
        quiet.logLevel = .warning
        guard let path else {
            let conn = try SQLiteDirectConnection.open(path: nil)
            let backend = SQLiteBackend(writer: conn, readers: [], logger: quiet)
            do {
                try await backend.withWriter { db in try await configure(db, writer: true, synchronous: synchronous, wal: false) }
            } catch {
                conn.close()
                throw error
            }
            return backend
        }
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        let writer = try SQLiteDirectConnection.open(path: path)
        var opened: [SQLiteConnection] = []
        do {
            let backend = SQLiteBackend(writer: writer, readers: [], logger: quiet)
            // The writer first: it switches the file to WAL before any reader opens it.
            try await backend.withWriter { db in try await configure(db, writer: true, synchronous: synchronous, wal: true) }
            for _ in 0..<max(1, readerCount) {
                let r = try await SQLiteConnection.open(storage: .file(path: path), logger: quiet)
                opened.append(r)
                try await configure(r.sql(), writer: false, synchronous: synchronous, wal: true)
            }
            return SQLiteBackend(writer: writer, readers: opened, logger: quiet)
        } catch {
            // SQLiteNIO requires every connection to be closed before it is released.
            for c in opened { try? await c.close() }
            writer.close()
            throw error
        }
    }

    private static func configure(_ db: any SQLDatabase, writer: Bool, synchronous: Synchronous, wal: Bool) async throws {
        try await db.raw("PRAGMA busy_timeout = 10000").run()
        try await db.raw("PRAGMA foreign_keys = ON").run()
        if wal && writer { try await db.raw("PRAGMA journal_mode = WAL").run() }
        try await db.raw(SQLQueryString("PRAGMA synchronous = \(unsafeRaw: synchronous.rawValue)")).run()
        if !writer { try await db.raw("PRAGMA query_only = ON").run() }
    }

    func withReader<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        if readers.isEmpty { return try await withWriter(body) }
        let i = nextReader.withLock { n in
            n = (n + 1) % readers.count
            return n
        }
        return try await body(readers[i].sql())
    }

    /// Runs `body` with the writer, on the writer's thread: every statement of `body` runs inline.
    func withWriter<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let db = writerDatabase
        return try await withTaskExecutorPreference(WriterThread.shared) {
            try await writerLock.withLock { try await body(db) }
        }
    }

    func isRetryable(_ error: any Error) -> Bool { false }

    func close() async {
        for r in readers { try? await r.close() }
        try? await writerLock.withLock { [writer] in writer.close() }
    }
}

/// SQLite's `PRAGMA synchronous`: FULL (every acknowledged write survives power loss), NORMAL or OFF.
public enum SQLiteSynchronous: String, Sendable, Hashable, CaseIterable {
    case full = "FULL", normal = "NORMAL", off = "OFF"
}
