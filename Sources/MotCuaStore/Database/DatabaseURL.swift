import Foundation

/// Which database engine a `Database` runs on.
public enum DatabaseKind: String, Sendable, Codable {
    case sqlite, postgres
}

/// Where the data lives, parsed from `--database` / `MOTCUA_DATABASE_URL`.
///
/// Accepted forms: `sqlite:///absolute/path.sqlite`, `sqlite://relative/path.sqlite`,
/// `sqlite::memory:` (tests), a plain file path ending in `.sqlite`/`.db`, and
/// `postgres://user:pass@host:port/db?sslmode=disable|prefer|require` (also `postgresql://`).
public enum DatabaseLocation: Sendable, Equatable {
    case sqliteFile(path: String)
    case sqliteMemory
    case postgres(PostgresSettings)

    /// Connection settings for PostgreSQL.
    public struct PostgresSettings: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var username: String
        public var password: String?
        public var database: String
        public var tls: TLSMode

        /// TLS use for PostgreSQL connections (`sslmode`).
        public enum TLSMode: String, Sendable, Equatable { case disable, prefer, require }
    }

    /// The default: `./motcua-data/motcua.sqlite`.
    public static let defaultLocation = DatabaseLocation.sqliteFile(path: "motcua-data/motcua.sqlite")

    public var kind: DatabaseKind {
        if case .postgres = self { return .postgres }
        return .sqlite
    }

    /// Parses a database URL; throws `DatabaseURLError` naming what is wrong.
    public static func parse(_ text: String) throws -> DatabaseLocation {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { throw DatabaseURLError(text: text, reason: "empty database URL") }
        if trimmed == "sqlite::memory:" || trimmed == "sqlite://:memory:" { return .sqliteMemory }
        if trimmed.hasPrefix("sqlite://") {
            let path = String(trimmed.dropFirst("sqlite://".count))
            guard !path.isEmpty else { throw DatabaseURLError(text: text, reason: "missing file path after sqlite://") }
            return .sqliteFile(path: path)
        }
        if trimmed.hasPrefix("postgres://") || trimmed.hasPrefix("postgresql://") {
            guard let url = URLComponents(string: trimmed), let host = url.host, !host.isEmpty else {
                throw DatabaseURLError(text: text, reason: "expected postgres://user:password@host:port/database")
            }
            guard let user = url.user, !user.isEmpty else { throw DatabaseURLError(text: text, reason: "missing user name") }
            let db = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
            guard !db.isEmpty else { throw DatabaseURLError(text: text, reason: "missing database name") }
            var tls = PostgresSettings.TLSMode.disable
            for item in url.queryItems ?? [] {
                switch (item.name, item.value ?? "") {
                case ("sslmode", let v) where ["disable", "allow"].contains(v): tls = .disable
                case ("sslmode", "prefer"): tls = .prefer
                case ("sslmode", let v) where ["require", "verify-ca", "verify-full"].contains(v): tls = .require
                default: throw DatabaseURLError(text: text, reason: "unsupported query parameter \(item.name)=\(item.value ?? "")")
                }
            }
            return .postgres(PostgresSettings(host: host, port: url.port ?? 5432, username: user,
                                              password: url.password?.removingPercentEncoding ?? url.password,
                                              database: db, tls: tls))
        }
        if trimmed.contains("://") { throw DatabaseURLError(text: text, reason: "unsupported scheme; use sqlite:// or postgres://") }
        if trimmed.hasSuffix(".sqlite") || trimmed.hasSuffix(".db") || trimmed.hasSuffix(".sqlite3") { return .sqliteFile(path: trimmed) }
        throw DatabaseURLError(text: text, reason: "not a database URL; use sqlite:///path/file.sqlite or postgres://user:pass@host:port/db")
    }

    /// The URL without its password, for logs.
    public var redacted: String {
        switch self {
        case .sqliteFile(let path): "sqlite://\(path)"
        case .sqliteMemory: "sqlite::memory:"
        case .postgres(let s): "postgres://\(s.username)@\(s.host):\(s.port)/\(s.database)"
        }
    }
}

/// A database URL that cannot be used, with the reason.
public struct DatabaseURLError: Error, CustomStringConvertible {
    public let text: String
    public let reason: String
    public var description: String { "invalid database URL: \(reason)" }
}
