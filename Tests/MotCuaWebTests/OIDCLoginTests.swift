import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MotCuaCore
import MotCuaStore
import MotCuaTestSupport
import MotCuaWeb
import NIOCore
import Testing

/// OpenID Connect login against a provider the test starts (a real protocol exchange over
/// loopback: discovery, authorize with state, nonce and PKCE, the token call, the ID token's RS256
/// signature checked with the provider's JWKS): the account is marked e-identified at the
/// provider's level; a forged signature, another nonce or audience, a wrong state and a replayed
/// code log nobody in.
struct OIDCLoginTests {
    /// One login attempt: returns the callback's status, the citizen cookie if any, and the page.
    static func login(_ app: DemoApp, _ http: HTTPClient, state override: String? = nil) async throws -> (HTTPResponse.Status, String?, String, String) {
        let (location, cookie) = try await app.client.execute(uri: "/dang-nhap/oidc", method: .get) { r -> (String, String) in
            #expect(r.status == .seeOther)
            let setCookie = r.headers[.setCookie] ?? ""
            #expect(setCookie.contains("SameSite=Lax") && setCookie.contains("HttpOnly") && setCookie.contains("Path=/dang-nhap/oidc"))
            return (r.headers[.location] ?? "", String(setCookie.split(separator: ";").first ?? ""))
        }
        #expect(location.contains("code_challenge_method=S256") && location.contains("nonce=") && location.contains("client_id=motcua-portal"))
        let response = try await http.execute(HTTPClientRequest(url: location), timeout: .seconds(10))
        #expect(response.status == .found)
        let back = try #require(response.headers.first(name: "Location"))
        var callback = String(back.dropFirst("http://127.0.0.1:8080".count))
        if let override { callback = callback.replacing(/state=[^&]+/, with: "state=\(override)") }
        return try await app.client.execute(uri: callback, method: .get, headers: [.cookie: cookie]) { r in
            let citizen = r.headers[values: .setCookie].first { $0.hasPrefix("motcua_citizen=") }.map { String($0.split(separator: ";")[0]) }
            return (r.status, citizen, r.text, callback)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func loginThroughTheProviderMarksTheAccountEIdentified(kind: DatabaseKind) async throws {
        let provider = TestIdentityProvider()
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        do {
            try await Self.flow(kind, provider, http)
        } catch {
            try await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    static func flow(_ kind: DatabaseKind, _ provider: TestIdentityProvider, _ http: HTTPClient) async throws {
        try await provider.run { issuer in
            var portal = PortalSettings()
            portal.oidc.issuer = issuer
            portal.oidc.clientID = TestIdentityProvider.clientID
            portal.oidc.clientSecret = TestIdentityProvider.clientSecret
            // The provider signs with the real clock.
            try await DemoApp.run(kind, start: ISO8601DateFormatter().string(from: Date()), portal: portal) { app in
                try await app.client.execute(uri: "/dang-nhap", method: .get) { #expect($0.text.contains("Đăng nhập bằng tài khoản VNeID")) }
                let (status, cookie, page, callback) = try await Self.login(app, http)
                #expect(status == .ok && page.contains("Đăng nhập thành công") && page.contains("http-equiv=\"refresh\""))
                let session = try #require(cookie)
                try await app.client.execute(uri: "/ca-nhan", method: .get, headers: [.cookie: session]) { r in
                    #expect(r.status == .ok && r.text.contains("Đã xác thực điện tử (mức 2)") && r.text.contains("079190001122"))
                }
                // The code works once.
                let (replayed, noCookie, _) = try await app.client.execute(uri: callback, method: .get) { ($0.status, $0.headers[.setCookie], $0.text) }
                #expect(replayed == .badRequest && noCookie == nil)
                // The same subject again is the same account.
                let (again, _, _, _) = try await Self.login(app, http)
                #expect(again == .ok)
                let accounts = try await app.database.read { db in try await db.select().column("id").from("citizens").all().count }
                #expect(accounts == 1)
                // A wrong state, a forged signature, another nonce or audience: nobody is logged in.
                let (wrongState, c1, _, _) = try await Self.login(app, http, state: "khong-dung")
                #expect(wrongState == .badRequest && c1 == nil)
                for mode in [TestIdentityProvider.Mode.forgedSignature, .wrongNonce, .wrongAudience] {
                    provider.mode.withLock { $0 = mode }
                    provider.subject.withLock { $0 = "vneid-\(mode)" }
                    let (s, c, p, _) = try await Self.login(app, http)
                    #expect(s == .badRequest && c == nil && p.contains("Không xác thực được"), "\(mode)")
                }
                #expect(try await app.database.read { db in try await db.select().column("id").from("citizens").all().count } == 1)
            }
        }
    }

    @Test func idTokenClaimRules() {
        let now = Date(timeIntervalSince1970: 1_796_000_000)
        let good = IDTokenClaims(iss: "https://sso.vneid.gov.vn", sub: "s1", aud: ["motcua"], exp: now.addingTimeInterval(60), iat: now, nonce: "n1",
                                 name: "Phạm Thị Định Danh", email: "A@B.VN", emailVerified: true, citizenID: "079190001122", acr: "2")
        let check = { (c: IDTokenClaims) in OpenIDConnect.problem(c, issuer: "https://sso.vneid.gov.vn", clientID: "motcua", nonce: "n1", now: now) }
        #expect(check(good) == nil)
        var c = good; c.iss = "https://evil"; #expect(check(c) == .wrongIssuer)
        c = good; c.aud = ["other"]; #expect(check(c) == .wrongAudience)
        c = good; c.exp = now.addingTimeInterval(-301); #expect(check(c) == .expired)
        c = good; c.iat = now.addingTimeInterval(400); #expect(check(c) == .issuedInTheFuture)
        c = good; c.nonce = nil; #expect(check(c) == .nonceMismatch)
        let r = OpenIDConnect.registration(good)
        #expect(r.idNumber == "079190001122" && r.email == "a@b.vn" && r.fullName == "Phạm Thị Định Danh")
        c = good; c.citizenID = "123"; c.emailVerified = false
        #expect(OpenIDConnect.registration(c).idNumber == "" && OpenIDConnect.registration(c).email == nil)
        let url = OpenIDConnect.authorizationURL(endpoint: "https://idp/authorize", clientID: "c", redirectURI: "https://p/cb", scopes: ["openid", "profile"],
                                                 state: "s", nonce: "n", codeChallenge: "x")
        #expect(url == "https://idp/authorize?response_type=code&client_id=c&redirect_uri=https%3A%2F%2Fp%2Fcb&scope=openid%20profile&state=s&nonce=n&code_challenge=x&code_challenge_method=S256")
    }
}
