import Foundation
import Logging
import MotCuaStore
import Synchronization

/// Test support (linked only into test targets). Fresh databases for store tests: always SQLite (a temporary file), and PostgreSQL too when
/// `MOTCUA_TEST_POSTGRES_URL` is set (a new database per test, dropped afterwards, so tests can run
/// in parallel).
public enum TestDatabases {
    public static let postgresURL = ProcessInfo.processInfo.environment["MOTCUA_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }

    public static var kinds: [DatabaseKind] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    public static let logger: Logger = {
        var l = Logger(label: "test")
        l.logLevel = .warning
        return l
    }()

    /// A location for a new, empty database of `kind`, and a cleanup to call afterwards.
    public static func makeLocation(_ kind: DatabaseKind) async throws -> (DatabaseLocation, @Sendable () async -> Void) {
        switch kind {
        case .sqlite:
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("motcua-test-\(UUID().uuidString)")
            return (.sqliteFile(path: dir.appendingPathComponent("test.sqlite").path), { try? FileManager.default.removeItem(at: dir) })
        case .postgres:
            guard case .postgres(let base) = try DatabaseLocation.parse(postgresURL!) else { fatalError("not a postgres URL") }
            let name = "motcua_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
            let admin = try await Database.open(.postgres(base), logger: logger)
            try await admin.withExclusiveConnection { db in try await db.raw("CREATE DATABASE \(unsafeRaw: name)").run() }
            var settings = base
            settings.database = name
            return (.postgres(settings), {
                try? await admin.withExclusiveConnection { db in try await db.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)").run() }
                await admin.close()
            })
        }
    }

    /// Runs `body` with a new database of `kind` (migrated unless `migrate` is false).
    public static func with(_ kind: DatabaseKind, migrate: Bool = true, _ body: (Database, DatabaseLocation) async throws -> Void) async throws {
        let (location, cleanup) = try await makeLocation(kind)
        let database = try await Database.open(location, logger: logger)
        do {
            if migrate { try await Migrator.migrate(database, logger: logger) }
            try await body(database, location)
        } catch {
            await database.close()
            await cleanup()
            throw error
        }
        await database.close()
        await cleanup()
    }
}

/// A clock that tests set and move.
public final class TestClock: Sendable {
    private let current: Mutex<Date>
    public init(_ start: Date) { current = Mutex(start) }
    public var now: Date { current.withLock { $0 } }
    public func set(_ d: Date) { current.withLock { $0 = d } }
    public func advance(hours: Double) { current.withLock { $0 = $0.addingTimeInterval(hours * 3600) } }
}
