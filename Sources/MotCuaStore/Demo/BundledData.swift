import Foundation
import MotCuaCore

/// The catalog file format used by `motcua catalog import/export` and by the demo data.
public struct CatalogDocument: Codable, Sendable {
    public var agencies: [Agency]
    public var reorganisations: [Reorganisation]
    public var procedures: [Procedure]

    public init(agencies: [Agency], reorganisations: [Reorganisation], procedures: [Procedure]) {
        self.agencies = agencies
        self.reorganisations = reorganisations
        self.procedures = procedures
    }

    enum CodingKeys: String, CodingKey { case agencies, reorganisations, procedures }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        agencies = try c.decodeIfPresent([Agency].self, forKey: .agencies) ?? []
        reorganisations = try c.decodeIfPresent([Reorganisation].self, forKey: .reorganisations) ?? []
        procedures = try c.decodeIfPresent([Procedure].self, forKey: .procedures) ?? []
    }

    /// Every problem of the document; empty when it can be imported.
    public func problems() -> [CatalogProblem] {
        CatalogValidation.problems(agencies: agencies, reorganisations: reorganisations)
            + CatalogValidation.problems(procedures: procedures, agencyCodes: Set(agencies.map(\.code)))
    }
}

/// Data shipped inside the binary: the demo province and the official holiday schedules.
public enum BundledData {
    private struct ScheduleFile: Decodable { let years: [OfficialSchedule] }

    static func resource(_ path: String) throws -> Data {
        guard let url = Bundle.module.url(forResource: "Resources/\(path)", withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        return try Data(contentsOf: url)
    }

    /// Official holiday schedules 2020–2026 with their sources.
    public static func officialSchedules() throws -> [OfficialSchedule] {
        try JSONDecoder().decode(ScheduleFile.self, from: resource("calendar/official-schedules.json")).years
    }

    /// The working calendar from the defaults and the bundled schedules (no database needed).
    public static func workingCalendar() throws -> WorkingCalendar {
        WorkingCalendar(officialSchedules: try officialSchedules())
    }

    /// The demo catalog: agencies of Cần Thơ and Ho Chi Minh City, reorganisations, procedures.
    public static func demoCatalog() throws -> CatalogDocument {
        let d = JSONDecoder()
        let agencies = try d.decode(CatalogDocument.self, from: resource("demo/agencies.json"))
        let procedures = try d.decode(CatalogDocument.self, from: resource("demo/procedures.json"))
        return CatalogDocument(agencies: agencies.agencies, reorganisations: agencies.reorganisations, procedures: procedures.procedures)
    }
}
