import Foundation

/// A citizen's or an organisation's account on the public portal (người dân, doanh nghiệp): the
/// owner of the dossiers it submits online. Separate from staff accounts (other table, other
/// cookie, other tokens, no staff rights).
public struct CitizenAccount: Hashable, Sendable, Codable {
    public var id: String
    public var kind: Applicant.Kind
    public var fullName: String
    /// 12-digit citizen ID (số định danh cá nhân) or an organisation's tax code (mã số thuế).
    public var idNumber: String
    public var email: String?
    public var phone: String?
    public var address: String?
    public var emailVerified: Bool
    /// The phone number was confirmed with a code sent by SMS.
    public var phoneVerified: Bool = false
    /// The identity provider's assurance level when the account logged in through one (VNeID or a
    /// provincial SSO, over OpenID Connect); nil: not e-identified.
    public var eIdentification: String?
    public var active: Bool

    public init(id: String, kind: Applicant.Kind, fullName: String, idNumber: String, email: String?, phone: String?, address: String?,
                emailVerified: Bool, eIdentification: String?, active: Bool) {
        self.id = id
        self.kind = kind
        self.fullName = fullName
        self.idNumber = idNumber
        self.email = email
        self.phone = phone
        self.address = address
        self.emailVerified = emailVerified
        self.eIdentification = eIdentification
        self.active = active
    }

    /// The applicant data an online form starts from (the profile).
    public var applicant: Applicant {
        Applicant(kind: kind, name: fullName, idNumber: idNumber, address: address, phone: phone, email: email)
    }

    /// May submit: e-mail or phone confirmed (or e-identified by a provider) and active.
    public var maySubmit: Bool { active && (emailVerified || phoneVerified || eIdentification != nil) }
}

/// What a person types to register (đăng ký tài khoản).
public struct CitizenRegistration: Hashable, Sendable, Codable {
    public var kind: Applicant.Kind
    public var fullName: String
    public var idNumber: String
    public var email: String?
    public var phone: String?
    public var password: String

    public init(kind: Applicant.Kind, fullName: String, idNumber: String, email: String?, phone: String?, password: String) {
        self.kind = kind
        self.fullName = fullName
        self.idNumber = idNumber
        self.email = email
        self.phone = phone
        self.password = password
    }
}

/// A problem with a field, as a stable code (the web layer says it in Vietnamese).
public struct FieldProblem: Hashable, Sendable, Codable {
    public var field: String
    public var code: String
    public init(_ field: String, _ code: String) {
        self.field = field
        self.code = code
    }
}

/// Rules of citizen accounts (pure).
public enum CitizenRules {
    /// Passwords: 10 to 256 bytes, not only digits, not the ID number or the e-mail.
    public static let minPasswordLength = 10

    /// The registration with every text in NFC, names trimmed, e-mail lower-cased, phone without spaces.
    public static func normalized(_ r: CitizenRegistration) -> CitizenRegistration {
        var out = r
        out.fullName = TextRules.normalized(r.fullName).trimmed
        out.idNumber = TextRules.normalized(r.idNumber).trimmed
        out.email = r.email.map { TextRules.normalized($0).trimmed.lowercased() }.flatMap { $0.isEmpty ? nil : $0 }
        // One spelling of a phone number (0…), the one a login by phone looks up.
        out.phone = r.phone.map(loginKey).flatMap { $0.isEmpty ? nil : $0 }
        return out
    }

    /// Every problem of a (normalised) registration; empty when it may be stored.
    public static func problems(_ r: CitizenRegistration) -> [FieldProblem] {
        var out: [FieldProblem] = []
        typealias L = TextRules.Limit
        for (field, value, limit) in [("fullName", r.fullName, L.personName), ("idNumber", r.idNumber, L.idNumber),
                                      ("email", r.email ?? "", L.email), ("phone", r.phone ?? "", L.phone)] {
            if let p = TextRules.problem(value, maxLength: limit) { out.append(FieldProblem(field, p.rawValue)) }
        }
        if r.fullName.count < 2 { out.append(FieldProblem("fullName", "required")) }
        switch r.kind {
        case .person: if !Intake.isCitizenID(r.idNumber) { out.append(FieldProblem("idNumber", "invalid_citizen_id")) }
        case .organisation: if !isTaxCode(r.idNumber) { out.append(FieldProblem("idNumber", "invalid_tax_code")) }
        }
        if r.email == nil && r.phone == nil { out.append(FieldProblem("email", "email_or_phone_required")) }
        if let e = r.email, !Intake.isEmail(e) { out.append(FieldProblem("email", "invalid_email")) }
        if let p = r.phone, !Intake.isPhone(p) { out.append(FieldProblem("phone", "invalid_phone")) }
        if let p = passwordProblem(r.password, idNumber: r.idNumber, email: r.email) { out.append(FieldProblem("password", p)) }
        return out
    }

    /// Why a password is refused, or nil.
    public static func passwordProblem(_ password: String, idNumber: String, email: String?) -> String? {
        if password.utf8.count > TextRules.Limit.password { return "password_too_long" }
        if password.count < minPasswordLength { return "password_too_short" }
        if password.allSatisfy(\.isNumber) { return "password_only_digits" }
        let lower = password.lowercased()
        if lower.contains(idNumber.lowercased()) && !idNumber.isEmpty { return "password_contains_id" }
        if let e = email, let local = e.split(separator: "@").first, local.count >= 4, lower.contains(local) { return "password_contains_email" }
        return nil
    }

    /// A tax code (mã số thuế): 10 digits, or 10 digits, a dash and 3 digits (a branch).
    public static func isTaxCode(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard let head = parts.first, head.count == 10, head.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        if parts.count == 1 { return true }
        return parts.count == 2 && parts[1].count == 3 && parts[1].allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// The login name: an e-mail (lower-cased) or a phone number in its 0… form.
    public static func loginKey(_ s: String) -> String {
        let t = TextRules.normalized(s).trimmed.lowercased()
        if t.contains("@") { return t }
        var digits = t.filter { $0 != " " && $0 != "." && $0 != "-" }
        if digits.hasPrefix("+84") { digits = "0" + digits.dropFirst(3) }
        return digits
    }
}
