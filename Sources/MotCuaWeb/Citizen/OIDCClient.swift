import AsyncHTTPClient
import Crypto
import Foundation
import JWTKit
import MotCuaCore
import NIOCore
import NIOHTTP1
import Synchronization

/// The identity provider of the portal's OpenID Connect login (VNeID, a provincial SSO).
public struct OIDCSettings: Sendable, Equatable {
    /// The issuer URL; nil: no OpenID Connect login.
    public var issuer: String? = nil
    public var clientID = ""
    public var clientSecret = ""
    public var scopes = ["openid", "profile", "email"]
    /// The provider's name on the login button.
    public var name = "VNeID"

    public init() {}
}

/// The back-channel of the OpenID Connect login: discovery, the token exchange (client secret and
/// PKCE verifier), and the ID token's signature checked with the provider's JWKS (jwt-kit; fetched
/// again once when a token names an unknown key, so that key rotation works). HTTP calls go
/// through async-http-client.
final class OIDCClient: Sendable {
    struct Discovery: Decodable, Sendable {
        let issuer: String
        let authorization_endpoint: String
        let token_endpoint: String
        let jwks_uri: String
    }

    /// The ID token as jwt-kit decodes it after the signature check; the claims' rules are the core's.
    struct IDToken: JWTPayload {
        let iss: String
        let sub: String
        let aud: [String]
        let exp: Double
        let iat: Double
        let nonce: String?
        let name: String?
        let email: String?
        let email_verified: Bool?
        let citizen_id: String?
        let acr: String?

        enum CodingKeys: String, CodingKey { case iss, sub, aud, exp, iat, nonce, name, email, email_verified, citizen_id, acr }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            iss = try c.decode(String.self, forKey: .iss)
            sub = try c.decode(String.self, forKey: .sub)
            if let many = try? c.decode([String].self, forKey: .aud) { aud = many } else { aud = [try c.decode(String.self, forKey: .aud)] }
            exp = try c.decode(Double.self, forKey: .exp)
            iat = try c.decode(Double.self, forKey: .iat)
            nonce = try c.decodeIfPresent(String.self, forKey: .nonce)
            name = try c.decodeIfPresent(String.self, forKey: .name)
            email = try c.decodeIfPresent(String.self, forKey: .email)
            email_verified = try c.decodeIfPresent(Bool.self, forKey: .email_verified)
            citizen_id = try c.decodeIfPresent(String.self, forKey: .citizen_id)
            acr = try c.decodeIfPresent(String.self, forKey: .acr)
        }

        func verify(using algorithm: some JWTAlgorithm) async throws {}

        var claims: IDTokenClaims {
            IDTokenClaims(iss: iss, sub: sub, aud: aud, exp: Date(timeIntervalSince1970: exp), iat: Date(timeIntervalSince1970: iat), nonce: nonce, name: name,
                          email: email, emailVerified: email_verified, citizenID: citizen_id, acr: acr)
        }
    }

    /// Why the back-channel failed.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let settings: OIDCSettings
    let issuer: String
    private let cached = Mutex<(Discovery?, String?)>((nil, nil))

    init?(settings: OIDCSettings) {
        guard let issuer = settings.issuer else { return nil }
        self.settings = settings
        self.issuer = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
    }

    func get(_ url: String) async throws -> ByteBuffer {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        guard response.status == .ok else { throw Failure(description: "GET \(url): \(response.status.code)") }
        return try await response.body.collect(upTo: 1 << 20)
    }

    func discovery() async throws -> Discovery {
        if let d = cached.withLock({ $0.0 }) { return d }
        let d = try JSONDecoder().decode(Discovery.self, from: Data(buffer: try await get(issuer + "/.well-known/openid-configuration")))
        guard d.issuer == issuer || d.issuer == issuer + "/" else { throw Failure(description: "the discovery document names issuer \(d.issuer)") }
        cached.withLock { $0.0 = d }
        return d
    }

    /// Exchanges the authorization code for the ID token (client_secret_post, PKCE verifier).
    func exchange(code: String, verifier: String, redirectURI: String) async throws -> String {
        let d = try await discovery()
        var request = HTTPClientRequest(url: d.token_endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: OpenIDConnect.formEncoded([
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("client_id", settings.clientID),
            ("client_secret", settings.clientSecret), ("code_verifier", verifier),
        ])))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else { throw Failure(description: "token endpoint answered \(response.status.code)") }
        struct Tokens: Decodable { let id_token: String }
        return try JSONDecoder().decode(Tokens.self, from: Data(buffer: body)).id_token
    }

    /// The claims of a validly signed ID token (RS256/ES256 keys of the provider's JWKS).
    func verify(_ idToken: String) async throws -> IDTokenClaims {
        for attempt in 0..<2 {
            let jwks: String
            if attempt == 0, let known = cached.withLock({ $0.1 }) { jwks = known } else {
                jwks = String(buffer: try await get(try await discovery().jwks_uri))
                cached.withLock { $0.1 = jwks }
            }
            let keys = JWTKeyCollection()
            try await keys.add(jwksJSON: jwks)
            do { return try await keys.verify(idToken, as: IDToken.self).claims } catch where attempt == 0 { continue }
        }
        throw Failure(description: "the ID token's signature does not verify")
    }

    /// The S256 PKCE challenge of a verifier.
    static func challenge(_ verifier: String) -> String { OpenIDConnect.base64URL(Array(SHA256.hash(data: Data(verifier.utf8)))) }
}
