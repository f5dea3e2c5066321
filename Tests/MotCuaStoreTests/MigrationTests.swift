import Foundation
import MotCuaStore
import MotCuaTestSupport
import SQLKit
import Testing

struct MigrationTests {
    @Test(arguments: TestDatabases.kinds)
    func migrationsAreRecordedAndIdempotent(kind: DatabaseKind) async throws {
        try await TestDatabases.with(kind, migrate: false) { db, _ in
            let first = try await Migrator.migrate(db, logger: TestDatabases.logger)
            #expect(first == Schema.migrations.map(\.version))
            let second = try await Migrator.migrate(db, logger: TestDatabases.logger)
            #expect(second.isEmpty)
            let version = try await Migrator.currentVersion(db)
            #expect(version == Schema.latestVersion)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func newerSchemaIsRefused(kind: DatabaseKind) async throws {
        try await TestDatabases.with(kind) { db, _ in
            try await db.write { sql in
                try await sql.insert(into: "schema_migrations").columns("version", "name", "applied_at")
                    .values(SQLBind(999), SQLBind("from the future"), SQLBind(0)).run()
            }
            await #expect(throws: MigrationError.self) { try await Migrator.migrate(db, logger: TestDatabases.logger) }
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func failedMigrationRollsBackAndIsNotRecorded(kind: DatabaseKind) async throws {
        try await TestDatabases.with(kind) { db, _ in
            let broken = Schema.migrations + [Migration(version: 1000, name: "broken") { sql, _ in
                try await sql.create(table: "half_done").column("id", type: .bigint).run()
                try await sql.raw("THIS IS NOT SQL").run()
            }]
            await #expect(throws: (any Error).self) { try await Migrator.migrate(db, migrations: broken, logger: TestDatabases.logger) }
            let version = try await Migrator.currentVersion(db)
            let columns = try await SchemaIntrospection.columns(db)
            #expect(version == Schema.latestVersion)
            #expect(columns["half_done"] == nil)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func nodesStartingTogetherMigrateOnce(kind: DatabaseKind) async throws {
        try await TestDatabases.with(kind, migrate: false) { _, location in
            let a = try await Database.open(location, logger: TestDatabases.logger)
            let b = try await Database.open(location, logger: TestDatabases.logger)
            async let ra = Self.capture { try await Migrator.migrate(a, logger: TestDatabases.logger) }
            async let rb = Self.capture { try await Migrator.migrate(b, logger: TestDatabases.logger) }
            let results = await [ra, rb]
            await a.close()
            await b.close()
            let x = try results[0].get(), y = try results[1].get()
            #expect((x + y).sorted() == Schema.migrations.map(\.version))
        }
    }

    static func capture(_ f: @Sendable () async throws -> [Int]) async -> Result<[Int], any Error> {
        do { return .success(try await f()) } catch { return .failure(error) }
    }

    @Test func schemasAreEquivalentOnBothDatabases() async throws {
        guard TestDatabases.postgresURL != nil else { return }
        var schemas: [[String: [String]]] = []
        for kind in [DatabaseKind.sqlite, .postgres] {
            try await TestDatabases.with(kind) { db, _ in schemas.append(try await SchemaIntrospection.columns(db)) }
        }
        #expect(schemas[0] == schemas[1])
        #expect(schemas[0]["procedures"]?.contains("search_text") == true)
    }
}
