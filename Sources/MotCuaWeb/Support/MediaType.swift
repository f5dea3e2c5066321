/// A parsed `Content-Type` (or `Content-Disposition`) header value: `type/subtype; name=value; …`
/// (RFC 9110 §8.3.1). Parsing never traps: anything that is not a well-formed value gives `nil`.
struct MediaType: Equatable, Sendable {
    /// The lower-cased `type/subtype` (for `Content-Disposition`, the disposition such as `form-data`).
    let value: String
    /// Parameters by lower-cased name; quoted values are unquoted.
    let parameters: [String: String]

    /// Parses a media type; `requireSlash` is false for `Content-Disposition` values.
    init?(_ header: String?, requireSlash: Bool = true) {
        guard let header else { return nil }
        var parts = Self.splitParameters(Substring(header))
        guard !parts.isEmpty else { return nil }
        let head = parts.removeFirst().trimmingCharacters(in: .whitespaces).lowercased()
        if requireSlash {
            let halves = head.split(separator: "/", omittingEmptySubsequences: false)
            guard halves.count == 2, halves.allSatisfy({ !$0.isEmpty && $0.allSatisfy(Self.isTokenCharacter) }) else { return nil }
        } else {
            guard !head.isEmpty, head.allSatisfy(Self.isTokenCharacter) else { return nil }
        }
        var parameters: [String: String] = [:]
        for part in parts {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let eq = trimmed.firstIndex(of: "=") else { return nil }
            let name = trimmed[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            var raw = Substring(trimmed[trimmed.index(after: eq)...]).trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.allSatisfy(Self.isTokenCharacter) else { return nil }
            if raw.hasPrefix("\"") {
                guard raw.count >= 2, raw.hasSuffix("\"") else { return nil }
                raw = String(raw.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            }
            if parameters[name] == nil { parameters[name] = raw }
        }
        self.value = head
        self.parameters = parameters
    }

    /// Splits on `;` outside double quotes.
    private static func splitParameters(_ s: Substring) -> [String] {
        var out: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for c in s {
            if escaped { current.append(c); escaped = false; continue }
            if c == "\\" && quoted { current.append(c); escaped = true; continue }
            if c == "\"" { quoted.toggle() }
            if c == ";" && !quoted { out.append(current); current = ""; continue }
            current.append(c)
        }
        out.append(current)
        return out
    }

    /// RFC 9110 `tchar`.
    static func isTokenCharacter(_ c: Character) -> Bool {
        guard c.isASCII, let v = c.asciiValue, v > 32, v < 127 else { return false }
        return !"()<>@,;:\\\"/[]?={}".contains(c)
    }
}
