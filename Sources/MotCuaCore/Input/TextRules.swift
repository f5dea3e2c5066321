import Foundation

/// Rules for text that comes from outside (API bodies, forms, query strings, files' names): it is
/// normalised to Unicode NFC on the way in, so "Nguyễn" typed with combining marks (NFD) and the
/// precomposed one are one spelling; control characters and bidirectional overrides are refused,
/// since they hide or reorder what an officer reads on a page or a printed form.
public enum TextRules {
    /// Why a text is refused (stable codes for the API; the web layer says them in Vietnamese).
    public enum Problem: String, Sendable, Hashable {
        case tooLong = "too_long"
        case controlCharacter = "control_character"
        case bidiOverride = "bidi_override"
    }

    /// Maximum lengths, in characters, of the texts the system stores.
    public enum Limit {
        public static let personName = 200
        public static let address = 500
        public static let idNumber = 20
        public static let phone = 20
        public static let email = 254
        public static let note = 4_000
        public static let component = 500
        public static let resultNumber = 100
        public static let fileName = 200
        public static let username = 64
        public static let password = 256
        public static let idempotencyKey = 200
        public static let code = 100
        /// Documents (components) in one dossier.
        public static let documents = 100
    }

    /// The NFC form of `s`.
    public static func normalized(_ s: String) -> String { s.precomposedStringWithCanonicalMapping }

    /// The first problem of `s`, or nil. `multiline` allows tab, line feed and carriage return.
    public static func problem(_ s: String, maxLength: Int, multiline: Bool = false) -> Problem? {
        for scalar in s.unicodeScalars {
            switch scalar.value {
            case 0x09, 0x0A, 0x0D:
                if !multiline { return .controlCharacter }
            case 0x00...0x1F, 0x7F...0x9F:
                return .controlCharacter
            case 0x202A...0x202E, 0x2066...0x2069:
                return .bidiOverride
            default:
                continue
            }
        }
        return s.count > maxLength ? .tooLong : nil
    }

    /// An English reason for the API's `details`.
    public static func reason(_ p: Problem, maxLength: Int) -> String {
        switch p {
        case .tooLong: "longer than \(maxLength) characters"
        case .controlCharacter: "contains control characters"
        case .bidiOverride: "contains bidirectional override characters"
        }
    }
}
