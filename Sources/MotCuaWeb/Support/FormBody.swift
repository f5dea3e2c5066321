import Foundation
import Hummingbird
import MotCuaCore
import MultipartKit
import NIOCore

/// Parsing of HTML form bodies: `application/x-www-form-urlencoded`, or `multipart/form-data`
/// (RFC 7578, parsed by multipart-kit; the first file part is kept in `file`). Every value is
/// normalised to Unicode NFC. Malformed bodies are refused with 400/415 and never trap.
struct FormBody {
    /// An uploaded file from a multipart form.
    struct UploadedFile {
        let filename: String
        let contentType: String
        let content: Data
    }

    /// At most this many fields are read from one form.
    static let maxFields = 1_000
    /// RFC 2046: a boundary has 1 to 70 characters.
    static let boundaryLengths = 1...70

    let values: [String: String]
    var file: UploadedFile? = nil

    static var malformed: APIError { APIError(.badRequest, code: "invalid_body", "Dữ liệu biểu mẫu không hợp lệ.") }

    static func read(_ request: Request, context: AppRequestContext) async throws -> FormBody {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        let header = request.headers[.contentType] ?? ""
        if header.trimmingCharacters(in: .whitespaces).isEmpty { return try urlEncoded(buffer).checked() }
        guard let type = MediaType(header) else {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type", "Kiểu dữ liệu của biểu mẫu không hợp lệ.")
        }
        switch type.value {
        case "application/x-www-form-urlencoded":
            return try urlEncoded(buffer).checked()
        case "multipart/form-data":
            guard let boundary = type.parameters["boundary"], boundaryLengths.contains(boundary.utf8.count) else { throw malformed }
            return try multipart(buffer, boundary: boundary).checked()
        default:
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type", "Biểu mẫu phải gửi dạng application/x-www-form-urlencoded hoặc multipart/form-data.")
        }
    }

    /// `a=1&b=x+y`: `+` is a space, `%XX` a byte; a value that does not decode is refused.
    static func urlEncoded(_ buffer: ByteBuffer) throws -> FormBody {
        var values: [String: String] = [:]
        var count = 0
        for pair in String(decoding: buffer.readableBytesView, as: UTF8.self).split(separator: "&") {
            count += 1
            guard count <= maxFields else { throw malformed }
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let rawKey = kv.first, let key = decode(rawKey) else { throw malformed }
            let value = kv.count > 1 ? decode(kv[1]) : ""
            guard let value else { throw malformed }
            if values[key] == nil { values[key] = value }
        }
        return FormBody(values: values)
    }

    private static func decode(_ s: Substring) -> String? {
        let plus = s.replacingOccurrences(of: "+", with: " ")
        return plus.removingPercentEncoding.map(TextRules.normalized)
    }

    /// Parts with a `Content-Disposition: form-data; name="…"` header; the first part with a
    /// non-empty `filename` is the file.
    static func multipart(_ buffer: ByteBuffer, boundary: String) throws -> FormBody {
        let parser = MultipartParser(boundary: boundary)
        var parts: [(headers: [String: String], body: ByteBuffer)] = []
        var headers: [String: String] = [:]
        var body = ByteBuffer()
        parser.onHeader = { name, value in headers[name.lowercased()] = value }
        parser.onBody = { chunk in body.writeBuffer(&chunk) }
        parser.onPartComplete = {
            parts.append((headers, body))
            headers = [:]
            body = ByteBuffer()
        }
        do { try parser.execute(buffer) } catch { throw malformed }
        guard !parts.isEmpty, parts.count <= maxFields else { throw malformed }
        var values: [String: String] = [:]
        var file: UploadedFile? = nil
        for part in parts {
            guard let disposition = MediaType(part.headers["content-disposition"], requireSlash: false),
                  disposition.value == "form-data", let name = disposition.parameters["name"] else { continue }
            if let filename = disposition.parameters["filename"] {
                guard file == nil, !filename.isEmpty, part.body.readableBytes > 0 else { continue }
                let type = MediaType(part.headers["content-type"])?.value ?? "application/octet-stream"
                file = UploadedFile(filename: TextRules.normalized(filename), contentType: type, content: Data(buffer: part.body))
            } else if values[name] == nil {
                values[TextRules.normalized(name)] = TextRules.normalized(String(decoding: part.body.readableBytesView, as: UTF8.self))
            }
        }
        return FormBody(values: values, file: file)
    }

    /// Refuses a form any of whose names or values holds a control character (other than tab and
    /// line breaks) or a bidirectional override.
    func checked() throws -> FormBody {
        for (k, v) in values where TextRules.problem(k, maxLength: .max) != nil || TextRules.problem(v, maxLength: .max, multiline: true) != nil {
            throw APIError(.badRequest, code: "invalid_body", "Biểu mẫu chứa ký tự không hợp lệ (ký tự điều khiển hoặc đảo chiều văn bản).")
        }
        return self
    }

    subscript(_ key: String) -> String? {
        guard let v = values[key]?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return nil }
        return v
    }
}
