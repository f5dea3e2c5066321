import ArgumentParser
import Foundation
import MotCuaCore
import MotCuaStore
import MotCuaWeb

/// `motcua staff add|list|deactivate|activate|password`: staff accounts without the web UI.
/// Deactivating an account or changing its password revokes its tokens and sessions at once.
struct StaffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "staff", abstract: "Manage staff accounts.", subcommands: [Add.self, List.self, Deactivate.self, Activate.self, Password.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a staff account.")
        @OptionGroup var db: DatabaseOptions
        @Option(help: "Login name (a-z 0-9 . - _).") var username: String
        @Option(help: "One of: \(StaffRole.allCases.map(\.rawValue).joined(separator: ", ")).") var role: String
        @Option(help: "Agency code, e.g. H13.41.") var agency: String
        @Option(help: "Department code inside the agency.") var department: String?
        @Option(help: "Full name (default: the username).") var name: String?
        @Option(help: "Password (prefer --password-stdin).") var password: String?
        @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input.") var passwordStdin = false

        func run() async throws {
            guard let r = StaffRole(rawValue: role) else {
                throw ValidationError("--role must be one of \(StaffRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var secret = password
            if passwordStdin { secret = readLine(strippingNewline: true) }
            guard let secret, secret.count >= 8 else { throw ValidationError("give a password of at least 8 characters (--password-stdin or --password)") }
            let config = try Runtime.resolveConfig(db)
            let database = try await Runtime.openMigrated(config, logger: Runtime.logger(config))
            do {
                try await StaffRepository(database: database).add(
                    StaffMember(username: username, fullName: name ?? username, role: r, agencyCode: agency, departmentCode: department),
                    passwordHash: PasswordHasher().hash(secret), now: Date())
            } catch let e as StaffError {
                await database.close()
                throw CommandFailure(e.description)
            }
            await database.close()
            print("created \(username) (\(r.rawValue) at \(agency))")
        }
    }

    struct Deactivate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deactivate an account and revoke its tokens and sessions.")
        @OptionGroup var db: DatabaseOptions
        @Option(help: "Login name.") var username: String

        func run() async throws {
            try await StaffCommand.change(db, username) { try await $0.setActive(username: username, active: false) }
            print("deactivated \(username); its tokens and sessions are revoked")
        }
    }

    struct Activate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reactivate an account.")
        @OptionGroup var db: DatabaseOptions
        @Option(help: "Login name.") var username: String

        func run() async throws {
            try await StaffCommand.change(db, username) { try await $0.setActive(username: username, active: true) }
            print("activated \(username)")
        }
    }

    /// Runs one change of an account, reporting a `StaffError` (no such account…) to the operator.
    static func change(_ db: DatabaseOptions, _ username: String, _ body: @escaping (StaffRepository) async throws -> Void) async throws {
        try await Runtime.withDatabase(db) { database in
            do { try await body(StaffRepository(database: database)) } catch let e as StaffError { throw CommandFailure(e.description) }
        }
    }

    struct Password: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set an account's password (read from standard input) and revoke its tokens and sessions.")
        @OptionGroup var db: DatabaseOptions
        @Option(help: "Login name.") var username: String

        func run() async throws {
            guard let secret = readLine(strippingNewline: true), secret.count >= 8 else {
                throw ValidationError("give a password of at least 8 characters on standard input")
            }
            let hash = PasswordHasher().hash(secret)
            try await StaffCommand.change(db, username) { try await $0.setPassword(username: username, passwordHash: hash) }
            print("password of \(username) changed; its tokens and sessions are revoked")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List staff accounts.")
        @OptionGroup var db: DatabaseOptions

        func run() async throws {
            try await Runtime.withDatabase(db) { database in
                for m in try await StaffRepository(database: database).list() {
                    print("\(m.username)\t\(m.role.rawValue)\t\(m.agencyCode)\t\(m.departmentCode ?? "-")\t\(m.active ? "active" : "disabled")\t\(m.fullName)")
                }
            }
        }
    }
}
