import Foundation
import MotCuaCore
import SQLKit

/// Decision 766 indicators from the aggregate counters (cost grows with days × keys, not with
/// dossiers) plus the small set of dossiers still open at the end of the period.
public struct IndicatorRepository: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// Sums of each measure over the agencies and the days [from, to].
    public func measures(agencies: Set<String>, from: CivilDate, to: CivilDate) async throws -> [String: Int] {
        guard !agencies.isEmpty else { return [:] }
        return try await database.read { db in
            let rows = try await db.select().column("measure").column(SQLRaw("CAST(SUM(value) AS BIGINT)"), as: "total")
                .from("indicator_counters")
                .where("agency_code", .in, Array(agencies))
                .where("day", .greaterThanOrEqual, from.description).where("day", .lessThanOrEqual, to.description)
                .groupBy("measure").all()
            var out: [String: Int] = [:]
            for r in rows { out[try r.decode(column: "measure", as: String.self)] = try r.decode(column: "total", as: Int.self) }
            return out
        }
    }

    /// Dossiers received by `periodEnd` whose processing had not ended by then.
    public func openDossiers(agencies: Set<String>, periodEnd: Date) async throws -> [OpenDossier] {
        guard !agencies.isEmpty else { return [] }
        let end = Int(periodEnd.timeIntervalSince1970)
        return try await database.read { db in
            try await db.select().column("state").from("dossiers")
                .where("agency_code", .in, Array(agencies))
                .where("received_at", .isNot, SQLLiteral.null).where("received_at", .lessThanOrEqual, end)
                .where(group: { $0.where("ended_at", .is, SQLLiteral.null).orWhere("ended_at", .greaterThan, end) })
                .all()
                .map { row in
                    let s = try StoredJSON.decode(DossierState.self, from: row.decode(column: "state", as: String.self))
                    let waiting = s.status == .supplementRequested ? s.supplementRequestedAt : nil
                    return OpenDossier(dueAt: s.dueAt, supplementCount: s.supplementCount, waitingSupplementSince: waiting)
                }
        }
    }

    /// Indicators 2.1 and 3.3 for the scope over [from, to], evaluated at `now`.
    public func indicators(agencies: Set<String>, from: CivilDate, to: CivilDate, now: Date) async throws -> [IndicatorValue] {
        let m = try await measures(agencies: agencies, from: from, to: to)
        let endOfPeriod = Date(timeIntervalSince1970: TimeInterval(
            (to.julianDay + 1 - CivilDate.unixEpochJDN) * 86400 - DeadlineCalculator.utcOffset - 1))
        let periodEnd = min(endOfPeriod, now)
        let open = try await openDossiers(agencies: agencies, periodEnd: periodEnd)
        let ended = EndedCounts(early: m[DossierEffects.endedMeasure(.early)] ?? 0, onTime: m[DossierEffects.endedMeasure(.onTime)] ?? 0,
                                late: m[DossierEffects.endedMeasure(.late)] ?? 0)
        return [Indicators.onTime(ended: ended, open: open, periodEnd: periodEnd),
                Indicators.onlineSubmission(received: m[IndicatorMeasure.received.rawValue] ?? 0,
                                            receivedOnline: m[IndicatorMeasure.receivedOnline.rawValue] ?? 0)]
    }

    /// Recomputes every counter from the dossiers (the rebuild that must equal the incremental
    /// counters); returns the rebuilt counters without writing them.
    public func rebuiltCounters() async throws -> [String: Int] {
        try await database.read { db in
            var out: [String: Int] = [:]
            let rows = try await db.select().column("state").from("dossiers").all()
            for r in rows {
                let s = try StoredJSON.decode(DossierState.self, from: r.decode(column: "state", as: String.self))
                func add(_ day: Date, _ measure: String) {
                    out["\(s.agencyCode)|\(DeadlineCalculator.localDate(of: day))|\(s.procedureCode)|\(s.channel.rawValue)|\(measure)", default: 0] += 1
                }
                if let received = s.receivedAt {
                    add(received, IndicatorMeasure.received.rawValue)
                    if s.channel == .online { add(received, IndicatorMeasure.receivedOnline.rawValue) }
                    if let ended = s.processingEndedAt, let t = s.timeliness {
                        add(ended, DossierEffects.endedMeasure(t))
                    }
                }
            }
            return out
        }
    }

    /// The incremental counters as stored, in the same keying as `rebuiltCounters`.
    public func storedCounters() async throws -> [String: Int] {
        try await database.read { db in
            var out: [String: Int] = [:]
            for r in try await db.select().columns("agency_code", "day", "procedure_code", "channel", "measure", "value").from("indicator_counters").all() {
                let key = [try r.decode(column: "agency_code", as: String.self), try r.decode(column: "day", as: String.self),
                           try r.decode(column: "procedure_code", as: String.self), try r.decode(column: "channel", as: String.self),
                           try r.decode(column: "measure", as: String.self)].joined(separator: "|")
                out[key] = try r.decode(column: "value", as: Int.self)
            }
            return out
        }
    }
}
