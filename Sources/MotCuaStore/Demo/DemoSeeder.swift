import Foundation
import Logging
import MotCuaCore
import SQLKit

/// Creates the demo province on an empty database, or recreates it (`motcua demo --reset`).
public enum DemoSeeder {
    static let markerKey = "demo.seeded_at"

    /// Seeds when the database has no agencies yet. Returns true when it seeded.
    @discardableResult
    public static func seedIfEmpty(_ database: Database, now: Date, logger: Logger) async throws -> Bool {
        if try await !CatalogRepository(database: database).agencies().isEmpty { return false }
        try await seed(database, now: now, logger: logger)
        return true
    }

    /// Loads the bundled demo catalog and holiday schedules, replacing the reference data.
    public static func seed(_ database: Database, now: Date, logger: Logger) async throws {
        let catalog = try BundledData.demoCatalog()
        let problems = catalog.problems()
        guard problems.isEmpty else {
            throw CatalogImportError(problems: problems)
        }
        try await CatalogRepository(database: database).replaceAll(
            agencies: catalog.agencies, reorganisations: catalog.reorganisations, procedures: catalog.procedures, now: now)
        let calendar = CalendarRepository(database: database)
        for s in try BundledData.officialSchedules() { try await calendar.save(s, now: now) }
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
