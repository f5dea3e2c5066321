import Foundation
import MotCuaCore
import SQLKit

/// The official holiday schedules per year, editable by an administrator.
public struct CalendarRepository: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    public func schedules() async throws -> [OfficialSchedule] {
        try await database.read { db in
            try await db.select().column("document").from("calendar_schedules").orderBy("year").all()
                .map { try StoredJSON.decode(OfficialSchedule.self, from: $0.decode(column: "document", as: String.self)) }
        }
    }

    /// Inserts or replaces one year's schedule (validate it first with `problems()`).
    public func save(_ schedule: OfficialSchedule, now: Date) async throws {
        try await save([schedule], now: now)
    }

    /// Inserts or replaces several years in one transaction.
    public func save(_ schedules: [OfficialSchedule], now: Date) async throws {
        let documents = try schedules.map { ($0, try StoredJSON.encode($0)) }
        try await database.write { db in
            for (schedule, document) in documents {
                try await db.delete(from: "calendar_schedules").where("year", .equal, schedule.year).run()
                try await db.insert(into: "calendar_schedules").columns("year", "source", "document", "updated_at")
                    .values(SQLBind(schedule.year), SQLBind(schedule.source), SQLBind(document), SQLBind(Int(now.timeIntervalSince1970)))
                    .run()
            }
        }
    }

    /// The working calendar: defaults plus the stored official schedules.
    public func workingCalendar() async throws -> WorkingCalendar {
        WorkingCalendar(officialSchedules: try await schedules())
    }
}

/// Small key–value settings (demo marker, instance facts).
public struct SettingsRepository: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    public func value(_ key: String) async throws -> String? {
        try await database.read { db in
            try await db.select().column("value").from("settings").where("key", .equal, key).first()?.decode(column: "value", as: String.self)
        }
    }

    public func set(_ key: String, _ value: String) async throws {
        try await database.write { db in
            try await db.delete(from: "settings").where("key", .equal, key).run()
            try await db.insert(into: "settings").columns("key", "value").values(SQLBind(key), SQLBind(value)).run()
        }
    }
}
