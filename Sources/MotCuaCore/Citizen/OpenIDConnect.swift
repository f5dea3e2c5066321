import Foundation

/// The claims of an OpenID Connect ID token that MotCua uses (OpenID Connect Core 1.0 §2), with
/// the identity provider's name for the citizen ID and the assurance level.
public struct IDTokenClaims: Hashable, Sendable, Codable {
    public var iss: String
    public var sub: String
    public var aud: [String]
    public var exp: Date
    public var iat: Date
    public var nonce: String?
    public var name: String?
    public var email: String?
    public var emailVerified: Bool?
    /// The 12-digit citizen ID, if the provider gives it (VNeID does).
    public var citizenID: String?
    /// The assurance level (`acr`), e.g. VNeID level 1 or 2.
    public var acr: String?

    public init(iss: String, sub: String, aud: [String], exp: Date, iat: Date, nonce: String?, name: String?, email: String?, emailVerified: Bool?,
                citizenID: String?, acr: String?) {
        self.iss = iss
        self.sub = sub
        self.aud = aud
        self.exp = exp
        self.iat = iat
        self.nonce = nonce
        self.name = name
        self.email = email
        self.emailVerified = emailVerified
        self.citizenID = citizenID
        self.acr = acr
    }
}

/// The rules of an OpenID Connect login (authorization code flow with PKCE), pure: the shell does
/// the HTTP, the randomness, the hashing and the signature check.
public enum OpenIDConnect {
    /// Why a login is refused (stable codes).
    public enum Problem: String, Error, Sendable {
        case stateMismatch = "state_mismatch"
        case wrongIssuer = "wrong_issuer"
        case wrongAudience = "wrong_audience"
        case expired = "token_expired"
        case issuedInTheFuture = "token_from_the_future"
        case nonceMismatch = "nonce_mismatch"
        case noSubject = "no_subject"
    }

    /// Clock skew tolerated between the provider and us.
    public static let skew: TimeInterval = 300

    /// The authorization request URL (RFC 6749 §4.1.1 with RFC 7636's S256 challenge).
    public static func authorizationURL(endpoint: String, clientID: String, redirectURI: String, scopes: [String], state: String, nonce: String,
                                        codeChallenge: String) -> String {
        let query = [("response_type", "code"), ("client_id", clientID), ("redirect_uri", redirectURI), ("scope", scopes.joined(separator: " ")),
                     ("state", state), ("nonce", nonce), ("code_challenge", codeChallenge), ("code_challenge_method", "S256")]
        return endpoint + (endpoint.contains("?") ? "&" : "?") + formEncoded(query)
    }

    /// `application/x-www-form-urlencoded` of the pairs (RFC 3986 unreserved characters kept).
    public static func formEncoded(_ pairs: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return pairs.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
    }

    /// Base64url without padding (PKCE, state and nonce values).
    public static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Whether the callback's state is the one sent (constant time).
    public static func stateMatches(_ returned: String?, expected: String) -> Bool {
        guard let r = returned, !expected.isEmpty else { return false }
        return Secrets.equal(r, expected)
    }

    /// The first problem of a signature-checked ID token's claims (OpenID Connect Core §3.1.3.7).
    public static func problem(_ c: IDTokenClaims, issuer: String, clientID: String, nonce: String, now: Date) -> Problem? {
        if c.iss != issuer { return .wrongIssuer }
        if !c.aud.contains(clientID) { return .wrongAudience }
        if c.exp.addingTimeInterval(skew) < now { return .expired }
        if c.iat.addingTimeInterval(-skew) > now { return .issuedInTheFuture }
        guard let n = c.nonce, Secrets.equal(n, nonce) else { return .nonceMismatch }
        if c.sub.isEmpty || c.sub.count > 255 { return .noSubject }
        return nil
    }

    /// The account data the claims give: a person with the provider's citizen ID when it is a
    /// valid one (else the subject is kept and the profile asks for it later).
    public static func registration(_ c: IDTokenClaims) -> CitizenRegistration {
        let id = c.citizenID.flatMap { Intake.isCitizenID($0) ? $0 : nil } ?? ""
        let email = c.emailVerified == false ? nil : c.email.map { $0.lowercased() }.flatMap { Intake.isEmail($0) ? $0 : nil }
        return CitizenRegistration(kind: .person, fullName: TextRules.normalized(c.name ?? "Công dân").trimmed, idNumber: id, email: email, phone: nil,
                                   password: "")
    }
}
