import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import SQLiteNIO
import VaporCSQLite

/// The SQLite write connection: statements run synchronously on the calling thread (the writer's own
/// thread, `WriterThread`), prepared once and kept in a cache by their SQL text. SQLiteNIO hops to a
/// thread pool and back for every statement and parses every statement again; on the write path,
/// where one intake is a dozen statements, those hops and parses were most of the cost (issue 11).
/// The same SQLKit queries run on it as on every other connection; only the execution differs.
final class SQLiteDirectConnection: @unchecked Sendable {
    /// SQLite's handle and the statement cache, used under `lock` (held for one statement, never
    /// across a suspension, so readers shared by concurrent tasks cannot deadlock).
    private var handle: OpaquePointer?
    private let lock = NSLock()
    private var statements: [String: OpaquePointer] = [:]
    private static let cacheLimit = 512

    private init(handle: OpaquePointer) { self.handle = handle }

    /// Opens `path` (nil: a private in-memory database).
    static func open(path: String?) throws -> SQLiteDirectConnection {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_URI | SQLITE_OPEN_EXRESCODE
        let status = sqlite_nio_sqlite3_open_v2(path ?? ":memory:", &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "cannot open"
            if let handle { sqlite_nio_sqlite3_close_v2(handle) }
            throw SQLiteDirectError(code: status, message: message)
        }
        return SQLiteDirectConnection(handle: handle)
    }

    /// Runs one statement with `binds`, calling `onRow` for each result row.
    func execute(_ sql: String, _ binds: [SQLiteData], onRow: (SQLiteDirectRow) -> Void) throws {
        lock.lock()
        defer { lock.unlock() }
        guard let handle else { throw SQLiteDirectError(code: SQLITE_MISUSE, message: "connection closed") }
        let statement = try prepared(sql, handle)
        defer {
            sqlite_nio_sqlite3_reset(statement)
            sqlite_nio_sqlite3_clear_bindings(statement)
        }
        for (i, bind) in binds.enumerated() {
            let status = Self.bind(bind, at: Int32(i + 1), statement)
            guard status == SQLITE_OK else { throw error(status, handle) }
        }
        var names: [String]?
        while true {
            let status = sqlite_nio_sqlite3_step(statement)
            if status == SQLITE_DONE { return }
            guard status == SQLITE_ROW else { throw error(status, handle) }
            let count = sqlite_nio_sqlite3_column_count(statement)
            if names == nil {
                names = (0..<count).map { sqlite_nio_sqlite3_column_name(statement, $0).map { String(cString: $0) } ?? "" }
            }
            onRow(SQLiteDirectRow(names: names ?? [], values: (0..<count).map { Self.value(statement, $0) }))
        }
    }

    private func prepared(_ sql: String, _ handle: OpaquePointer) throws -> OpaquePointer {
        if let cached = statements[sql] { return cached }
        if statements.count >= Self.cacheLimit { finalizeAll() }
        var statement: OpaquePointer?
        let status = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard status == SQLITE_OK, let statement else { throw error(status, handle) }
        statements[sql] = statement
        return statement
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private static func bind(_ value: SQLiteData, at i: Int32, _ statement: OpaquePointer) -> Int32 {
        switch value {
        case .integer(let n): sqlite_nio_sqlite3_bind_int64(statement, i, Int64(n))
        case .float(let d): sqlite_nio_sqlite3_bind_double(statement, i, d)
        case .text(let s):
            s.utf8.withContiguousStorageIfAvailable {
                sqlite_nio_sqlite3_bind_text64(statement, i, $0.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                                               UInt64($0.count), transient, UInt8(SQLITE_UTF8))
            } ?? sqlite_nio_sqlite3_bind_text64(statement, i, s, UInt64(s.utf8.count), transient, UInt8(SQLITE_UTF8))
        case .blob(let buffer):
            buffer.withUnsafeReadableBytes { sqlite_nio_sqlite3_bind_blob64(statement, i, $0.baseAddress, UInt64($0.count), transient) }
        case .null: sqlite_nio_sqlite3_bind_null(statement, i)
        }
    }

    private static func value(_ statement: OpaquePointer, _ i: Int32) -> SQLiteData {
        switch sqlite_nio_sqlite3_column_type(statement, i) {
        case SQLITE_INTEGER: return .integer(Int(sqlite_nio_sqlite3_column_int64(statement, i)))
        case SQLITE_FLOAT: return .float(sqlite_nio_sqlite3_column_double(statement, i))
        case SQLITE_TEXT:
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, i))
            guard let text = sqlite_nio_sqlite3_column_text(statement, i) else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, i))
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            if let bytes = sqlite_nio_sqlite3_column_blob(statement, i) { buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: count)) }
            return .blob(buffer)
        default: return .null
        }
    }

    private func error(_ status: Int32, _ handle: OpaquePointer) -> SQLiteDirectError {
        SQLiteDirectError(code: status, message: String(cString: sqlite_nio_sqlite3_errmsg(handle)))
    }

    private func finalizeAll() {
        for statement in statements.values { sqlite_nio_sqlite3_finalize(statement) }
        statements.removeAll()
    }

    /// Finalizes the cached statements and closes the connection.
    func close() {
        lock.lock()
        defer { lock.unlock() }
        finalizeAll()
        if let handle { sqlite_nio_sqlite3_close_v2(handle) }
        handle = nil
    }
}

/// An error of SQLite on the direct connection: its result code and message.
struct SQLiteDirectError: Error, CustomStringConvertible {
    let code: Int32
    let message: String
    var description: String { "SQLite error \(code): \(message)" }
}

/// A result row of the direct connection.
struct SQLiteDirectRow: SQLRow {
    let names: [String]
    let values: [SQLiteData]

    var allColumns: [String] { names }
    func contains(column: String) -> Bool { names.contains(column) }

    func decodeNil(column: String) throws -> Bool {
        guard let i = names.firstIndex(of: column) else { return true }
        return values[i] == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let i = names.firstIndex(of: column) else { throw SQLiteDirectError(code: SQLITE_ERROR, message: "no column \(column)") }
        switch values[i] {
        case .integer(let n): if let v = n as? D { return v }
        case .text(let s): if let v = s as? D { return v }
        default: break
        }
        return try SQLiteDataDecoder().decode(D.self, from: values[i])
    }
}

/// SQLKit's view of the direct connection: serialises the query, converts the binds, runs it inline.
struct SQLiteDirectDatabase: SQLDatabase {
    let connection: SQLiteDirectConnection
    let logger: Logger
    let eventLoop: any EventLoop
    var dialect: any SQLDialect { SQLiteDialect() }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        do {
            try run(query, onRow)
            return eventLoop.makeSucceededVoidFuture()
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        try run(query, onRow)
    }

    private func run(_ query: any SQLExpression, _ onRow: (any SQLRow) -> ()) throws {
        let (sql, binds) = serialize(query)
        let encoder = SQLiteDataEncoder()
        let values: [SQLiteData] = try binds.map { bind in
            switch bind {
            case let n as Int: .integer(n)
            case let s as String: .text(s)
            case let d as SQLiteData: d
            default: try encoder.encode(bind)
            }
        }
        try connection.execute(sql, values) { onRow($0) }
    }
}
