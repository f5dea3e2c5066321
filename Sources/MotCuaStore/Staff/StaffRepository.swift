import Crypto
import Foundation
import MotCuaCore
import SQLKit

/// A staff account (the password hash stays in the store).
public struct StaffMember: Hashable, Sendable, Codable {
    public var username: String
    public var fullName: String
    public var role: StaffRole
    public var agencyCode: String
    public var departmentCode: String?
    public var active: Bool

    public init(username: String, fullName: String, role: StaffRole, agencyCode: String, departmentCode: String? = nil, active: Bool = true) {
        self.username = username
        self.fullName = fullName
        self.role = role
        self.agencyCode = agencyCode
        self.departmentCode = departmentCode
        self.active = active
    }

    public var actor: Actor { Actor(username: username, role: role, agencyCode: agencyCode) }
}

/// A bearer token or web session: the secret is given to the client once; only its SHA-256 is kept.
public struct IssuedToken: Sendable {
    public let token: String
    public let csrf: String
    public let expiresAt: Date
}

/// Staff accounts and their tokens.
public struct StaffRepository: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// Usernames: 3–40 characters of a–z, 0–9, dot, dash, underscore.
    public static func isValidUsername(_ s: String) -> Bool {
        (3...40).contains(s.count) && s.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || ".-_".contains($0) }
    }

    /// Adds an account; throws `StaffError` for a duplicate username or an unknown agency.
    public func add(_ m: StaffMember, passwordHash: String, now: Date) async throws {
        guard Self.isValidUsername(m.username) else { throw StaffError("invalid username \(m.username): use 3–40 of a-z 0-9 . - _") }
        try await database.write { db in
            guard try await db.select().column("code").from("agencies").where("code", .equal, m.agencyCode).first() != nil else {
                throw StaffError("unknown agency \(m.agencyCode)")
            }
            if let d = m.departmentCode, try await db.select().column("code").from("agencies").where("code", .equal, d).first() == nil {
                throw StaffError("unknown department \(d)")
            }
            guard try await db.select().column("username").from("staff").where("username", .equal, m.username).first() == nil else {
                throw StaffError("username \(m.username) already exists")
            }
            try await db.insert(into: "staff")
                .columns("username", "password_hash", "full_name", "role", "agency_code", "department_code", "active", "created_at")
                .values(SQLBind(m.username), SQLBind(passwordHash), SQLBind(m.fullName), SQLBind(m.role.rawValue), SQLBind(m.agencyCode),
                        SQLBind(m.departmentCode), SQLBind(m.active ? 1 : 0), SQLBind(Int(now.timeIntervalSince1970)))
                .run()
        }
    }

    public func list() async throws -> [StaffMember] {
        try await database.read { db in
            try await db.select().columns("username", "full_name", "role", "agency_code", "department_code", "active")
                .from("staff").orderBy("agency_code").orderBy("username").all().map(Self.member)
        }
    }

    /// The account and its password hash, for login.
    public func credentials(username: String) async throws -> (StaffMember, String)? {
        try await database.read { db in
            guard let r = try await db.select().columns("username", "full_name", "role", "agency_code", "department_code", "active", "password_hash")
                .from("staff").where("username", .equal, username).first() else { return nil }
            return (try Self.member(r), try r.decode(column: "password_hash", as: String.self))
        }
    }

    static func member(_ r: any SQLRow) throws -> StaffMember {
        StaffMember(username: try r.decode(column: "username", as: String.self), fullName: try r.decode(column: "full_name", as: String.self),
                    role: StaffRole(rawValue: try r.decode(column: "role", as: String.self)) ?? .reception,
                    agencyCode: try r.decode(column: "agency_code", as: String.self),
                    departmentCode: try r.decodeNil(column: "department_code") ? nil : r.decode(column: "department_code", as: String.self),
                    active: try r.decode(column: "active", as: Int.self) == 1)
    }

    static func digest(_ token: String) -> String {
        CivilHex.string(SHA256.hash(data: Data(token.utf8)))
    }

    /// 32 random bytes, base64url without padding.
    public static func randomSecret() -> String {
        var g = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &g) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Issues a token (`kind`: "api" bearer token or "web" session) valid for `lifetime`.
    public func issueToken(username: String, kind: TokenKind, lifetime: TimeInterval, now: Date) async throws -> IssuedToken {
        let token = Self.randomSecret(), csrf = Self.randomSecret()
        let expires = now.addingTimeInterval(lifetime)
        try await database.write { db in
            try await db.delete(from: "auth_tokens").where("expires_at", .lessThan, Int(now.timeIntervalSince1970)).run()
            try await db.insert(into: "auth_tokens").columns("token_hash", "username", "kind", "csrf", "expires_at", "created_at")
                .values(SQLBind(Self.digest(token)), SQLBind(username), SQLBind(kind.rawValue), SQLBind(csrf),
                        SQLBind(Int(expires.timeIntervalSince1970)), SQLBind(Int(now.timeIntervalSince1970)))
                .run()
        }
        return IssuedToken(token: token, csrf: csrf, expiresAt: expires)
    }

    /// The active account behind an unexpired token, with the token's CSRF secret and expiry (one
    /// query: the token joined with its account).
    public func authenticate(token: String, kind: TokenKind, now: Date) async throws -> (StaffMember, csrf: String, expiresAt: Date)? {
        try await database.read { db in
            guard let r = try await db.raw("""
                SELECT staff.username, full_name, role, agency_code, department_code, active, csrf, expires_at
                FROM auth_tokens JOIN staff ON staff.username = auth_tokens.username
                WHERE auth_tokens.token_hash = \(bind: Self.digest(token)) AND auth_tokens.kind = \(bind: kind.rawValue)
                  AND auth_tokens.expires_at > \(bind: Int(now.timeIntervalSince1970))
                """).first() else { return nil }
            let m = try Self.member(r)
            let expires = try r.decode(column: "expires_at", as: Int.self)
            return m.active ? (m, try r.decode(column: "csrf", as: String.self), Date(timeIntervalSince1970: TimeInterval(expires))) : nil
        }
    }

    public func revoke(token: String) async throws {
        try await database.write { db in try await db.delete(from: "auth_tokens").where("token_hash", .equal, Self.digest(token)).run() }
    }

    /// Deactivates or reactivates an account; deactivation deletes every token and session of it.
    public func setActive(username: String, active: Bool) async throws {
        try await database.write { db in
            guard try await db.select().column("username").from("staff").where("username", .equal, username).first() != nil else {
                throw StaffError("no account \(username)")
            }
            try await db.update("staff").set("active", to: active ? 1 : 0).where("username", .equal, username).run()
            if !active { try await db.delete(from: "auth_tokens").where("username", .equal, username).run() }
        }
    }

    /// Changes an account's password and deletes every token and session of it.
    public func setPassword(username: String, passwordHash: String) async throws {
        try await database.write { db in
            guard try await db.select().column("username").from("staff").where("username", .equal, username).first() != nil else {
                throw StaffError("no account \(username)")
            }
            try await db.update("staff").set("password_hash", to: passwordHash).where("username", .equal, username).run()
            try await db.delete(from: "auth_tokens").where("username", .equal, username).run()
        }
    }
}

/// A staff operation that cannot be done, with the reason.
public struct StaffError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
