import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresKit
import PostgresNIO
import SQLKit

/// PostgreSQL through PostgresNIO's `PostgresClient` (its own async connection pool). Several app
/// nodes may share one database; each node commits through a few write lanes.
final class PostgresBackend: DatabaseBackend {
    let kind = DatabaseKind.postgres
    let writeLanes: Int
    private let client: PostgresClient
    private let runTask: Task<Void, Never>

    init(settings: DatabaseLocation.PostgresSettings, maxConnections: Int, logger: Logger) {
        let tls: PostgresClient.Configuration.TLS
        switch settings.tls {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(.makeClientConfiguration())
        case .require: tls = .require(.makeClientConfiguration())
        }
        var config = PostgresClient.Configuration(host: settings.host, port: settings.port, username: settings.username,
                                                  password: settings.password, database: settings.database, tls: tls)
        config.options.maximumConnections = max(2, maxConnections)
        var quiet = logger
        quiet.logLevel = .warning
        let client = PostgresClient(configuration: config, backgroundLogger: quiet)
        self.client = client
        self.writeLanes = 1
        self.runTask = Task { await client.run() }
    }

    /// Reads stay on the caller's executor: moving them to the connection's event loop, as writes
    /// are, was measured slower (their decoding then competes with the loop's network work).
    func withReader<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { conn in try await body(conn.sql(queryLogLevel: nil)) }
    }

    /// Runs `body` on a pooled connection, with the task on that connection's event loop: a query's
    /// request is written and its answer resumes the task on the same thread, without the two
    /// thread hops per statement that made PostgreSQL's write lane wait more than it worked.
    func withWriter<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { conn in
            try await withTaskExecutorPreference(EventLoopTaskExecutor(conn.eventLoop)) { try await body(conn.sql(queryLogLevel: nil)) }
        }
    }

    /// 40P01 deadlock_detected, 40001 serialization_failure.
    func isRetryable(_ error: any Error) -> Bool {
        guard let e = error as? PSQLError, let state = e.serverInfo?[.sqlState] else { return false }
        return state == "40P01" || state == "40001"
    }

    func close() async {
        runTask.cancel()
        _ = await runTask.value
    }
}

/// A task executor that runs jobs on one NIO event loop (the PostgreSQL write connection's).
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    private let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        // `self` is held until the job has run, so the executor outlives every job given to it.
        eventLoop.execute { unowned.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
