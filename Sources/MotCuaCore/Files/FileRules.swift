import Foundation

/// Which files may be attached to a dossier (pure): PDF, JPEG, PNG, XML and DOCX, whose bytes must
/// look like the declared type; XML that carries XHTML or SVG (script-capable in a browser) is refused.
public enum FileRules {
    /// Why a file is refused.
    public enum Problem: String, Sendable, Hashable {
        case unsupportedType = "unsupported_media_type"
        case empty = "empty_file"
        case contentMismatch = "content_mismatch"
        case activeContent = "active_content"
    }

    public static let docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    /// Content types accepted for attachments.
    public static let allowedTypes: Set<String> = ["application/pdf", "image/jpeg", "image/png", "application/xml", "text/xml", docx]

    /// The first problem of a file declared as `type` (lower-cased `type/subtype`), or nil.
    public static func problem(_ data: Data, type: String) -> Problem? {
        guard allowedTypes.contains(type) else { return .unsupportedType }
        guard !data.isEmpty else { return .empty }
        guard contentMatches(data, type: type) else { return .contentMismatch }
        if isXML(type) && hasActiveContent(data) { return .activeContent }
        return nil
    }

    static func isXML(_ type: String) -> Bool { type == "application/xml" || type == "text/xml" }

    /// Whether the bytes look like the declared type: a file declared as a PDF must start like one.
    public static func contentMatches(_ data: Data, type: String) -> Bool {
        let head = [UInt8](data.prefix(8))
        func starts(_ magic: [UInt8]) -> Bool { head.starts(with: magic) }
        switch type {
        case "application/pdf": return starts(Array("%PDF-".utf8))
        case "image/png": return starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        case "image/jpeg": return starts([0xFF, 0xD8, 0xFF])
        case "application/xml", "text/xml":
            let text = String(decoding: data.prefix(64), as: UTF8.self).drop { $0 == "\u{FEFF}" || $0.isWhitespace }
            return text.hasPrefix("<")
        case docx: return starts([0x50, 0x4B, 0x03, 0x04])
        default: return false
        }
    }

    /// XML that a browser would render as a page: the XHTML or SVG namespace, or an `<html`/`<svg`
    /// element, anywhere in the document (case-insensitive).
    public static func hasActiveContent(_ data: Data) -> Bool {
        let text = String(decoding: data, as: UTF8.self).lowercased()
        return ["http://www.w3.org/1999/xhtml", "http://www.w3.org/2000/svg", "<html", "<svg", ":html", ":svg"].contains { text.contains($0) }
    }
}
