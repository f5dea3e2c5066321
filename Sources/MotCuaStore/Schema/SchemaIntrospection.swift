import SQLKit

/// Reads the tables and columns of the live schema (one small dialect-specific query each), so a
/// test can check that the migrations give equivalent schemas on SQLite and PostgreSQL.
public enum SchemaIntrospection {
    /// Table name → sorted column names.
    public static func columns(_ database: Database) async throws -> [String: [String]] {
        let kind = database.kind
        return try await database.read { db in
            var out: [String: [String]] = [:]
            switch kind {
            case .sqlite:
                let tables = try await db.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all()
                for t in tables {
                    let name = try t.decode(column: "name", as: String.self)
                    let cols = try await db.raw("SELECT name FROM pragma_table_info(\(bind: name))").all()
                    out[name] = try cols.map { try $0.decode(column: "name", as: String.self) }.sorted()
                }
            case .postgres:
                let rows = try await db.raw("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()").all()
                for r in rows {
                    out[try r.decode(column: "table_name", as: String.self), default: []].append(try r.decode(column: "column_name", as: String.self))
                }
                for k in out.keys { out[k]?.sort() }
            }
            return out
        }
    }
}
