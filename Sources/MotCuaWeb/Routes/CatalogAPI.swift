import Foundation
import Hummingbird
import MotCuaCore
import MotCuaStore

/// `/api/v1/procedures` and `/api/v1/agencies`.
enum CatalogAPI {
    /// A procedure in a list.
    struct ProcedureSummary: Encodable {
        let code: String
        let version: Int
        let name: String
        let field: String
        let level: AdministrativeLevel
        let onlineType: OnlineType
        let `internal`: Bool
        let agencyKinds: [AgencyKind]
        let channels: [Channel]

        init(_ p: Procedure) {
            code = p.code; version = p.version; name = p.name; field = p.field; level = p.level
            onlineType = p.onlineType; `internal` = p.internal; agencyKinds = p.agencyKinds; channels = p.channels.map(\.channel)
        }
    }

    struct AgencyItem: Encodable {
        let agency: Agency
        let predecessors: [String]
        let successors: [String]

        func encode(to encoder: any Encoder) throws {
            try agency.encode(to: encoder)
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(predecessors, forKey: .predecessors)
            try c.encode(successors, forKey: .successors)
        }
        enum Keys: String, CodingKey { case predecessors, successors }
    }

    struct Page<T: Encodable>: Encodable {
        let count: Int
        let items: [T]
    }

    /// Reads the procedure filter from query parameters (400 on a bad enum value).
    static func filter(from request: Request) throws -> ProcedureFilter {
        ProcedureFilter(query: request.query("q"), field: request.query("field"),
                        level: try request.query("level", as: AdministrativeLevel.self),
                        agency: request.query("agency"), onlineType: try request.query("online", as: OnlineType.self))
    }

    static func register(_ routes: inout RouteRegistry, services: AppServices) {
        routes.get("/api/v1/procedures") { request, _ in
            let items = try await services.catalog.procedures(try filter(from: request)).map(ProcedureSummary.init)
            return try JSONResponse.make(Page(count: items.count, items: items))
        }
        routes.get("/api/v1/procedures/:code") { request, context in
            let code = try context.parameters.require("code")
            var version: Int? = nil
            if let v = request.query("version") {
                guard let n = Int(v), n >= 1 else { throw APIError.invalid("version", "must be a positive integer") }
                version = n
            }
            guard let p = try await services.catalog.procedure(code: code, version: version) else {
                throw APIError.notFound("procedure \(code) not found")
            }
            return try JSONResponse.make(p)
        }
        routes.get("/api/v1/agencies") { request, _ in
            let history = try await services.catalog.history()
            var agencies = history.agencies.values.sorted { $0.code < $1.code }
            if let kind = try request.query("kind", as: AgencyKind.self) { agencies = agencies.filter { $0.kind == kind } }
            if let on = request.query("on") {
                guard let d = CivilDate(iso: on) else { throw APIError.invalid("on", "expected a date YYYY-MM-DD") }
                agencies = agencies.filter { $0.existed(from: d, to: d) }
            }
            let items = agencies.map {
                AgencyItem(agency: $0, predecessors: history.predecessors(of: $0.code).sorted(), successors: history.successors(of: $0.code).sorted())
            }
            return try JSONResponse.make(Page(count: items.count, items: items))
        }
    }
}
