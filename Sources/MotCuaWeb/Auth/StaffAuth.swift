import Foundation
import Hummingbird
import HummingbirdBcrypt
import MotCuaCore
import MotCuaStore
import NIOPosix
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

/// Authentication of staff: bearer tokens for the API, the session cookie for pages.
///
/// Nothing about a token is cached: every request reads the token and its account in one query, so
/// a logout, a deactivation or a password change (which delete the account's tokens) takes effect on
/// every node at once.
public struct StaffAuth: Sendable {
    public static let cookieName = "motcua_session"
    /// The double-submit cookie that protects the login form against cross-site posts.
    public static let loginCSRFCookie = "motcua_login_csrf"
    public static let apiTokenLifetime: TimeInterval = 12 * 3600
    let staff: StaffRepository
    let hasher: PasswordHasher
    let throttle = SharedThrottle()
    /// A bcrypt hash of a random password: unknown usernames are checked against it, so that they
    /// take as long to refuse as real ones.
    let dummyHash: String

    init(staff: StaffRepository, hasher: PasswordHasher) {
        self.staff = staff
        self.hasher = hasher
        self.dummyHash = hasher.hash(StaffRepository.randomSecret())
    }

    /// Checks a password; returns the account, nil for wrong credentials; throws 429 (with
    /// `Retry-After`) while the username or the address must wait, and 422 for an over-long username.
    public func login(username rawUsername: String, password: String, client: String, now: Date) async throws -> StaffMember? {
        let username = TextRules.normalized(rawUsername)
        guard TextRules.problem(username, maxLength: TextRules.Limit.username) == nil, password.utf8.count <= TextRules.Limit.password else {
            throw APIError(.unprocessableContent, code: "invalid_credentials_format",
                           "username at most \(TextRules.Limit.username) printable characters, password at most \(TextRules.Limit.password) bytes")
        }
        try throttle.admit(username, client: client, now: now)
        let found = try await staff.credentials(username: username)
        let verified = await hasher.verifyOffloaded(password, hash: found?.1 ?? dummyHash)
        guard let (member, _) = found, verified, member.active else { return nil }  // the failure is already counted
        throttle.succeeded(username, client: client)
        return member
    }

    /// The bearer token of the request, if any.
    static func bearer(_ request: Request) -> String? {
        guard let header = request.headers[.authorization], header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        return token.isEmpty || token.count > 200 ? nil : token
    }

    /// The staff member behind the request's bearer token (401 without a valid one).
    public func requireAPI(_ request: Request, now: Date) async throws -> StaffMember {
        guard let token = Self.bearer(request) else {
            throw APIError(.unauthorized, code: "unauthorized", "send Authorization: Bearer <token> from POST /api/v1/auth/token")
        }
        guard let (member, _, _) = try await staff.authenticate(token: token, kind: .api, now: now) else {
            throw APIError(.unauthorized, code: "unauthorized", "the token is invalid, expired or revoked")
        }
        return member
    }

    /// The staff member of the web session, with the session's CSRF token; nil when not logged in.
    public func webSession(_ request: Request, now: Date) async throws -> (StaffMember, csrf: String, token: String)? {
        guard let token = Self.cookie(request, Self.cookieName), !token.isEmpty, token.count <= 200,
              let (member, csrf, _) = try await staff.authenticate(token: token, kind: .web, now: now) else { return nil }
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

/// The node's login throttle, shared by every request.
final class SharedThrottle: Sendable {
    let state = Mutex(LoginThrottle())

    /// Counts an attempt for `key` from `client` before it is checked; throws 429 (with
    /// `Retry-After`) while the key or the address must wait.
    func admit(_ key: String, client: String, now: Date, what: String = "failed logins") throws {
        if case .wait(let seconds) = state.withLock({ $0.attempt(username: key, address: client, now: now) }) {
            var e = APIError(.tooManyRequests, code: "too_many_attempts", "too many \(what); try again in \(seconds) seconds")
            e.headers[.retryAfter] = String(seconds)
            throw e
        }
    }

    /// Forgets the failures of `key` from `client` after a success.
    func succeeded(_ key: String, client: String) { state.withLock { $0.recordSuccess(username: key, address: client) } }
}
