import Crypto
import Foundation
import MotCuaCore
import SQLKit

/// Why a citizen operation cannot be done (stable codes; the web layer says them in Vietnamese).
public enum CitizenError: Error, Equatable, CustomStringConvertible {
    case duplicate(field: String)
    case invalid([FieldProblem])
    case notFound
    case linkInvalid
    case rejected(OnlineSubmission.Problem)
    case versionConflict(current: Int)
    case workflow(code: String, message: String, allowed: [String])
    case limit(String)

    public var description: String {
        switch self {
        case .duplicate(let f): "an account with this \(f) already exists"
        case .invalid(let p): "invalid: " + p.map { "\($0.field): \($0.code)" }.joined(separator: ", ")
        case .notFound: "not found"
        case .linkInvalid: "the link is invalid, used or expired"
        case .rejected(let p): "refused: \(p.rawValue)"
        case .versionConflict(let v): "the dossier changed meanwhile (version \(v))"
        case .workflow(let code, let message, _): "\(code): \(message)"
        case .limit(let s): s
        }
    }
}

/// Citizen accounts: registration, e-mail confirmation, login data, sessions and API tokens.
/// Tokens are random secrets given to the client once; only their SHA-256 is stored.
public struct CitizenRepository: Sendable {
    let database: Database
    /// E-mail confirmation links stay valid this long.
    public static let verificationLifetime: TimeInterval = 48 * 3600

    public init(database: Database) { self.database = database }

    static let columns = ["id", "kind", "full_name", "id_number", "email", "phone", "address", "email_verified", "phone_verified", "e_identification", "active"]

    static func account(_ r: any SQLRow) throws -> CitizenAccount {
        func opt(_ c: String) throws -> String? { try r.decodeNil(column: c) ? nil : r.decode(column: c, as: String.self) }
        var account = CitizenAccount(id: try r.decode(column: "id", as: String.self),
                              kind: Applicant.Kind(rawValue: try r.decode(column: "kind", as: String.self)) ?? .person,
                              fullName: try r.decode(column: "full_name", as: String.self), idNumber: try r.decode(column: "id_number", as: String.self),
                              email: try opt("email"), phone: try opt("phone"), address: try opt("address"),
                              emailVerified: try r.decode(column: "email_verified", as: Int.self) == 1, eIdentification: try opt("e_identification"),
                              active: try r.decode(column: "active", as: Int.self) == 1)
        account.phoneVerified = try r.decode(column: "phone_verified", as: Int.self) == 1
        return account
    }

    static func epoch(_ d: Date) -> Int { Int(d.timeIntervalSince1970) }

    /// Registers an account (the registration must be valid: `CitizenRules.problems` empty) and,
    /// when it has an e-mail, queues the confirmation link in the outbox, in one transaction.
    /// Returns the account and the link's secret (to build the URL; only its hash is kept).
    public func register(_ r: CitizenRegistration, passwordHash: String, now: Date,
                         confirmationMail: @escaping @Sendable (CitizenAccount, String) -> (subject: String, body: String)) async throws -> (CitizenAccount, String?) {
        let problems = CitizenRules.problems(r)
        guard problems.isEmpty else { throw CitizenError.invalid(problems) }
        let account = CitizenAccount(id: UUID().uuidString.lowercased(), kind: r.kind, fullName: r.fullName, idNumber: r.idNumber, email: r.email,
                                     phone: r.phone, address: nil, emailVerified: false, eIdentification: nil, active: true)
        let secret = r.email == nil ? nil : StaffRepository.randomSecret()
        try await database.write { db in
            if let e = r.email, try await db.select().column("id").from("citizens").where("email", .equal, e).first() != nil {
                throw CitizenError.duplicate(field: "email")
            }
            if let p = r.phone, try await db.select().column("id").from("citizens").where("phone", .equal, p).first() != nil {
                throw CitizenError.duplicate(field: "phone")
            }
            try await db.insert(into: "citizens")
                .columns("id", "kind", "full_name", "id_number", "email", "phone", "password_hash", "email_verified", "active", "created_at")
                .values(SQLBind(account.id), SQLBind(r.kind.rawValue), SQLBind(r.fullName), SQLBind(r.idNumber), SQLBind(r.email), SQLBind(r.phone),
                        SQLBind(passwordHash), SQLBind(0), SQLBind(1), SQLBind(Self.epoch(now)))
                .run()
            if let secret, let email = r.email {
                try await db.insert(into: "citizen_verifications").columns("token_hash", "citizen_id", "expires_at")
                    .values(SQLBind(StaffRepository.digest(secret)), SQLBind(account.id), SQLBind(Self.epoch(now.addingTimeInterval(Self.verificationLifetime))))
                    .run()
                let mail = confirmationMail(account, secret)
                try await Outbox.enqueue(db, id: "account:\(account.id)#verify#\(StaffRepository.digest(secret).prefix(12))", dossierCode: "",
                                         recipient: email, form: "account-verify", subject: mail.subject, message: mail.body, at: now)
            }
            if r.email == nil, let phone = r.phone {
                // A phone-only account is confirmed with a 6-digit code sent by SMS (15 minutes).
                var g = SystemRandomNumberGenerator()
                let code = String(format: "%06d", Int.random(in: 0...999_999, using: &g))
                try await db.insert(into: "citizen_verifications").columns("token_hash", "citizen_id", "expires_at")
                    .values(SQLBind(Self.phoneDigest(account.id, code)), SQLBind(account.id), SQLBind(Self.epoch(now.addingTimeInterval(15 * 60)))).run()
                try await Outbox.enqueue(db, id: "account:\(account.id)#verify-sms", dossierCode: "", recipient: phone, form: "account-verify-sms",
                                         subject: "Ma xac nhan tai khoan dich vu cong: \(code) (hieu luc 15 phut)", message: code, at: now)
            }
            struct Detail: Encodable { let kind: String }
            try await AuditLog.append(db, chain: "citizens", at: now, actor: "citizen:\(account.id)", action: "citizen.register", subject: account.id,
                                      detail: Detail(kind: r.kind.rawValue))
        }
        return (account, secret)
    }

    /// Confirms the e-mail of the link's account (once; the link expires).
    public func confirmEmail(secret: String, now: Date) async throws -> CitizenAccount {
        guard secret.count <= 200, TextRules.problem(secret, maxLength: 200) == nil else { throw CitizenError.linkInvalid }
        return try await database.write { db in
            guard let row = try await db.select().columns("citizen_id", "expires_at", "used_at").from("citizen_verifications")
                .where("token_hash", .equal, StaffRepository.digest(secret)).first(),
                  try row.decodeNil(column: "used_at"), try row.decode(column: "expires_at", as: Int.self) > Self.epoch(now) else {
                throw CitizenError.linkInvalid
            }
            let id = try row.decode(column: "citizen_id", as: String.self)
            try await db.update("citizen_verifications").set("used_at", to: Self.epoch(now)).where("token_hash", .equal, StaffRepository.digest(secret)).run()
            try await db.update("citizens").set("email_verified", to: 1).where("id", .equal, id).run()
            struct Detail: Encodable { let verified: Bool }
            try await AuditLog.append(db, chain: "citizens", at: now, actor: "citizen:\(id)", action: "citizen.email-verified", subject: id,
                                      detail: Detail(verified: true))
            guard let acc = try await db.select().columns(Self.columns).from("citizens").where("id", .equal, id).first().map(Self.account) else {
                throw CitizenError.notFound
            }
            return acc
        }
    }

    static func phoneDigest(_ id: String, _ code: String) -> String { StaffRepository.digest("phone:\(id):\(code)") }

    /// Confirms a phone number with the code sent to it (once; it expires).
    public func confirmPhone(_ rawPhone: String, code: String, now: Date) async throws -> CitizenAccount {
        let phone = CitizenRules.loginKey(rawPhone)
        guard code.count == 6, code.allSatisfy({ $0.isASCII && $0.isNumber }), phone.count <= 20 else { throw CitizenError.linkInvalid }
        return try await database.write { db in
            guard let id = try await db.select().column("id").from("citizens").where("phone", .equal, phone).first()?.decode(column: "id", as: String.self),
                  let row = try await db.select().columns("expires_at", "used_at").from("citizen_verifications")
                    .where("token_hash", .equal, Self.phoneDigest(id, code)).first(),
                  try row.decodeNil(column: "used_at"), try row.decode(column: "expires_at", as: Int.self) > Self.epoch(now) else {
                throw CitizenError.linkInvalid
            }
            try await db.update("citizen_verifications").set("used_at", to: Self.epoch(now)).where("token_hash", .equal, Self.phoneDigest(id, code)).run()
            try await db.update("citizens").set("phone_verified", to: 1).where("id", .equal, id).run()
            struct Detail: Encodable { let verified: Bool }
            try await AuditLog.append(db, chain: "citizens", at: now, actor: "citizen:\(id)", action: "citizen.phone-verified", subject: id,
                                      detail: Detail(verified: true))
            guard let acc = try await db.select().columns(Self.columns).from("citizens").where("id", .equal, id).first().map(Self.account) else {
                throw CitizenError.notFound
            }
            return acc
        }
    }

    /// The account and password hash for a login by e-mail or phone.
    public func credentials(login: String) async throws -> (CitizenAccount, String?)? {
        let key = CitizenRules.loginKey(login)
        return try await database.read { db in
            guard let r = try await db.select().columns(Self.columns + ["password_hash"]).from("citizens")
                .where(key.contains("@") ? "email" : "phone", .equal, key).first() else { return nil }
            return (try Self.account(r), try r.decodeNil(column: "password_hash") ? nil : r.decode(column: "password_hash", as: String.self))
        }
    }

    public func account(id: String) async throws -> CitizenAccount? {
        try await database.read { db in try await db.select().columns(Self.columns).from("citizens").where("id", .equal, id).first().map(Self.account) }
    }

    /// Finds or creates the account of an identity provider's subject and marks it e-identified at
    /// `level` (an existing account with the same e-mail is linked, not duplicated).
    public func linkIdentity(issuer: String, subject: String, level: String, claims: CitizenRegistration, now: Date) async throws -> CitizenAccount {
        try await database.write { db in
            var found = try await db.select().columns(Self.columns).from("citizens").where("oidc_issuer", .equal, issuer)
                .where("oidc_subject", .equal, subject).first().map(Self.account)
            if found == nil, let e = claims.email {
                found = try await db.select().columns(Self.columns).from("citizens").where("email", .equal, e).first().map(Self.account)
            }
            let id = found?.id ?? UUID().uuidString.lowercased()
            if found == nil {
                try await db.insert(into: "citizens")
                    .columns("id", "kind", "full_name", "id_number", "email", "phone", "email_verified", "active", "created_at")
                    .values(SQLBind(id), SQLBind(claims.kind.rawValue), SQLBind(claims.fullName), SQLBind(claims.idNumber), SQLBind(claims.email),
                            SQLBind(claims.phone), SQLBind(claims.email == nil ? 0 : 1), SQLBind(1), SQLBind(Self.epoch(now)))
                    .run()
            }
            try await db.update("citizens").set("oidc_issuer", to: issuer).set("oidc_subject", to: subject).set("e_identification", to: level)
                .where("id", .equal, id).run()
            struct Detail: Encodable { let issuer: String; let level: String }
            try await AuditLog.append(db, chain: "citizens", at: now, actor: "citizen:\(id)", action: "citizen.e-identified", subject: id,
                                      detail: Detail(issuer: issuer, level: level))
            guard let acc = try await db.select().columns(Self.columns).from("citizens").where("id", .equal, id).first().map(Self.account) else {
                throw CitizenError.notFound
            }
            return acc
        }
    }

    /// Updates the profile's contact data (name, address, phone) after validation by the caller.
    public func updateProfile(id: String, fullName: String, address: String?, phone: String?) async throws {
        try await database.write { db in
            if let p = phone, let other = try await db.select().column("id").from("citizens").where("phone", .equal, p).first(),
               try other.decode(column: "id", as: String.self) != id {
                throw CitizenError.duplicate(field: "phone")
            }
            try await db.update("citizens").set("full_name", to: fullName).set("address", to: SQLBind(address)).set("phone", to: SQLBind(phone))
                .where("id", .equal, id).run()
        }
    }

    /// Issues a session (`web`) or bearer token (`api`).
    public func issueToken(citizenID: String, kind: TokenKind, lifetime: TimeInterval, now: Date) async throws -> IssuedToken {
        let token = StaffRepository.randomSecret(), csrf = StaffRepository.randomSecret()
        let expires = now.addingTimeInterval(lifetime)
        try await database.write { db in
            try await db.delete(from: "citizen_tokens").where("expires_at", .lessThan, Self.epoch(now)).run()
            try await db.insert(into: "citizen_tokens").columns("token_hash", "citizen_id", "kind", "csrf", "expires_at", "created_at")
                .values(SQLBind(StaffRepository.digest(token)), SQLBind(citizenID), SQLBind(kind.rawValue), SQLBind(csrf),
                        SQLBind(Self.epoch(expires)), SQLBind(Self.epoch(now)))
                .run()
        }
        return IssuedToken(token: token, csrf: csrf, expiresAt: expires)
    }

    /// The active account behind an unexpired token of `kind`, with the token's CSRF secret.
    public func authenticate(token: String, kind: TokenKind, now: Date) async throws -> (CitizenAccount, csrf: String)? {
        try await database.read { db in
            guard let r = try await db.select().columns(Self.columns.map { SQLColumn($0, table: "citizens") }).column(SQLColumn("csrf", table: "citizen_tokens"))
                .from("citizen_tokens").join("citizens", on: SQLColumn("id", table: "citizens"), .equal, SQLColumn("citizen_id", table: "citizen_tokens"))
                .where(SQLColumn("token_hash", table: "citizen_tokens"), .equal, SQLBind(StaffRepository.digest(token)))
                .where(SQLColumn("kind", table: "citizen_tokens"), .equal, SQLBind(kind.rawValue))
                .where(SQLColumn("expires_at", table: "citizen_tokens"), .greaterThan, SQLBind(Self.epoch(now)))
                .first() else { return nil }
            let account = try Self.account(r)
            return account.active ? (account, try r.decode(column: "csrf", as: String.self)) : nil
        }
    }

    public func revoke(token: String) async throws {
        try await database.write { db in try await db.delete(from: "citizen_tokens").where("token_hash", .equal, StaffRepository.digest(token)).run() }
    }
}
