import Foundation
import MotCuaStore
import MotCuaTestSupport
import SQLKit
import Testing

struct GroupCommitTests {
    struct Boom: Error {}

    @Test(arguments: TestDatabases.kinds)
    func concurrentWritesAreBatchedAndAFailingUnitRollsBackAlone(kind: DatabaseKind) async throws {
        try await TestDatabases.with(kind) { db, _ in
            try await db.withExclusiveConnection { sql in
                try await sql.create(table: "gc_probe").column("id", type: .bigint, .primaryKey(autoIncrement: false)).run()
            }
            let before = db.commitStatistics
            let results = await withTaskGroup(of: Bool.self) { group in
                for i in 0..<300 {
                    group.addTask {
                        do {
                            try await db.write { sql in
                                try await sql.insert(into: "gc_probe").columns("id").values(SQLBind(i)).run()
                                if i == 150 { throw Boom() }
                            }
                            return true
                        } catch {
                            return false
                        }
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(results.filter { !$0 }.count == 1)
            let ids = try await db.read { sql in
                try await sql.select().column("id").from("gc_probe").all().map { try $0.decode(column: "id", as: Int.self) }
            }
            #expect(ids.count == 299)
            #expect(!ids.contains(150))
            let after = db.commitStatistics
            #expect(after.units - before.units == 300)
            #expect(after.batches - before.batches < 300, "writes were grouped into fewer commits")
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func aConstraintViolationIsReportedToItsCaller(kind: DatabaseKind) async throws {
        try await TestDatabases.with(kind) { db, _ in
            try await db.write { sql in try await SettingsTable.put(sql, "k", "v") }
            await #expect(throws: (any Error).self) {
                try await db.write { sql in try await SettingsTable.insertOnly(sql, "k", "other") }
            }
            let v = try await SettingsRepository(database: db).value("k")
            #expect(v == "v")
        }
    }
}

enum SettingsTable {
    static func put(_ sql: any SQLDatabase, _ k: String, _ v: String) async throws {
        try await sql.insert(into: "settings").columns("key", "value").values(SQLBind(k), SQLBind(v)).run()
    }
    static func insertOnly(_ sql: any SQLDatabase, _ k: String, _ v: String) async throws { try await put(sql, k, v) }
}
