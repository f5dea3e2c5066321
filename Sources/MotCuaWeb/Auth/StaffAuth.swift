import Foundation
import Hummingbird
import HummingbirdBcrypt
import NIOPosix
import MotCuaStore
import Synchronization

/// Password hashing with bcrypt (cost 10 by default; tests may lower it).
public struct PasswordHasher: Sendable {
    public let cost: UInt8
    public init(cost: UInt8 = 10) { self.cost = cost }
    public func hash(_ password: String) -> String { Bcrypt.hash(password, cost: cost) }
    public func verify(_ password: String, hash: String) -> Bool { Bcrypt.verify(password, hash: hash) }

    /// Verifies off the async executors: bcrypt takes tens of milliseconds on purpose.
    public func verifyOffloaded(_ password: String, hash: String) async -> Bool {
        (try? await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }) ?? false
    }
}

/// Failed-login throttle: at most `limit` failures per username and client within `window`;
/// further attempts get 429 until the window passes. Kept per node, in memory.
public final class LoginThrottle: Sendable {
    private let failures = Mutex<[String: [Date]]>([:])
    let limit: Int
    let window: TimeInterval

    public init(limit: Int = 5, window: TimeInterval = 15 * 60) {
        self.limit = limit
        self.window = window
    }

    public func isBlocked(_ key: String, now: Date) -> Bool {
        failures.withLock { f in
            f[key] = (f[key] ?? []).filter { now.timeIntervalSince($0) < window }
            return (f[key]?.count ?? 0) >= limit
        }
    }

    public func recordFailure(_ key: String, now: Date) { failures.withLock { $0[key, default: []].append(now) } }
    public func reset(_ key: String) { failures.withLock { $0[key] = nil } }
}

/// Recently verified API tokens, so that a busy client does not cost two database reads per
/// request. An entry lives 30 seconds: a token revoked on another node stops working within that.
final class TokenCache: Sendable {
    private let entries = Mutex<[String: (member: StaffMember, until: Date)]>([:])
    static let lifetime: TimeInterval = 30

    func get(_ token: String, now: Date) -> StaffMember? {
        entries.withLock { e in
            guard let hit = e[token] else { return nil }
            if hit.until > now { return hit.member }
            e[token] = nil
            return nil
        }
    }

    func put(_ token: String, _ member: StaffMember, tokenExpiry: Date, now: Date) {
        entries.withLock { e in
            if e.count > 10_000 { e = e.filter { $0.value.until > now } }
            e[token] = (member, min(tokenExpiry, now.addingTimeInterval(Self.lifetime)))
        }
    }

    func remove(_ token: String) { entries.withLock { $0[token] = nil } }
}

/// Authentication of staff: bearer tokens for the API, the session cookie for pages.
public struct StaffAuth: Sendable {
    public static let cookieName = "motcua_session"
    public static let apiTokenLifetime: TimeInterval = 12 * 3600
    let staff: StaffRepository
    let hasher: PasswordHasher
    let throttle: LoginThrottle
    let tokens = TokenCache()

    /// Checks a password; returns the account, nil for wrong credentials; throws 429 when throttled.
    public func login(username: String, password: String, client: String, now: Date) async throws -> StaffMember? {
        let key = "\(username.lowercased())|\(client)"
        if throttle.isBlocked(key, now: now) {
            throw APIError(.tooManyRequests, code: "too_many_attempts", "too many failed logins; try again in 15 minutes")
        }
        guard let (member, hash) = try await staff.credentials(username: username), member.active,
              await hasher.verifyOffloaded(password, hash: hash) else {
            throttle.recordFailure(key, now: now)
            return nil
        }
        throttle.reset(key)
        return member
    }

    /// The staff member behind the request's bearer token (401 without a valid one).
    public func requireAPI(_ request: Request, now: Date) async throws -> StaffMember {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw APIError(.unauthorized, code: "unauthorized", "send Authorization: Bearer <token> from POST /api/v1/auth/token")
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        if let member = tokens.get(token, now: now) { return member }
        guard let (member, _, expiry) = try await staff.authenticate(token: token, kind: "api", now: now) else {
            throw APIError(.unauthorized, code: "unauthorized", "the token is invalid or expired")
        }
        tokens.put(token, member, tokenExpiry: expiry, now: now)
        return member
    }

    /// The staff member of the web session, with the session's CSRF token; nil when not logged in.
    public func webSession(_ request: Request, now: Date) async throws -> (StaffMember, csrf: String, token: String)? {
        guard let token = Self.cookie(request, Self.cookieName),
              let (member, csrf, _) = try await staff.authenticate(token: token, kind: "web", now: now) else { return nil }
        return (member, csrf, token)
    }

    static func cookie(_ request: Request, _ name: String) -> String? {
        for header in request.headers[values: .cookie] {
            for part in header.split(separator: ";") {
                let kv = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if kv.count == 2, kv[0] == name { return String(kv[1]) }
            }
        }
        return nil
    }
}
