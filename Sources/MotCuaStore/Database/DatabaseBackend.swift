import SQLKit

/// A source of SQL connections for one engine: readers for queries, one exclusive writer connection
/// at a time for transactions. `Database` builds group commit and migrations on top of it.
protocol DatabaseBackend: Sendable {
    var kind: DatabaseKind { get }
    /// Runs `body` on a connection for reads (SQLite: a reader connection in WAL mode).
    func withReader<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// Runs `body` with exclusive use of a write connection (SQLite: the single writer).
    func withWriter<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// How many batches may commit concurrently (1: batches hold row locks of hot rows — the daily
    /// sequence, the audit head, the counters — in an order that differs between units, so two
    /// concurrent batches could deadlock).
    var writeLanes: Int { get }
    /// Whether an error means "run this unit again" (a PostgreSQL deadlock or serialization
    /// failure between app nodes).
    func isRetryable(_ error: any Error) -> Bool
    func close() async
}

/// SQL that differs between the two engines, one small function per difference.
enum Dialect {
    /// Starts a write transaction (SQLite takes the write lock at once to avoid upgrade deadlocks).
    static func begin(_ kind: DatabaseKind) -> SQLQueryString {
        kind == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN"
    }
}
