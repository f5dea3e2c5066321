import Foundation
import HTTPTypes
import Hummingbird
import MotCuaCore
import MotCuaStore

/// The portal's OpenID Connect login (authorization code with PKCE): `/dang-nhap/oidc` sends the
/// citizen to the identity provider with a fresh state, nonce and code challenge kept in a short
/// cookie (HttpOnly, SameSite=Lax so that it comes back on the provider's redirect, only for these
/// two paths); the callback checks the state, exchanges the code, checks the ID token's signature
/// (JWKS) and claims (issuer, audience, expiry, nonce), and logs the account in, marked
/// e-identified at the provider's assurance level.
enum OIDCLoginPages {
    static let cookieName = "motcua_oidc"

    static func register(_ routes: inout RouteRegistry, services: AppServices) {
        routes.get("/dang-nhap/oidc") { request, context in
            guard let client = services.oidc else { throw APIError.notFound("Chưa cấu hình đăng nhập bằng tài khoản định danh điện tử.") }
            let d: OIDCClient.Discovery
            do { d = try await client.discovery() } catch {
                services.logger.warning("oidc discovery failed", metadata: ["error": "\(error)"])
                return failure(services, "Không kết nối được với hệ thống định danh điện tử. Vui lòng thử lại sau.", status: .badGateway)
            }
            let (state, nonce, verifier) = (StaffRepository.randomSecret(), StaffRepository.randomSecret(), StaffRepository.randomSecret())
            let url = OpenIDConnect.authorizationURL(endpoint: d.authorization_endpoint, clientID: client.settings.clientID, redirectURI: redirectURI(services),
                                                     scopes: client.settings.scopes, state: state, nonce: nonce, codeChallenge: OIDCClient.challenge(verifier))
            let secure = services.security.isSecure(request, peer: context.remoteAddress)
            throw DeskRedirect(location: url, cookie: services.security.cookie(cookieName, "\(state).\(nonce).\(verifier)", path: "/dang-nhap/oidc", maxAge: 600,
                                                                           secure: secure, sameSite: "Lax"))
        }
        routes.get("/dang-nhap/oidc/callback") { request, context in
            guard let client = services.oidc else { throw APIError.notFound("Chưa cấu hình đăng nhập bằng tài khoản định danh điện tử.") }
            let parts = (StaffAuth.cookie(request, cookieName) ?? "").split(separator: ".").map(String.init)
            guard parts.count == 3, OpenIDConnect.stateMatches(request.query("state"), expected: parts[0]) else {
                return failure(services, "Phiên đăng nhập không hợp lệ hoặc đã hết hạn. Vui lòng đăng nhập lại.", status: .badRequest)
            }
            guard let code = request.query("code"), code.count <= 2048 else {
                return failure(services, "Hệ thống định danh điện tử không cho phép đăng nhập.", status: .badRequest)
            }
            let claims: IDTokenClaims
            do {
                let token = try await client.exchange(code: code, verifier: parts[2], redirectURI: redirectURI(services))
                claims = try await client.verify(token)
            } catch {
                services.logger.warning("oidc login refused", metadata: ["error": "\(error)"])
                return failure(services, "Không xác thực được tài khoản định danh điện tử.", status: .badRequest)
            }
            if let problem = OpenIDConnect.problem(claims, issuer: client.issuer, clientID: client.settings.clientID, nonce: parts[1], now: services.now()) {
                services.logger.warning("oidc id token refused", metadata: ["problem": "\(problem.rawValue)"])
                return failure(services, "Không xác thực được tài khoản định danh điện tử.", status: .badRequest)
            }
            let account = try await services.citizens.linkIdentity(issuer: client.issuer, subject: claims.sub, level: claims.acr ?? "1",
                                                                   claims: OpenIDConnect.registration(claims), now: services.now())
            let issued = try await services.citizens.issueToken(citizenID: account.id, kind: .web, lifetime: CitizenAuth.sessionLifetime, now: services.now())
            let secure = services.security.isSecure(request, peer: context.remoteAddress)
            // A page of our own, not a redirect: the session cookie is SameSite=Strict and would not
            // go with a redirect that the provider's site started.
            var response = services.pages.page("message", title: "Đăng nhập thành công", [
                "heading": "Đăng nhập thành công", "refresh": "/ho-so-cua-toi",
                "text": "Ông/Bà đã đăng nhập bằng tài khoản \(client.settings.name) (mức \(claims.acr ?? "1")).",
                "link": ["href": "/ho-so-cua-toi", "label": "Tiếp tục"],
            ])
            response.headers.append(HTTPField(name: .setCookie, value: services.security.cookie(CitizenAuth.cookieName, issued.token,
                                                                                                maxAge: Int(CitizenAuth.sessionLifetime), secure: secure)))
            response.headers.append(HTTPField(name: .setCookie, value: services.security.cookie(cookieName, "", path: "/dang-nhap/oidc", maxAge: 0, secure: secure,
                                                                                                sameSite: "Lax")))
            return response
        }
    }

    static func redirectURI(_ services: AppServices) -> String { services.portal.publicBaseURL + "/dang-nhap/oidc/callback" }

    static func failure(_ services: AppServices, _ text: String, status: HTTPResponse.Status) -> Response {
        services.pages.page("message", title: "Không đăng nhập được", ["heading": "Không đăng nhập được", "text": text,
                                                                       "link": ["href": "/dang-nhap", "label": "Quay lại trang đăng nhập"]], status: status)
    }
}
