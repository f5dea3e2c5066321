import Foundation
import Logging
import MotCuaCore
import MotCuaStore

/// The server's settings, resolved from flags > environment (`MOTCUA_*`) > config file > defaults.
public struct ServerConfig: Sendable, Equatable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var database = DatabaseLocation.defaultLocation
    public var sqliteSynchronous = SQLiteSynchronous.full
    public var sqliteReaders = 4
    public var postgresMaxConnections = 16
    public var bodyLimit = 1024 * 1024
    public var logLevel = Logger.Level.info
    public var logFormat = LogFormat.json
    /// Create the demo province when the database is empty.
    public var demo = true
    /// Working days before the appointment when a dossier is flagged "due soon".
    public var dueSoonDays = 2
    /// Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (IP addresses).
    public var trustedProxies: [String] = []
    /// Mark the session cookie Secure on every response (serving over TLS or behind a TLS proxy).
    public var secureCookies = false
    /// Seconds a client may take to send a request head.
    public var requestHeadTimeout = 20
    /// Seconds an idle connection stays open.
    public var idleTimeout = 60
    /// Folder of the audit keys (HMAC and Ed25519), outside the database.
    public var auditKeyDir = "motcua-data/keys"
    /// Append-only file of signed audit checkpoints; nil: one per database in the key folder
    /// (`audit-checkpoints-sqlite-<file>-<hash>.jsonl`, `audit-checkpoints-postgres-<host>-<port>-<db>.jsonl`).
    public var auditCheckpointsFile: String? = nil
    public var auditCheckpoints: String {
        if let auditCheckpointsFile { return auditCheckpointsFile }
        // In the key folder (which an attacker of the database cannot rewrite), one file per database.
        let name: String
        switch database {
        case .sqliteFile(let path):
            let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            name = "sqlite-" + (absolute as NSString).lastPathComponent + "-" + AuditKeys.shortDigest(absolute)
        case .sqliteMemory: name = "sqlite-memory"
        case .postgres(let s): name = "postgres-\(s.host)-\(s.port)-\(s.database)"
        }
        return (auditKeyDir as NSString).appendingPathComponent("audit-checkpoints-\(name).jsonl")
    }
    /// Seconds between audit checkpoints (written only when a chain head moved).
    public var auditCheckpointSeconds = 60
    /// The citizens' portal: blob folder, upload limits, public address for e-mailed links.
    public var portal = PortalSettings()
    /// Delivery of notifications (SMTP for e-mail, log-only SMS).
    public var mail = MailSettings()

    public init() {}

    /// Every key: its config-file name, environment variable and description (README lists them).
    public static let keys: [(file: String, env: String, help: String)] = [
        ("host", "MOTCUA_HOST", "address to listen on (default 127.0.0.1)"),
        ("port", "MOTCUA_PORT", "TCP port (default 8080)"),
        ("database", "MOTCUA_DATABASE_URL", "sqlite:///path/file.sqlite or postgres://user:pass@host:port/db (default sqlite://motcua-data/motcua.sqlite)"),
        ("sqliteSynchronous", "MOTCUA_SQLITE_SYNCHRONOUS", "SQLite PRAGMA synchronous: FULL (default, durable), NORMAL or OFF"),
        ("sqliteReaders", "MOTCUA_SQLITE_READERS", "SQLite reader connections (default 4)"),
        ("postgresMaxConnections", "MOTCUA_POSTGRES_MAX_CONNECTIONS", "PostgreSQL connections per app node (default 16)"),
        ("bodyLimit", "MOTCUA_BODY_LIMIT", "largest request body in bytes (default 1048576)"),
        ("logLevel", "MOTCUA_LOG_LEVEL", "trace, debug, info (default), notice, warning, error, critical"),
        ("logFormat", "MOTCUA_LOG_FORMAT", "json (default) or text"),
        ("demo", "MOTCUA_DEMO", "true (default): create the demo province on an empty database; false: start empty"),
        ("dueSoonDays", "MOTCUA_DUE_SOON_DAYS", "working days before the appointment when a dossier is flagged due soon (default 2)"),
        ("trustedProxies", "MOTCUA_TRUSTED_PROXIES", "comma-separated IP addresses of reverse proxies whose X-Forwarded-For is believed (default none)"),
        ("secureCookies", "MOTCUA_SECURE_COOKIES", "true: session cookies are Secure (TLS); default false (Secure anyway behind a trusted proxy sending X-Forwarded-Proto: https)"),
        ("requestHeadTimeout", "MOTCUA_REQUEST_HEAD_TIMEOUT", "seconds a client may take to send a request head (default 20)"),
        ("idleTimeout", "MOTCUA_IDLE_TIMEOUT", "seconds an idle connection stays open (default 60)"),
        ("auditKeyDir", "MOTCUA_AUDIT_KEY_DIR", "folder of the audit HMAC and signing keys, created with 0600 files on first start (default motcua-data/keys)"),
        ("auditCheckpoints", "MOTCUA_AUDIT_CHECKPOINTS", "append-only file of signed audit checkpoints (default: one per database in the key folder)"),
        ("auditCheckpointSeconds", "MOTCUA_AUDIT_CHECKPOINT_SECONDS", "seconds between audit checkpoints (default 60)"),
        ("blobDir", "MOTCUA_BLOB_DIR", "folder of uploaded files, stored by SHA-256 (default motcua-data/blobs; share it between app nodes)"),
        ("uploadFileLimit", "MOTCUA_UPLOAD_FILE_LIMIT", "largest uploaded file in bytes (default 10485760)"),
        ("uploadDossierLimit", "MOTCUA_UPLOAD_DOSSIER_LIMIT", "largest total of one dossier's uploaded files in bytes (default 52428800)"),
        ("publicBaseURL", "MOTCUA_PUBLIC_BASE_URL", "the portal's address in e-mailed links (default http://HOST:PORT)"),
        ("paymentSecret", "MOTCUA_PAYMENT_SECRET", "secret shared with the payment gateway for callback signatures (default: the sandbox's own, kept in the database)"),
        ("paymentSandbox", "MOTCUA_PAYMENT_SANDBOX", "true (default): serve the built-in sandbox payment gateway; false in production"),
        ("postalReturnFee", "MOTCUA_POSTAL_RETURN_FEE", "postage in VND of a result returned by post, paid on delivery (default 25000)"),
        ("feedbackAnswerDays", "MOTCUA_FEEDBACK_ANSWER_DAYS", "working days an agency has to answer a feedback (default 15)"),
        ("oidcIssuer", "MOTCUA_OIDC_ISSUER", "OpenID Connect issuer URL of the e-identification login (VNeID, provincial SSO); default none"),
        ("oidcClientId", "MOTCUA_OIDC_CLIENT_ID", "OpenID Connect client id"),
        ("oidcClientSecret", "MOTCUA_OIDC_CLIENT_SECRET", "OpenID Connect client secret"),
        ("oidcScopes", "MOTCUA_OIDC_SCOPES", "space-separated scopes (default: openid profile email)"),
        ("oidcName", "MOTCUA_OIDC_NAME", "the provider's name on the login button (default VNeID)"),
        ("smtpHost", "MOTCUA_SMTP_HOST", "SMTP server for e-mail notifications (default none: e-mails are logged, not sent)"),
        ("smtpPort", "MOTCUA_SMTP_PORT", "SMTP port (default 587 with starttls, 465 with tls, 25 with none)"),
        ("smtpSecurity", "MOTCUA_SMTP_SECURITY", "none, starttls (default) or tls"),
        ("smtpUsername", "MOTCUA_SMTP_USERNAME", "SMTP login (AUTH PLAIN), default none"),
        ("smtpPassword", "MOTCUA_SMTP_PASSWORD", "SMTP password"),
        ("smtpFrom", "MOTCUA_SMTP_FROM", "sender address (default motcua@localhost)"),
        ("notifyMaxAttempts", "MOTCUA_NOTIFY_MAX_ATTEMPTS", "tries before a message is dead-lettered (default 8)"),
        ("notifyIntervalSeconds", "MOTCUA_NOTIFY_INTERVAL_SECONDS", "seconds between outbox deliveries (default 5)"),
    ]

    /// Environment variables that belong to MotCua but are not server settings.
    static let otherEnvironment: Set<String> = ["MOTCUA_CONFIG", "MOTCUA_TEST_POSTGRES_URL"]

    /// Resolves the configuration; throws `ConfigError` naming the offending key and source.
    /// - Parameters:
    ///   - flags: values given on the command line, by file key.
    ///   - environment: the process environment.
    ///   - file: the config file's JSON object, if any.
    public static func resolve(flags: [String: String], environment: [String: String], file: [String: Any]?) throws -> ServerConfig {
        let known = Set(keys.map(\.file))
        for key in file?.keys.sorted() ?? [] where !known.contains(key) {
            throw ConfigError(key: key, source: "config file", reason: "unknown key; known keys: \(keys.map(\.file).joined(separator: ", "))")
        }
        let knownEnv = Set(keys.map(\.env)).union(otherEnvironment)
        for name in environment.keys.sorted() where name.hasPrefix("MOTCUA_") && !knownEnv.contains(name) {
            throw ConfigError(key: name, source: "environment", reason: "unknown MotCua variable")
        }
        var config = ServerConfig()
        for (key, env, _) in keys {
            let value: (String, String)?
            if let v = flags[key] { value = (v, "--\(key)") }
            else if let v = environment[env] { value = (v, env) }
            else if let v = file?[key] { value = ("\(v is Bool ? ((v as! Bool) ? "true" : "false") : "\(v)")", "config file key \(key)") }
            else { value = nil }
            guard let (text, source) = value else { continue }
            try config.set(key, text, source: source)
        }
        // Links in e-mails point at this server unless the deployment names its public address.
        if flags["publicBaseURL"] == nil && environment["MOTCUA_PUBLIC_BASE_URL"] == nil && file?["publicBaseURL"] == nil {
            config.portal.publicBaseURL = "http://\(config.host.contains(":") ? "[\(config.host)]" : config.host):\(config.port)"
        }
        return config
    }

    mutating func set(_ key: String, _ text: String, source: String) throws {
        func int(_ range: ClosedRange<Int>) throws -> Int {
            guard let n = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(n) else {
                throw ConfigError(key: key, source: source, reason: "expected an integer in \(range.lowerBound)...\(range.upperBound), got \"\(text)\"")
            }
            return n
        }
        func bool() throws -> Bool {
            try oneOf(["true", "false", "1", "0", "yes", "no"]).hasPrefix("t") || ["1", "yes"].contains(text.lowercased())
        }
        func oneOf(_ values: [String]) throws -> String {
            guard values.contains(text.lowercased()) else {
                throw ConfigError(key: key, source: source, reason: "expected one of \(values.joined(separator: ", ")), got \"\(text)\"")
            }
            return text.lowercased()
        }
        switch key {
        case "host":
            guard !text.isEmpty, !text.contains(" ") else { throw ConfigError(key: key, source: source, reason: "expected a host name or IP address") }
            host = text
        case "port": port = try int(1...65535)
        case "database":
            do { database = try DatabaseLocation.parse(text) } catch let e as DatabaseURLError {
                throw ConfigError(key: key, source: source, reason: e.reason)
            }
        case "sqliteSynchronous": sqliteSynchronous = SQLiteSynchronous(rawValue: try oneOf(SQLiteSynchronous.allCases.map { $0.rawValue.lowercased() }).uppercased()) ?? .full
        case "sqliteReaders": sqliteReaders = try int(1...64)
        case "postgresMaxConnections": postgresMaxConnections = try int(2...500)
        case "bodyLimit": bodyLimit = try int(1024...(1 << 30))
        case "logLevel": logLevel = Logger.Level(rawValue: try oneOf(Logger.Level.allCases.map(\.rawValue))) ?? .info
        case "logFormat": logFormat = LogFormat(rawValue: try oneOf(LogFormat.allCases.map(\.rawValue))) ?? .json
        case "dueSoonDays": dueSoonDays = try int(0...30)
        case "demo": demo = try bool()
        case "secureCookies": secureCookies = try bool()
        case "requestHeadTimeout": requestHeadTimeout = try int(1...600)
        case "idleTimeout": idleTimeout = try int(1...3600)
        case "auditKeyDir", "auditCheckpoints":
            guard !text.isEmpty, TextRules.problem(text, maxLength: 4096) == nil else {
                throw ConfigError(key: key, source: source, reason: "expected a file path")
            }
            if key == "auditKeyDir" { auditKeyDir = text } else { auditCheckpointsFile = text }
        case "auditCheckpointSeconds": auditCheckpointSeconds = try int(5...86_400)
        case "blobDir":
            guard !text.isEmpty, TextRules.problem(text, maxLength: 4096) == nil else { throw ConfigError(key: key, source: source, reason: "expected a folder path") }
            portal.blobDir = text
        case "uploadFileLimit": portal.uploadFileLimit = try int(1024...(1 << 32))
        case "uploadDossierLimit": portal.uploadDossierLimit = try int(1024...(1 << 34))
        case "publicBaseURL":
            guard text.hasPrefix("http://") || text.hasPrefix("https://"), !text.contains(" "), TextRules.problem(text, maxLength: 500) == nil else {
                throw ConfigError(key: key, source: source, reason: "expected an http:// or https:// URL")
            }
            portal.publicBaseURL = text.hasSuffix("/") ? String(text.dropLast()) : text
        case "paymentSecret":
            guard text.count >= 16, TextRules.problem(text, maxLength: 512) == nil else { throw ConfigError(key: key, source: source, reason: "expected at least 16 printable characters") }
            portal.paymentSecret = text
        case "paymentSandbox": portal.paymentSandbox = try bool()
        case "postalReturnFee": portal.postalReturnFee = try int(0...10_000_000)
        case "feedbackAnswerDays": portal.feedbackAnswerDays = try int(1...60)
        case "oidcIssuer":
            guard text.hasPrefix("https://") || text.hasPrefix("http://"), !text.contains(" ") else {
                throw ConfigError(key: key, source: source, reason: "expected an https:// URL")
            }
            portal.oidc.issuer = text
        case "oidcClientId": portal.oidc.clientID = text
        case "oidcClientSecret": portal.oidc.clientSecret = text
        case "oidcScopes":
            let scopes = text.split(separator: " ").map(String.init)
            guard scopes.contains("openid") else { throw ConfigError(key: key, source: source, reason: "the scopes must include openid") }
            portal.oidc.scopes = scopes
        case "oidcName":
            guard !text.isEmpty, TextRules.problem(text, maxLength: 100) == nil else { throw ConfigError(key: key, source: source, reason: "expected a short name") }
            portal.oidc.name = text
        case "smtpHost":
            guard !text.isEmpty, !text.contains(" ") else { throw ConfigError(key: key, source: source, reason: "expected a host name or IP address") }
            mail.smtpHost = text
        case "smtpPort": mail.smtpPort = try int(1...65535)
        case "smtpSecurity": mail.security = SMTPSecurity(rawValue: try oneOf(SMTPSecurity.allCases.map(\.rawValue))) ?? .starttls
        case "smtpUsername": mail.username = text
        case "smtpPassword": mail.password = text
        case "smtpFrom":
            guard Intake.isEmail(text) else { throw ConfigError(key: key, source: source, reason: "expected an e-mail address") }
            mail.from = text
        case "notifyMaxAttempts": mail.maxAttempts = try int(1...100)
        case "notifyIntervalSeconds": mail.intervalSeconds = try int(1...3600)
        case "trustedProxies":
            let list = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard list.allSatisfy(Self.isIPAddress) else {
                throw ConfigError(key: key, source: source, reason: "expected comma-separated IP addresses, got \"\(text)\"")
            }
            trustedProxies = list
        default: throw ConfigError(key: key, source: source, reason: "unknown key")
        }
    }

    /// An IPv4 or IPv6 address in text form.
    static func isIPAddress(_ s: String) -> Bool {
        let v4 = s.split(separator: ".", omittingEmptySubsequences: false)
        if v4.count == 4, v4.allSatisfy({ UInt8($0) != nil && $0.count <= 3 }) { return true }
        return s.contains(":") && s.count <= 45 && s.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
    }

    /// The login and cookie settings.
    public var security: SecuritySettings { SecuritySettings(trustedProxies: Set(trustedProxies), secureCookies: secureCookies) }

    /// Reads a JSON config file into an object (throws `ConfigError` when unreadable or not an object).
    public static func readFile(_ path: String) throws -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(key: "config", source: path, reason: "cannot read the file")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ConfigError(key: "config", source: path, reason: "the file must contain one JSON object")
        }
        return object
    }

    /// Database options derived from the settings.
    public var databaseOptions: Database.Options {
        var o = Database.Options()
        o.sqliteSynchronous = sqliteSynchronous
        o.sqliteReaders = sqliteReaders
        o.postgresMaxConnections = postgresMaxConnections
        return o
    }
}

/// A configuration value that cannot be used: which key, from where, and why.
public struct ConfigError: Error, CustomStringConvertible {
    public let key: String
    public let source: String
    public let reason: String
    public var description: String { "configuration error: \(key) (from \(source)): \(reason)" }
}

/// How the server writes its log: one JSON object per line (with the request id), or text.
public enum LogFormat: String, Sendable, Hashable, CaseIterable {
    case json, text
}
