import MotCuaCore
import SQLKit

extension Schema {
    /// Version 7: indicators as of any period's end.
    /// - `dossiers.supplement_count`, `dossiers.waiting_since`: the open set's hot state in columns
    ///   (a partial index over open dossiers makes the live classification one index scan).
    /// - `dossier_events.due_at / supplement_count / waiting_since`: that hot state after each
    ///   event, so the state of any dossier at any past instant is its latest event's row.
    /// - `indicator_counters_monthly`: the daily counters rolled up by month in the same upsert, so
    ///   that a year is 12 rows per key, not 365.
    /// - `indicator_open_days`: per closed day, the dossiers open at its end (23:59:59 local), on
    ///   time or late as 2.1 judges them then; `indicator_closed_days` marks the days written.
    static func createIndicatorTables(_ db: any SQLDatabase, _ kind: DatabaseKind) async throws {
        try await db.alter(table: "dossiers").column("supplement_count", type: .bigint, .notNull, .default(SQLLiteral.numeric("0"))).run()
        try await db.alter(table: "dossiers").column("waiting_since", type: .bigint).run()
        for column in ["due_at", "supplement_count", "waiting_since"] {
            try await db.alter(table: "dossier_events").column(column, type: .bigint).run()
        }
        // Dossiers stored before: their hot columns from the state; their events get the final
        // hot state (the history before this version did not record it per event).
        for row in try await db.select().columns("code", "state").from("dossiers").all() {
            let s = try StoredJSON.decode(DossierState.self, from: row.decode(column: "state", as: String.self))
            let hot = IndicatorHotState(s)
            try await db.update("dossiers").set("supplement_count", to: hot.supplementCount).set("waiting_since", to: SQLBind(hot.waitingSince))
                .where("code", .equal, s.code).run()
            try await db.update("dossier_events").set("due_at", to: SQLBind(hot.dueAt)).set("supplement_count", to: hot.supplementCount)
                .set("waiting_since", to: SQLBind(hot.waitingSince)).where("dossier_code", .equal, s.code).run()
        }
        try await db.create(index: "dossier_events_at").on("dossier_events").column("at").run()
        try await db.create(index: "dossiers_ended").on("dossiers").column("ended_at").run()
        try await db.raw("""
            CREATE INDEX dossiers_open_set ON dossiers (agency_code, procedure_code, channel, due_at, supplement_count, waiting_since, received_at)
            WHERE ended_at IS NULL AND received_at IS NOT NULL
            """).run()
        try await db.create(table: "indicator_counters_monthly")
            .column("agency_code", type: .text, .notNull)
            .column("month", type: .text, .notNull)
            .column("procedure_code", type: .text, .notNull)
            .column("channel", type: .text, .notNull)
            .column("measure", type: .text, .notNull)
            .column("value", type: .bigint, .notNull)
            .primaryKey("agency_code", "month", "procedure_code", "channel", "measure")
            .run()
        try await db.raw("""
            INSERT INTO indicator_counters_monthly (agency_code, month, procedure_code, channel, measure, value)
            SELECT agency_code, SUBSTR(day, 1, 7), procedure_code, channel, measure, SUM(value) FROM indicator_counters
            GROUP BY agency_code, SUBSTR(day, 1, 7), procedure_code, channel, measure
            """).run()
        try await db.create(table: "indicator_open_days")
            .column("agency_code", type: .text, .notNull)
            .column("day", type: .text, .notNull)
            .column("procedure_code", type: .text, .notNull)
            .column("channel", type: .text, .notNull)
            .column("on_time", type: .bigint, .notNull)
            .column("late", type: .bigint, .notNull)
            .primaryKey("day", "agency_code", "procedure_code", "channel")
            .run()
        try await db.create(table: "indicator_closed_days")
            .column("day", type: .text, .primaryKey(autoIncrement: false))
            .column("closed_at", type: .bigint, .notNull)
            .run()
        try await db.create(index: "feedback_agency_submitted").on("feedback").column("agency_code").column("submitted_at").run()
    }
}

extension Schema {
    /// Version 8: the counters rolled up by period without channel — `indicator_totals` (period,
    /// agency, measure) and `indicator_procedure_totals` (period, agency, procedure, measure, for
    /// the measures read by procedure), each period a month "YYYY-MM" or a year "YYYY" — written
    /// with the daily counters in the same transaction (`IndicatorCounters`). A province's year is
    /// then one row per agency and measure instead of twelve per agency, procedure, channel and
    /// measure (issue 10: the report's time was SQLite grouping ~125k monthly rows at 10⁵
    /// dossiers). They replace `indicator_counters_monthly`, and are filled from the daily counters.
    static func createIndicatorTotals(_ db: any SQLDatabase, _ kind: DatabaseKind) async throws {
        try await db.create(table: "indicator_totals")
            .column("period", type: .text, .notNull)
            .column("agency_code", type: .text, .notNull)
            .column("measure", type: .text, .notNull)
            .column("value", type: .bigint, .notNull)
            .primaryKey("period", "agency_code", "measure")
            .run()
        try await db.create(table: "indicator_procedure_totals")
            .column("period", type: .text, .notNull)
            .column("agency_code", type: .text, .notNull)
            .column("procedure_code", type: .text, .notNull)
            .column("measure", type: .text, .notNull)
            .column("value", type: .bigint, .notNull)
            .primaryKey("period", "agency_code", "procedure_code", "measure")
            .run()
        for length in [7, 4] { try await IndicatorCounters.rollUp(db, length: length) }
        try await db.drop(table: "indicator_counters_monthly").run()
    }
}
