import Foundation
import Logging
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

    func withReader<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { conn in try await body(conn.sql(queryLogLevel: nil)) }
    }

    func withWriter<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { conn in try await body(conn.sql(queryLogLevel: nil)) }
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
