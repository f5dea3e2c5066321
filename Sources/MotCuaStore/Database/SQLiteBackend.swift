import Foundation
import Logging
import NIOPosix
import SQLKit
import SQLiteKit
import SQLiteNIO
import Synchronization

/// SQLite: one writer connection (guarded by a mutex) and a few reader connections (WAL lets them
/// read while the writer commits). Durability is `synchronous=FULL` unless configured otherwise.
final class SQLiteBackend: DatabaseBackend {
    /// `PRAGMA synchronous` levels an operator may choose.
    typealias Synchronous = SQLiteSynchronous

    let kind = DatabaseKind.sqlite
    let writeLanes = 1
    private let writer: SQLiteConnection
    private let readers: [SQLiteConnection]
    private let writerLock = AsyncMutex()
    private let nextReader = Mutex(0)

    private init(writer: SQLiteConnection, readers: [SQLiteConnection]) {
        self.writer = writer
        self.readers = readers
    }

    static func open(path: String?, synchronous: Synchronous, readerCount: Int, logger: Logger) async throws -> SQLiteBackend {
        var quiet = logger
        quiet.logLevel = .warning
        guard let path else {
            let conn = try await SQLiteConnection.open(storage: .memory, logger: quiet)
            do {
                try await configure(conn, writer: true, synchronous: synchronous, wal: false)
            } catch {
                try? await conn.close()
                throw error
            }
            return SQLiteBackend(writer: conn, readers: [])
        }
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        var opened: [SQLiteConnection] = []
        do {
            let writer = try await SQLiteConnection.open(storage: .file(path: path), logger: quiet)
            opened.append(writer)
            try await configure(writer, writer: true, synchronous: synchronous, wal: true)
            for _ in 0..<max(1, readerCount) {
                let r = try await SQLiteConnection.open(storage: .file(path: path), logger: quiet)
                opened.append(r)
                try await configure(r, writer: false, synchronous: synchronous, wal: true)
            }
            return SQLiteBackend(writer: writer, readers: Array(opened.dropFirst()))
        } catch {
            // SQLiteNIO requires every connection to be closed before it is released.
            for c in opened { try? await c.close() }
            throw error
        }
    }

    private static func configure(_ conn: SQLiteConnection, writer: Bool, synchronous: Synchronous, wal: Bool) async throws {
        let db = conn.sql()
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

    func withWriter<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let db = writer.sql()
        return try await writerLock.withLock { try await body(db) }
    }

    func isRetryable(_ error: any Error) -> Bool { false }

    func close() async {
        for r in readers { try? await r.close() }
        try? await writer.close()
    }
}

/// SQLite's `PRAGMA synchronous`: FULL (every acknowledged write survives power loss), NORMAL or OFF.
public enum SQLiteSynchronous: String, Sendable, Hashable, CaseIterable {
    case full = "FULL", normal = "NORMAL", off = "OFF"
}
