import Foundation
import Logging
import MotCuaCore
import SQLKit

/// Creates the demo province on an empty database, or recreates it (`motcua demo --reset`).
public enum DemoSeeder {
    static let markerKey = "demo.seeded_at"

    /// Seeds when the database has no agencies yet. Returns true when it seeded.
    @discardableResult
    public static func seedIfEmpty(_ database: Database, now: Date, logger: Logger,
                                   hashPassword: @Sendable (String) -> String) async throws -> Bool {
        if try await !CatalogRepository(database: database).agencies().isEmpty { return false }
        try await seed(database, now: now, logger: logger, hashPassword: hashPassword)
        return true
    }

    /// The demo password of every demo account (README lists the accounts).
    public static let demoPassword = "motcua-demo"

    /// Demo staff: a ward (phường Ninh Kiều), the Department of Justice, the city police (liên thông),
    /// the Department of Home Affairs (reform monitor) and an administrator.
    public static let demoStaff: [StaffMember] = [
        StaffMember(username: "tiepnhan.ninhkieu", fullName: "Lê Thị Hồng", role: .reception, agencyCode: "H13.41"),
        StaffMember(username: "chuyenvien.ninhkieu", fullName: "Trần Văn Minh", role: .specialist, agencyCode: "H13.41"),
        StaffMember(username: "lanhdao.ninhkieu", fullName: "Nguyễn Thanh Tùng", role: .agencyLeader, agencyCode: "H13.41"),
        StaffMember(username: "vanthu.ninhkieu", fullName: "Phạm Thị Lan", role: .clerk, agencyCode: "H13.41"),
        StaffMember(username: "tiepnhan.sotuphap", fullName: "Võ Thị Mai", role: .reception, agencyCode: "H13.01"),
        StaffMember(username: "chuyenvien.sotuphap", fullName: "Đặng Quốc Huy", role: .specialist, agencyCode: "H13.01"),
        StaffMember(username: "truongphong.sotuphap", fullName: "Huỳnh Văn Phúc", role: .departmentLeader, agencyCode: "H13.01"),
        StaffMember(username: "giamdoc.sotuphap", fullName: "Lý Thị Thu", role: .agencyLeader, agencyCode: "H13.01"),
        StaffMember(username: "vanthu.sotuphap", fullName: "Bùi Văn Nam", role: .clerk, agencyCode: "H13.01"),
        StaffMember(username: "chuyenvien.congan", fullName: "Đỗ Minh Khoa", role: .specialist, agencyCode: "H13.08"),
        StaffMember(username: "chuyenvien.bhxh", fullName: "Ngô Thị Yến", role: .specialist, agencyCode: "H13.12"),
        StaffMember(username: "theodoi.sonoivu", fullName: "Châu Văn Lợi", role: .monitor, agencyCode: "H13.05"),
        StaffMember(username: "theodoi.tinh", fullName: "Lâm Thị Ngọc Hân", role: .monitor, agencyCode: "H13"),
        StaffMember(username: "quantri", fullName: "Quản trị hệ thống", role: .admin, agencyCode: "H13"),
    ]

    /// Tables emptied by `reset`, children before parents.
    static let dataTables = ["feedback", "ratings", "payment_callbacks", "payments", "submission_documents", "citizen_dossiers", "drafts", "citizen_documents", "citizen_verifications", "citizen_tokens",
                             "citizens", "dossier_forms", "form_numbers", "files", "outbox", "audit_entries", "audit_heads", "indicator_counters", "indicator_totals", "indicator_procedure_totals",
                             "indicator_open_days", "indicator_closed_days", "idempotency_keys", "dossier_sequences",
                             "dossier_events", "dossiers", "auth_tokens", "staff", "calendar_schedules", "settings"]

    /// Deletes every dossier, account, audit entry and reference row, then seeds the demo again.
    public static func reset(_ database: Database, now: Date, logger: Logger, hashPassword: @Sendable (String) -> String) async throws {
        try await database.write { db in
            for table in dataTables { try await db.delete(from: table).run() }
        }
        try await seed(database, now: now, logger: logger, hashPassword: hashPassword)
    }

    /// Loads the bundled demo catalog and holiday schedules, replacing the reference data.
    public static func seed(_ database: Database, now: Date, logger: Logger, hashPassword: @Sendable (String) -> String,
                            withHistory: Bool = true) async throws {
        let catalog = try BundledData.demoCatalog()
        let problems = catalog.problems()
        guard problems.isEmpty else {
            throw CatalogImportError(problems: problems)
        }
        try await CatalogRepository(database: database).replaceAll(
            agencies: catalog.agencies, reorganisations: catalog.reorganisations, procedures: catalog.procedures, now: now)
        let calendar = CalendarRepository(database: database)
        for s in try BundledData.officialSchedules() { try await calendar.save(s, now: now) }
        let staff = StaffRepository(database: database)
        let existing = Set(try await staff.list().map(\.username))
        let hash = hashPassword(demoPassword)
        for m in demoStaff where !existing.contains(m.username) { try await staff.add(m, passwordHash: hash, now: now) }
        if withHistory {
            try await DemoHistory.generate(database, now: now, calendar: try await calendar.workingCalendar())
            // The history's notifications went out when it happened: never mail the demo's made-up applicants now.
            try await database.write { db in
                try await db.update("outbox").set("sent_at", to: SQLColumn("created_at")).where("sent_at", .is, SQLLiteral.null).run()
            }
        }
        try await SettingsRepository(database: database).set(markerKey, ISO8601DateFormatter().string(from: now))
        logger.info("demo province created", metadata: ["agencies": "\(catalog.agencies.count)", "procedures": "\(catalog.procedures.count)"])
    }
}

/// A catalog that cannot be imported, with every problem found.
public struct CatalogImportError: Error, CustomStringConvertible {
    public let problems: [CatalogProblem]
    public init(problems: [CatalogProblem]) { self.problems = problems }
    public var description: String {
        "catalog rejected (\(problems.count) problem(s)):\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
