import Foundation

/// Folding of Vietnamese text for search: lower case, no diacritics, đ → d, single spaces.
/// "Đăng ký khai sinh" and "dang ky khai sinh" fold to the same string.
public enum TextFolding {
    public static func fold(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var lastSpace = true
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar.value {
            case 0x300...0x36F: continue
            case 0x111, 0x110: out.append("d"); lastSpace = false
            default:
                if scalar.properties.isWhitespace || scalar == "," || scalar == ";" {
                    if !lastSpace { out.append(" ") }
                    lastSpace = true
                } else {
                    for l in scalar.properties.lowercaseMapping.unicodeScalars { out.append(l) }
                    lastSpace = false
                }
            }
        }
        var s = String(out)
        if s.hasSuffix(" ") { s.removeLast() }
        return s
    }

    /// The words of a folded query.
    public static func words(_ query: String) -> [String] {
        fold(query).split(separator: " ").map(String.init)
    }
}
