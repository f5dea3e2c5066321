import Logging
import NIOCore
import SQLKit

/// The connection a group-commit batch runs its units on, in its first (optimistic) run: rows that
/// nothing reads back in the same transaction are kept and written at the end of the batch, all
/// units' rows of a table in one multi-row statement, and the hot single rows (daily sequences,
/// form numbers, audit chain heads) are read and locked once per batch, advanced in memory and
/// written once. An intake is then two or three statements instead of twelve — on PostgreSQL each
/// statement is a round trip, on SQLite a parse-free but still costly step (issue 11).
///
/// Rules that keep this invisible:
/// - any statement that does not go through the batch-aware helpers (`deferInsert`, `addCounter`,
///   `nextRunningNumber`, `auditHead`) first writes everything kept, so it sees what earlier
///   units wrote;
/// - a failure anywhere (a unit's or the final write's) rolls the whole transaction back and the
///   batch runs again with one savepoint per unit and no batching (`GroupCommitWriter`), so a
///   failing unit fails alone and a duplicate key (the same idempotency key twice in one batch)
///   is decided by the database as before;
/// - everything is written before COMMIT, so a caller still hears of success only after its rows
///   are durable.
final class WriteBatch: SQLDatabase, @unchecked Sendable {
    /// The transaction's connection.
    let inner: any SQLDatabase

    private var inserts: [String: [SQLGroupExpression]] = [:]
    private var insertOrder: [String] = []
    private var counters: [CounterTable: [[String]: Int]] = [:]
    private var numbers: [String: RunningNumber] = [:]
    private var numberOrder: [String] = []
    private var heads: [String: AuditHead] = [:]
    private var headOrder: [String] = []

    /// A running number (daily sequence, form number) advanced in memory.
    private struct RunningNumber {
        var value: Int
        var dirty: Bool
        let write: @Sendable (Int) -> SQLQueryString
    }

    /// An audit chain's head as this batch has moved it.
    struct AuditHead {
        var seq: Int
        var hash: String
        var stored: Bool
        var dirty = false
    }

    init(_ inner: any SQLDatabase) { self.inner = inner }

    var logger: Logger { inner.logger }
    var eventLoop: any EventLoop { inner.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { inner.version }
    var dialect: any SQLDialect { inner.dialect }
    var queryLogLevel: Logger.Level? { inner.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        promise.completeWithTask { try await self.execute(sql: query, onRow) }
        return promise.futureResult
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        try await flush()
        try await inner.execute(sql: query, onRow)
    }

    /// Keeps a row for `INSERT INTO <target> VALUES …` (target: table and column list).
    func deferInsert(_ target: String, _ row: SQLGroupExpression) {
        if inserts[target] == nil { insertOrder.append(target) }
        inserts[target, default: []].append(row)
    }

    /// Adds to a counter row of `table` (its key columns' values), summed per key until the end.
    func addCounter(_ table: CounterTable, key: [String], value: Int) {
        counters[table, default: [:]][key, default: 0] += value
    }

    /// The next value of a running number: the first call runs `first` (which advances and locks the
    /// row), later calls count on in memory; `write` stores the last value at the end.
    func nextRunningNumber(_ key: String, first: () async throws -> Int, write: @escaping @Sendable (Int) -> SQLQueryString) async throws -> Int {
        if var n = numbers[key] {
            n.value += 1
            n.dirty = true
            numbers[key] = n
            return n.value
        }
        let value = try await first()
        numbers[key] = RunningNumber(value: value, dirty: false, write: write)
        numberOrder.append(key)
        return value
    }

    /// The head of an audit chain as of this batch (read and locked from the database once).
    func auditHead(_ chain: String, read: () async throws -> AuditHead) async throws -> AuditHead {
        if let h = heads[chain] { return h }
        let h = try await read()
        heads[chain] = h
        headOrder.append(chain)
        return h
    }

    /// Moves an audit chain's head (written at the end).
    func moveAuditHead(_ chain: String, seq: Int, hash: String) {
        heads[chain]?.seq = seq
        heads[chain]?.hash = hash
        heads[chain]?.dirty = true
    }

    /// Writes everything kept, in multi-row statements; the batch stays usable afterwards.
    func flush() async throws {
        for key in numberOrder {
            guard let n = numbers[key], n.dirty else { continue }
            try await inner.raw(n.write(n.value)).run()
            numbers[key]?.dirty = false
        }
        for table in CounterTable.all {
            guard let values = counters[table], !values.isEmpty else { continue }
            // In key order, the same in every transaction: writers on several nodes lock the shared
            // roll-up rows in one order and cannot deadlock on them.
            let rows = values.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map { key, value in
                SQLGroupExpression((key.map { SQLBind($0) as any SQLExpression }) + [SQLBind(value)])
            }
            for chunk in stride(from: 0, to: rows.count, by: 500).map({ Array(rows[$0..<min($0 + 500, rows.count)]) }) {
                try await IndicatorCounters.upsert(inner, table: table, rows: chunk)
            }
            counters[table] = [:]
        }
        for target in insertOrder {
            guard let rows = inserts[target], !rows.isEmpty else { continue }
            for chunk in stride(from: 0, to: rows.count, by: 200).map({ Array(rows[$0..<min($0 + 200, rows.count)]) }) {
                try await inner.raw("INSERT INTO \(unsafeRaw: target) VALUES \(SQLList(chunk))").run()
            }
            inserts[target] = []
        }
        for chain in headOrder {
            guard let h = heads[chain], h.dirty else { continue }
            if h.stored {
                try await inner.raw("UPDATE audit_heads SET seq = \(bind: h.seq), hash = \(bind: h.hash) WHERE chain = \(bind: chain)").run()
            } else {
                try await inner.raw("INSERT INTO audit_heads (chain, seq, hash) VALUES (\(bind: chain), \(bind: h.seq), \(bind: h.hash))").run()
            }
            heads[chain]?.stored = true
            heads[chain]?.dirty = false
        }
    }
}

extension SQLDatabase {
    /// The connection to run immediate statements on: the batch's own, past its kept rows.
    var immediate: any SQLDatabase { (self as? WriteBatch)?.inner ?? self }

    /// Inserts one row now, or at the end of the batch when running in one.
    func insertRow(_ target: String, _ row: SQLGroupExpression) async throws {
        if let batch = self as? WriteBatch {
            batch.deferInsert(target, row)
        } else {
            try await raw("INSERT INTO \(unsafeRaw: target) VALUES \(row)").run()
        }
    }
}
