import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
import Logging
import MotCuaCore
import NIOCore
import Synchronization

/// A small OpenID Connect provider that the tests start on a loopback port: discovery, JWKS,
/// authorize (approves at once, as if the citizen had logged in at VNeID) and token (checks the
/// client secret, the redirect URI and the PKCE verifier, answers an RS256-signed ID token).
/// `mode` makes it misbehave: a forged signature, another nonce, another audience.
final class TestIdentityProvider: Sendable {
    enum Mode: Sendable { case honest, forgedSignature, wrongNonce, wrongAudience }
    static let clientID = "motcua-portal", clientSecret = "bi-mat-cua-cong-dich-vu-cong"
    // A 2048-bit key made for these tests only.
    static let privateKeyPEM = """
-----BEGIN RSA PRIVATE KEY-----
MIIEpAIBAAKCAQEAvfJcMs8nZI/M3i7c8UdeQxxwPRz3ua9R37ZjgTSrN5jyBv/p
yUJXxod7yNdPJa+cuQavfsYBy5kbek1RHXGM/L+6S2KxAsRnd3p+T+u8jrwM1JxW
BTDUskdbxQa+Mlq0svha3jD4EvRunsNTFAHP1ZAwjf66XphJtmqD+JGbQGDO7Npj
ogLH+bxiJCf+/UWzewaDKVGMQV2wBkDqyB89fiHCiFByWAbM04JKXTJT32FgBmTe
md6rTbIDiOa+aRg5T6nmSdvEk7zWG/CRf+SYgh1pT9wbFOIwGsUgcotH1jZDZbU8
vGF1gfkIKyFgOJKLmtUb5OHp+Ie++FfY63eV/wIDAQABAoIBADlgvdMnWnn5KmSv
eVR1P5c8PvdnCboQqMXQXayJEXOBAxN0ONXv8X3qLU1VJPZ4XvpRd6/u9lnfTTqb
onYnd/RdolPlYx034R1pZkCUMGhZi/Kpqx50Srvz7FfPGqMxXUZ22VQnLLjlF4lj
7XOsvHCB1vj9yqSKkjHFaUosCd7fGNQfK4ngjTJgAkVQimdGSsKtjtUWUVM547oj
8sv0K4UhbfEXXnT5UNHZf03XQvgPTud0KK09suzzscqGYyTGseGO5neLVNQp3PGQ
fv0TOkd8XNtjRvSit62krscyvjfASmvmtEP+ln4TihchByTL/oq0JtvuN82oPKH4
/VnmZikCgYEA/6LB41k5sTTZU4nfC4xTBxJbOTQTczJdDyk4nbcINbG8aH3WMiaG
HZEaFHdloMNbUMjf0UCX0yVA+oKXs3a6zrg1PP0Zgof+h0WsAHRPJaPLMW1m9r5C
AUBaE/FIEQqCXgHp02ENUF3foPBLhFlu+5G0AvjtdLweZNfCQtmPtyUCgYEAvjek
kFt1AkzEEL69mDAQF3RDqgdiF9lVwWKXMTOAHdrxuDMXMLXRdLRduKdzYs1fSR+p
IO81sgPqaUuDt04nLJiOxOpNiSKv+o7433Cm0t+u/t+6NA0NFgHxv412gccUZlZ5
SHNbWruCxyHdFXuNtf4nlOEuo5vr1mt2Dj3S0VMCgYAF29cRvNPDqfBpJ7nC6/5j
JRqOHxFrDHZxiIJRqwY3JNGqm2ezUoq0VsUAPxRHMPMA0PnAM/jG0A3DMAcGB+yU
HEisEyjogvFkbEZa5E+ED1Ly2Q0JDqc4nB70Yg1CxrjiKq0POSQy+VPMvnUcnWgb
v+UeRFI84KrZqNA88/uFOQKBgQCEz1jpKdISnwKuJl8+KSCzH4w25RzKRgaoFWw3
ABxNvBbVY2anrermryBY0yGvNHF5Hs/5nMtC1ZUPm5gFnl2ft4zHVEh6nWt9Z+HA
MGlqBp+qeQ8LVKl0WjsuYVkC17sYkPvxaAm62f0/iBdS7odNMHz2aBsmRLFvbmxp
GSVe3QKBgQC8o3j2jUNLIge10akTaFs+GPzQQCpqBzdirSZcF97OAY2tUUj4zYD/
8MbH0RHQOzjXJ9LQySc3BQB3tZu+M0163xM9LDEHnVnHXKGNx4NPcwoykJIzPMYq
KJvBkdA8H3F3Y/lFfthekGHXaVhneLcwEqbbJ0k9ecEOrns7ubr7gA==
-----END RSA PRIVATE KEY-----
"""
    struct Grant: Sendable { let nonce: String; let challenge: String; let redirectURI: String }
    let grants = Mutex<[String: Grant]>([:])
    let mode = Mutex<Mode>(.honest)
    let subject = Mutex("vneid-0001")
    let tokenCalls = Mutex(0)

    struct Claims: JWTPayload {
        let iss: String, sub: String, aud: String, exp: Int, iat: Int, nonce: String, name: String, email: String, citizen_id: String, acr: String
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// Runs `body` with the provider serving at its issuer URL.
    func run(_ body: @Sendable (String) async throws -> Void) async throws {
        let router = Router()
        let issuerBox = Mutex("")
        router.get("/.well-known/openid-configuration") { _, _ -> Response in
            let i = issuerBox.withLock { $0 }
            let json = #"{"issuer":"\#(i)","authorization_endpoint":"\#(i)/authorize","token_endpoint":"\#(i)/token","jwks_uri":"\#(i)/jwks","response_types_supported":["code"],"code_challenge_methods_supported":["S256"]}"#
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
        }
        router.get("/jwks") { _, _ -> Response in
            let key = try Insecure.RSA.PrivateKey(pem: Self.privateKeyPEM)
            let (n, e) = try key.publicKey.getKeyPrimitives()
            let json = #"{"keys":[{"kty":"RSA","kid":"k1","use":"sig","alg":"RS256","n":"\#(OpenIDConnect.base64URL(Array(n)))","e":"\#(OpenIDConnect.base64URL(Array(e)))"}]}"#
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
        }
        router.get("/authorize") { request, _ -> Response in
            let q = request.uri.queryParameters
            guard q["response_type"] == "code", q["client_id"].map(String.init) == Self.clientID, q["code_challenge_method"] == "S256",
                  let redirect = q["redirect_uri"].map(String.init), let state = q["state"].map(String.init), let nonce = q["nonce"].map(String.init),
                  let challenge = q["code_challenge"].map(String.init), q["scope"]?.contains("openid") == true else {
                return Response(status: .badRequest)
            }
            let code = UUID().uuidString
            self.grants.withLock { $0[code] = Grant(nonce: nonce, challenge: challenge, redirectURI: redirect) }
            return Response(status: .found, headers: [.location: "\(redirect)?code=\(code)&state=\(state)"])
        }
        router.post("/token") { request, context -> Response in
            self.tokenCalls.withLock { $0 += 1 }
            let body = String(buffer: try await request.body.collect(upTo: 65536))
            var form: [String: String] = [:]
            for pair in body.split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? "" }
                if kv.count == 2 { form[kv[0]] = kv[1] }
            }
            guard form["grant_type"] == "authorization_code", form["client_id"] == Self.clientID, form["client_secret"] == Self.clientSecret,
                  let code = form["code"], let grant = self.grants.withLock({ $0.removeValue(forKey: code) }), form["redirect_uri"] == grant.redirectURI,
                  let verifier = form["code_verifier"],
                  OpenIDConnect.base64URL(Array(SHA256.hash(data: Data(verifier.utf8)))) == grant.challenge else {
                return Response(status: .badRequest, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"error":"invalid_grant"}"#)))
            }
            let mode = self.mode.withLock { $0 }
            let now = Int(Date().timeIntervalSince1970)
            let claims = Claims(iss: issuerBox.withLock { $0 }, sub: self.subject.withLock { $0 }, aud: mode == .wrongAudience ? "another-client" : Self.clientID,
                                exp: now + 300, iat: now, nonce: mode == .wrongNonce ? "another-nonce" : grant.nonce, name: "Phạm Thị Định Danh",
                                email: "dinh.danh@example.vn", citizen_id: "079190001122", acr: "2")
            let keys = JWTKeyCollection()
            await keys.add(rsa: try Insecure.RSA.PrivateKey(pem: Self.privateKeyPEM), digestAlgorithm: .sha256, kid: "k1")
            var token = try await keys.sign(claims, kid: "k1")
            if mode == .forgedSignature { token = String(token.dropLast(6)) + (token.hasSuffix("AAAAAA") ? "BBBBBB" : "AAAAAA") }
            let json = #"{"access_token":"at","token_type":"Bearer","id_token":"\#(token)"}"#
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
        }
        var logger = Logger(label: "idp")
        logger.logLevel = .warning
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
        try await app.test(.live) { client in
            let issuer = "http://127.0.0.1:\(client.port ?? 0)"
            issuerBox.withLock { $0 = issuer }
            try await body(issuer)
        }
    }
}
