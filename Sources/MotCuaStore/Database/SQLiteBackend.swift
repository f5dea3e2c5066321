import Foundation
import Logging
import NIOPosix
import SQLKit
import SQLiteKit
import Synchronization

/// SQLite: one writer connection (guarded by a mutex, run on its own thread) and a few reader
/// connections (WAL lets them read while the writer commits, taken in turn), all
/// `SQLiteDirectConnection`s with a statement cache. A read statement runs inline on the caller's
/// thread (SQLiteNIO hopped to a thread pool and back and parsed the SQL again for every statement).
/// Durability is `synchronous=FULL` unless configured otherwise.
final class SQLiteBackend: DatabaseBackend {
    /// `PRAGMA synchronous` levels an operator may choose.
    typealias Synchronous = SQLiteSynchronous

    let kind = DatabaseKind.sqlite
    let writeLanes = 1
    private let writer: SQLiteDirectConnection
    private let writerDatabase: SQLiteDirectDatabase
    private let readers: [SQLiteDirectConnection]
    private let readerDatabases: [SQLiteDirectDatabase]
    private let nextReader = Mutex(0)
    private let writerLock = AsyncMutex()

    private init(writer: SQLiteDirectConnection, readers: [SQLiteDirectConnection], logger: Logger) {
        self.writer = writer
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        self.writerDatabase = SQLiteDirectDatabase(connection: writer, logger: logger, eventLoop: loop)
        self.readers = readers
        self.readerDatabases = readers.map { SQLiteDirectDatabase(connection: $0, logger: logger, eventLoop: loop) }
    }

    static func open(path: String?, synchronous: Synchronous, readerCount: Int, logger: Logger) async throws -> SQLiteBackend {
        var quiet = logger
        quiet.logLevel = .warning
        guard let path else {
            let conn = try SQLiteDirectConnection.open(path: nil)
            do {
                try await configure(conn, quiet, writer: true, synchronous: synchronous, wal: false)
            } catch {
                conn.close()
                throw error
            }
            return SQLiteBackend(writer: conn, readers: [], logger: quiet)
        }
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        let writer = try SQLiteDirectConnection.open(path: path)
        var opened: [SQLiteDirectConnection] = []
        do {
            // The writer first: it switches the file to WAL before any reader opens it.
            try await configure(writer, quiet, writer: true, synchronous: synchronous, wal: true)
            for _ in 0..<max(1, readerCount) {
                let r = try SQLiteDirectConnection.open(path: path)
                opened.append(r)
                try await configure(r, quiet, writer: false, synchronous: synchronous, wal: true)
            }
            return SQLiteBackend(writer: writer, readers: opened, logger: quiet)
        } catch {
            for c in opened { c.close() }
            writer.close()
            throw error
        }
    }

    /// Sets the connection's pragmas (at opening, before anyone else uses it: inline on this thread).
    private static func configure(_ conn: SQLiteDirectConnection, _ logger: Logger, writer: Bool, synchronous: Synchronous, wal: Bool) async throws {
        let db = SQLiteDirectDatabase(connection: conn, logger: logger, eventLoop: MultiThreadedEventLoopGroup.singleton.any())
        try await db.raw("PRAGMA busy_timeout = 10000").run()
        try await db.raw("PRAGMA foreign_keys = ON").run()
        if wal && writer { try await db.raw("PRAGMA journal_mode = WAL").run() }
        try await db.raw(SQLQueryString("PRAGMA synchronous = \(unsafeRaw: synchronous.rawValue)")).run()
        if !writer { try await db.raw("PRAGMA query_only = ON").run() }
    }

    func withReader<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        if readers.isEmpty { return try await withWriter(body) }
        let i = nextReader.withLock { n in
            n = (n + 1) % readerDatabases.count
            return n
        }
        return try await body(readerDatabases[i])
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
        for r in readers { r.close() }
        try? await writerLock.withLock { [writer] in writer.close() }
    }
}

/// SQLite's `PRAGMA synchronous`: FULL (every acknowledged write survives power loss), NORMAL or OFF.
public enum SQLiteSynchronous: String, Sendable, Hashable, CaseIterable {
    case full = "FULL", normal = "NORMAL", off = "OFF"
}
