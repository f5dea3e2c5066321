import Foundation
import Logging
import SQLiteKit
import SQLiteNIO
import SQLKit

/// Backup and restore of a whole database.
///
/// - SQLite: `VACUUM INTO` on a reader connection writes a consistent snapshot while the server
///   keeps serving (WAL readers never block the writer); restore copies a snapshot into place.
/// - PostgreSQL: `pg_dump --format=custom` and `pg_restore` (Debian's postgresql-client), with
///   the password passed in the environment, never on the command line.
///
/// The audit keys and checkpoints live outside the database: back up the key folder apart (and
/// keep it secret); `motcua restore` appends a signed "restore" checkpoint of the restored heads.
public enum Backup {
    /// Something that stops a backup or a restore, said for the operator.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(_ d: String) { description = d }
    }

    /// Writes a backup of `database` to `path` (which must not exist).
    public static func backup(_ database: Database, to path: String) async throws {
        guard !FileManager.default.fileExists(atPath: path) else { throw Failure("\(path) exists already; choose a new file") }
        // Applicants' data and password hashes: the file is the operator's alone (0600), created
        // empty first so that the tools write into it with these rights.
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw Failure("cannot create \(path)")
        }
        do {
            try await write(database, to: path)
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
    }

    static func write(_ database: Database, to path: String) async throws {
        switch database.location {
        case .sqliteMemory:
            try await database.withExclusiveConnection { db in try await db.raw("VACUUM INTO \(bind: path)").run() }
        case .sqliteFile(let source):
            // A connection of its own: the server's readers are read-only and its writer stays free.
            let conn = try await SQLiteConnection.open(storage: .file(path: source), logger: Logger(label: "motcua.backup"))
            do {
                try await conn.sql().raw("PRAGMA busy_timeout = 10000").run()
                try await conn.sql().raw("VACUUM INTO \(bind: path)").run()
            } catch {
                try? await conn.close()
                throw error
            }
            try await conn.close()
        case .postgres(let s):
            try run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--file", path] + arguments(s), password: s.password)
        }
    }

    /// Restores the backup at `path` into `location`, which must be empty (a new SQLite file or a
    /// PostgreSQL database without tables).
    public static func restore(from path: String, into location: DatabaseLocation, logger: Logger) async throws {
        guard FileManager.default.fileExists(atPath: path) else { throw Failure("\(path) does not exist") }
        switch location {
        case .sqliteMemory:
            throw Failure("cannot restore into an in-memory database")
        case .sqliteFile(let target):
            let handle = try? FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            let header = (try? handle?.read(upToCount: 16)) ?? nil
            try? handle?.close()
            guard header == Data("SQLite format 3\0".utf8) else { throw Failure("\(path) is not a SQLite backup") }
            _ = header
            if let size = (try? FileManager.default.attributesOfItem(atPath: target))?[.size] as? Int, size > 0 {
                throw Failure("\(target) exists and is not empty; restore into a new file")
            }
            let dir = (target as NSString).deletingLastPathComponent
            if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            let temporary = target + ".restoring"
            try? FileManager.default.removeItem(atPath: temporary)
            try FileManager.default.copyItem(atPath: path, toPath: temporary)
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: target + suffix) }
            try FileManager.default.moveItem(atPath: temporary, toPath: target)
        case .postgres(let s):
            let database = try await Database.open(location, logger: logger)
            let tables = try await database.read { db in
                try await db.raw("SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'").first()?
                    .decode(column: "n", as: Int.self) ?? 0
            }
            await database.close()
            guard tables == 0 else { throw Failure("database \(s.database) is not empty (\(tables) tables); restore into a new database") }
            try run("pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"] + arguments(s) + [path], password: s.password)
        }
    }

    static func arguments(_ s: DatabaseLocation.PostgresSettings) -> [String] {
        ["--host", s.host, "--port", String(s.port), "--username", s.username, "--dbname", s.database]
    }

    /// Runs a PostgreSQL client program found on PATH (or in /usr/lib/postgresql/*/bin).
    static func run(_ program: String, _ arguments: [String], password: String?) throws {
        guard let executable = locate(program) else {
            throw Failure("\(program) not found: install Debian's postgresql-client (apt-get install postgresql-client)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        if let password { env["PGPASSWORD"] = password }
        process.environment = env
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure("\(program) failed (exit \(process.terminationStatus)): \(String(decoding: message, as: UTF8.self))")
        }
    }

    static func locate(_ program: String) -> String? {
        let fm = FileManager.default
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map { "\($0)/\(program)" }
        let versioned = ((try? fm.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).sorted(by: >).map { "/usr/lib/postgresql/\($0)/bin/\(program)" }
        return (path + versioned).first { fm.isExecutableFile(atPath: $0) }
    }
}
