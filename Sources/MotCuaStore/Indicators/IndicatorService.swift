import Foundation
import MotCuaCore

/// The indicator report of a scope and period: the aggregates, the open set at the period's end,
/// the feedback and the catalog's procedures in scope, put through the pure formulas.
public struct IndicatorService: Sendable {
    public let indicators: IndicatorRepository
    let catalog: CatalogRepository
    public let dayClose: IndicatorDayClose
    public let rebuild: IndicatorRebuild

    public init(database: Database) {
        indicators = IndicatorRepository(database: database)
        catalog = CatalogRepository(database: database)
        dayClose = IndicatorDayClose(database: database)
        rebuild = IndicatorRebuild(database: database)
    }

    /// The inputs of the formulas for `agencies` over [from, to] as seen at `now`. `catalogProcedures`:
    /// the catalog's procedures when the caller already has them (a page reporting on many units
    /// reads them once); otherwise they are read here.
    public func inputs(agencies: Set<String>, history: AgencyHistory, from: CivilDate, to: CivilDate, now: Date,
                       calendar cal: WorkingCalendar, onlinePayment: Bool, catalogProcedures: [Procedure]? = nil) async throws -> IndicatorInputs {
        let periodEnd = Date(timeIntervalSince1970: TimeInterval(min(OpenSetHistory.endOfDay(to), Int(now.timeIntervalSince1970))))
        async let sums = indicators.counterSums(agencies: agencies, from: from, to: to)
        async let open = indicators.openAtEnd(agencies: agencies, to: to, now: now)
        async let feedback = indicators.feedback(agencies: agencies, from: from, end: periodEnd)
        let kinds = Set(agencies.compactMap { history.agencies[$0]?.kind })
        let all: [Procedure]
        if let catalogProcedures { all = catalogProcedures } else { all = try await allProcedures() }
        let procedures = all.filter { p in
            (p.publication?.date.map { $0 <= to } ?? true)
                && (p.agencies.contains(where: agencies.contains) || p.agencyKinds.contains(where: kinds.contains))
        }
        let (total, byProcedure) = try await sums
        return IndicatorInputs(
            counters: total, open: try await open,
            procedureTimes: byProcedure.sorted { $0.key < $1.key }.compactMap { code, c in
                c.ended > 0 ? ProcedureTime(procedureCode: code, ended: c.ended, seconds: c[.endedSeconds]) : nil
            },
            procedures: procedures.map { ProcedureIndicators.facts($0, from: from, to: to, calendar: cal) },
            proceduresWithOnlineDossiers: Set(byProcedure.filter { $0.value[.receivedOnline] > 0 }.keys),
            feedback: try await feedback, periodEnd: periodEnd, onlinePayment: onlinePayment)
    }

    /// The catalog's procedures, as `inputs` reads them.
    public func allProcedures() async throws -> [Procedure] {
        try await catalog.procedures(ProcedureFilter(limit: 100_000))
    }

    /// Every indicator, the groups, the total and the grade.
    public func report(agencies: Set<String>, history: AgencyHistory, from: CivilDate, to: CivilDate, now: Date, calendar: WorkingCalendar,
                       onlinePayment: Bool, catalog scoring: IndicatorCatalog = .decision766,
                       catalogProcedures: [Procedure]? = nil) async throws -> IndicatorReport {
        Indicators.report(try await inputs(agencies: agencies, history: history, from: from, to: to, now: now, calendar: calendar,
                                                      onlinePayment: onlinePayment, catalogProcedures: catalogProcedures),
                          catalog: scoring)
    }
}
