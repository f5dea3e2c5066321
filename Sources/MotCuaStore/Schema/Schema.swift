import SQLKit

/// The ordered list of migrations. Append only: never edit a migration that has shipped.
public enum Schema {
    public static let migrations: [Migration] = [
        Migration(version: 1, name: "reference data: agencies, procedures, calendar, settings", apply: createReferenceData),
        Migration(version: 2, name: "dossiers, staff, audit, counters", apply: createDossierTables),
        Migration(version: 3, name: "files attached to dossiers", apply: createFiles),
        Migration(version: 4, name: "audit entries keyed (HMAC key id)", apply: addAuditKeyID),
        Migration(version: 5, name: "printed form numbers per agency, form and year", apply: createFormNumbers),
        Migration(version: 6, name: "citizens' portal: accounts, documents, drafts, online dossiers; outbox delivery", apply: createCitizenTables),
        Migration(version: 7, name: "indicators as of any period's end: hot state per event, monthly counters, open set per closed day", apply: createIndicatorTables),
        Migration(version: 8, name: "indicator totals by month and year per agency (and per procedure for 2.2, 3.2), replacing the monthly counters", apply: createIndicatorTotals),
    ]

    /// The newest schema version this binary knows.
    public static var latestVersion: Int { migrations.map(\.version).max() ?? 0 }

    /// Version 5: running numbers of the printed forms (Mẫu 01–05) per agency, form and year, and
    /// the number each dossier event got.
    static func createFormNumbers(_ db: any SQLDatabase, _ kind: DatabaseKind) async throws {
        try await db.create(table: "form_numbers")
            .column("agency_code", type: .text, .notNull)
            .column("form", type: .text, .notNull)
            .column("year", type: .bigint, .notNull)
            .column("last", type: .bigint, .notNull)
            .primaryKey("agency_code", "form", "year")
            .run()
        try await db.create(table: "dossier_forms")
            .column("dossier_code", type: .text, .notNull, .references("dossiers", "code"))
            .column("event_seq", type: .bigint, .notNull)
            .column("form", type: .text, .notNull)
            .column("number", type: .text, .notNull)
            .primaryKey("dossier_code", "event_seq", "form")
            .run()
    }

    /// Version 4: the id of the HMAC key of each audit entry (NULL: an unkeyed entry from before).
    static func addAuditKeyID(_ db: any SQLDatabase, _ kind: DatabaseKind) async throws {
        try await db.alter(table: "audit_entries").column("key_id", type: .text).run()
    }

    static func createFiles(_ db: any SQLDatabase, _ kind: DatabaseKind) async throws {
        try await db.create(table: "files")
            .column("id", type: .text, .primaryKey(autoIncrement: false))
            .column("dossier_code", type: .text, .notNull, .references("dossiers", "code"))
            .column("name", type: .text, .notNull)
            .column("content_type", type: .text, .notNull)
            .column("size", type: .bigint, .notNull)
            .column("sha256", type: .text, .notNull)
            .column("content", type: .blob, .notNull)
            .column("uploaded_by", type: .text, .notNull)
            .column("uploaded_at", type: .bigint, .notNull)
            .run()
        try await db.create(index: "files_dossier").on("files").column("dossier_code").run()
    }

    static func createReferenceData(_ db: any SQLDatabase, _ kind: DatabaseKind) async throws {
        try await db.create(table: "settings")
            .column("key", type: .text, .primaryKey(autoIncrement: false))
            .column("value", type: .text, .notNull)
            .run()
        try await db.create(table: "agencies")
            .column("code", type: .text, .primaryKey(autoIncrement: false))
            .column("name", type: .text, .notNull)
            .column("short_name", type: .text)
            .column("kind", type: .text, .notNull)
            .column("level", type: .text, .notNull)
            .column("parent_code", type: .text)
            .column("valid_from", type: .text, .notNull)
            .column("valid_to", type: .text)
            .column("office_hours", type: .text)
            .run()
        try await db.create(index: "agencies_parent").on("agencies").column("parent_code").run()
        try await db.create(table: "reorganisations")
            .column("id", type: .bigint, .primaryKey(autoIncrement: false))
            .column("kind", type: .text, .notNull)
            .column("effective", type: .text, .notNull)
            .column("note", type: .text)
            .run()
        try await db.create(table: "agency_succession")
            .column("reorganisation_id", type: .bigint, .notNull, .references("reorganisations", "id", onDelete: .cascade))
            .column("predecessor", type: .text, .notNull, .references("agencies", "code"))
            .column("successor", type: .text, .notNull, .references("agencies", "code"))
            .primaryKey("reorganisation_id", "predecessor", "successor")
            .run()
        try await db.create(table: "procedures")
            .column("code", type: .text, .notNull)
            .column("version", type: .bigint, .notNull)
            .column("current", type: .bigint, .notNull)
            .column("name", type: .text, .notNull)
            .column("search_text", type: .text, .notNull)
            .column("field", type: .text, .notNull)
            .column("level", type: .text, .notNull)
            .column("online_type", type: .text, .notNull)
            .column("is_internal", type: .bigint, .notNull)
            .column("agency_kinds", type: .text, .notNull)
            .column("agency_codes", type: .text, .notNull)
            .column("document", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .primaryKey("code", "version")
            .run()
        try await db.create(index: "procedures_current").on("procedures").column("current").column("field").run()
        try await db.create(table: "calendar_schedules")
            .column("year", type: .bigint, .primaryKey(autoIncrement: false))
            .column("source", type: .text, .notNull)
            .column("document", type: .text, .notNull)
            .column("updated_at", type: .bigint, .notNull)
            .run()
    }
}
