import Foundation
import Hummingbird
import MotCuaCore
import MotCuaStore

/// `/api/v1/indicators`: Decision 766 indicators of an agency scope over a period (a controller:
/// its dependencies are stored, its routes registered by `register`).
struct IndicatorAPI {
    struct Result: Encodable {
        let scope: String
        let agencies: [String]
        let from: String
        let to: String
        let indicators: [IndicatorValue]
        let groups: [GroupScore]
        let points: String
        let scoredMax: Int
        let total: String
        let grade: String
    }

    let services: AppServices

    func register(_ routes: inout RouteRegistry) {
        routes.staff(.get, "/api/v1/indicators", indicators)
    }

    @Sendable func indicators(_ request: Request, _ context: StaffRequestContext) async throws -> Response {
        let staff = context.staff
        guard let scope = request.query("scope") else { throw APIError.invalid("scope", "required: an agency code") }
        let below = staff.role == .monitor ? try await services.dossiers.agencies(below: staff.agencyCode) : []
        guard AccessPolicy.canReadIndicators(scope: scope, actor: staff.actor, below: below) else {
            throw APIError(.forbidden, code: "forbidden", "\(staff.role.rawValue) \(staff.username) may not read the indicators of \(scope)")
        }
        guard let fromText = request.query("from"), let from = CivilDate(iso: fromText) else { throw APIError.invalid("from", "required, YYYY-MM-DD") }
        guard let toText = request.query("to"), let to = CivilDate(iso: toText) else { throw APIError.invalid("to", "required, YYYY-MM-DD") }
        guard from <= to, to.julianDay - from.julianDay <= 3660 else { throw APIError.invalid("to", "must be on or after from, within 10 years") }
        let history = try await services.catalog.history()
        guard history.agencies[scope] != nil else { throw APIError.notFound("agency \(scope) not found") }
        let agencies = history.scope(of: scope, from: from, to: to)
        let report = try await services.indicators.report(agencies: agencies, history: history, from: from, to: to, now: context.now,
                                                          calendar: services.calendar, onlinePayment: true)
        return try JSONResponse.make(Result(scope: scope, agencies: agencies.sorted(), from: from.description, to: to.description,
                                            indicators: report.indicators, groups: report.groups, points: report.points,
                                            scoredMax: report.scoredMax, total: report.total, grade: report.grade))
    }
}
