import Foundation
import Hummingbird
import MotCuaCore
import MotCuaStore

/// Authentication of citizens: a session cookie of its own (`motcua_citizen`, never the staff
/// one) for the portal's pages, and bearer tokens from `POST /api/v1/citizen/token` for `/api/v1/me`.
/// Tokens live in their own table: a citizen token is worthless on the staff API and the reverse.
/// Failed logins are throttled like the staff's (per login name, address and pair).
public struct CitizenAuth: Sendable {
    public static let cookieName = "motcua_citizen"
    /// The double-submit cookie of the login and registration forms.
    public static let formCSRFCookie = "motcua_citizen_form"
    public static let sessionLifetime: TimeInterval = 8 * 3600
    public static let apiTokenLifetime: TimeInterval = 8 * 3600
    let citizens: CitizenRepository
    let hasher: PasswordHasher
    let throttle = SharedThrottle()
    let dummyHash: String

    init(citizens: CitizenRepository, hasher: PasswordHasher) {
        self.citizens = citizens
        self.hasher = hasher
        self.dummyHash = hasher.hash(StaffRepository.randomSecret())
    }

    /// Checks a password; nil for wrong credentials (or an account without a password, which logs
    /// in through its identity provider); throws 429 while throttled, 422 for over-long input.
    public func login(_ rawLogin: String, password: String, client: String, now: Date) async throws -> CitizenAccount? {
        let login = CitizenRules.loginKey(rawLogin)
        guard !login.isEmpty, TextRules.problem(login, maxLength: TextRules.Limit.email) == nil, password.utf8.count <= TextRules.Limit.password else {
            throw APIError(.unprocessableContent, code: "invalid_credentials_format", "login at most 254 printable characters, password at most 256 bytes")
        }
        try throttle.admit("citizen:" + login, client: client, now: now)
        let found = try await citizens.credentials(login: login)
        let verified = await hasher.verifyOffloaded(password, hash: found?.1 ?? dummyHash)
        guard let (account, hash) = found, hash != nil, verified, account.active else { return nil }
        throttle.succeeded("citizen:" + login, client: client)
        return account
    }

    /// The account of the request's citizen bearer token (401 without a valid one).
    public func requireAPI(_ request: Request, now: Date) async throws -> CitizenAccount {
        guard let token = StaffAuth.bearer(request) else {
            throw APIError(.unauthorized, code: "unauthorized", "send Authorization: Bearer <token> from POST /api/v1/citizen/token")
        }
        guard let (account, _) = try await citizens.authenticate(token: token, kind: .api, now: now) else {
            throw APIError(.unauthorized, code: "unauthorized", "the token is invalid, expired or revoked")
        }
        return account
    }

    /// The portal session of the request, nil when not logged in.
    func session(_ request: Request, now: Date) async throws -> CitizenSession? {
        guard let token = StaffAuth.cookie(request, Self.cookieName), !token.isEmpty, token.count <= 200,
              let (account, csrf) = try await citizens.authenticate(token: token, kind: .web, now: now) else { return nil }
        return CitizenSession(account: account, csrf: csrf, token: token)
    }
}

/// The logged-in citizen of a portal page.
struct CitizenSession {
    let account: CitizenAccount
    let csrf: String
    let token: String

    var layoutContext: [String: Any] {
        ["citizen": ["fullName": account.fullName, "verified": account.maySubmit, "eIdentified": account.eIdentification != nil] as [String: Any],
         "csrf": csrf]
    }

    /// The session, or a redirect to the portal login that comes back afterwards.
    static func require(_ request: Request, _ services: AppServices) async throws -> CitizenSession {
        guard let s = try await services.citizenAuth.session(request, now: services.now()) else {
            let back = request.method == .get ? request.uri.path + (request.uri.query.map { "?" + $0 } ?? "") : "/ho-so-cua-toi"
            throw DeskRedirect(location: "/dang-nhap?next=" + (back.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
        }
        return s
    }

    /// Where to go after logging in: a portal page, never another site or the staff desk.
    static func safeNext(_ next: String?) -> String {
        let portal = ["/ho-so-cua-toi", "/nop-truc-tuyen/", "/ho-so-nhap/", "/kho-du-lieu", "/ca-nhan"]
        guard let next, portal.contains(where: { next.hasPrefix($0) }), !next.contains("//"), !next.contains("\\"), next.count <= 1000,
              TextRules.problem(next, maxLength: 1000) == nil else { return "/ho-so-cua-toi" }
        return next
    }

    func checkCSRF(_ value: String?) throws {
        guard value == csrf else {
            throw APIError(.forbidden, code: "csrf_failed", "Phiên làm việc không hợp lệ, vui lòng tải lại trang và thử lại.")
        }
    }
}
