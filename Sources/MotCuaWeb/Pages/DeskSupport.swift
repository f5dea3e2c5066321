import Foundation
import HTTPTypes
import Hummingbird
import MotCuaCore
import MotCuaStore
import NIOCore

/// Parsing of HTML form bodies: `application/x-www-form-urlencoded`, or `multipart/form-data`
/// (for a file input; the first file part is kept in `file`).
struct FormBody {
    /// An uploaded file from a multipart form.
    struct UploadedFile {
        let filename: String
        let contentType: String
        let content: Data
    }

    let values: [String: String]
    var file: UploadedFile? = nil

    static func read(_ request: Request, context: AppRequestContext) async throws -> FormBody {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        let type = request.headers[.contentType] ?? ""
        if type.lowercased().hasPrefix("multipart/form-data"), let b = type.split(separator: ";").first(where: { $0.contains("boundary=") }) {
            let boundary = b.split(separator: "=", maxSplits: 1)[1].trimmingCharacters(in: CharacterSet(charactersIn: " \""))
            return try multipart(Data(buffer: buffer), boundary: boundary)
        }
        var values: [String: String] = [:]
        for pair in String(buffer: buffer).split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                let plus = s.replacingOccurrences(of: "+", with: " ")
                return plus.removingPercentEncoding ?? plus
            }
            let key = decode(kv[0])
            if values[key] == nil { values[key] = kv.count > 1 ? decode(kv[1]) : "" }
        }
        return FormBody(values: values)
    }

    /// RFC 7578 parts: headers, a blank line, the content, then CRLF and the next boundary.
    static func multipart(_ body: Data, boundary: String) throws -> FormBody {
        let delimiter = Data("--\(boundary)".utf8), crlf2 = Data("\r\n\r\n".utf8)
        var values: [String: String] = [:]
        var file: UploadedFile? = nil
        var cursor = body.startIndex
        guard let first = body.range(of: delimiter, in: cursor..<body.endIndex) else {
            throw APIError(.badRequest, code: "invalid_body", "Dữ liệu biểu mẫu không hợp lệ.")
        }
        cursor = first.upperBound
        while let next = body.range(of: delimiter, in: cursor..<body.endIndex) {
            let part = body[cursor..<next.lowerBound]
            cursor = next.upperBound
            guard let split = part.range(of: crlf2) else { continue }
            let headers = String(decoding: part[part.startIndex..<split.lowerBound], as: UTF8.self)
            var content = part[split.upperBound..<part.endIndex]
            if content.suffix(2) == Data("\r\n".utf8) { content = content.dropLast(2) }
            func attribute(_ name: String) -> String? {
                guard let r = headers.range(of: "\(name)=\"") else { return nil }
                return String(headers[r.upperBound...].prefix { $0 != "\"" })
            }
            guard let name = attribute("name") else { continue }
            if let filename = attribute("filename") {
                guard file == nil, !filename.isEmpty, !content.isEmpty else { continue }
                let type = headers.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-type:") }
                    .map { $0.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces).lowercased() } ?? "application/octet-stream"
                file = UploadedFile(filename: filename, contentType: type, content: Data(content))
            } else if values[name] == nil {
                values[name] = String(decoding: content, as: UTF8.self)
            }
        }
        return FormBody(values: values, file: file)
    }

    subscript(_ key: String) -> String? {
        guard let v = values[key]?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return nil }
        return v
    }
}

/// Vietnamese formatting for pages and printed forms (Asia/Ho_Chi_Minh).
enum VietnameseFormat {
    static func two(_ v: Int) -> String { CivilDate.zeroPadded(v, 2) }

    /// "16/03/2026".
    static func date(_ d: CivilDate) -> String { "\(two(d.day))/\(two(d.month))/\(d.year)" }

    /// "08:30 ngày 16/03/2026".
    static func dateTime(_ d: Date?) -> String? {
        guard let d else { return nil }
        let iso = VietnamTime.iso(d)
        let time = iso.dropFirst(11).prefix(5)
        return "\(time) ngày \(date(DeadlineCalculator.localDate(of: d)))"
    }

    /// "Cần Thơ, ngày 23 tháng 11 năm 2026".
    static func placeDate(_ place: String, _ d: Date) -> String {
        let date = DeadlineCalculator.localDate(of: d)
        return "\(place), ngày \(two(date.day)) tháng \(two(date.month)) năm \(date.year)"
    }

    static func limit(_ l: TimeLimit?) -> String {
        guard let l else { return "Không quy định thời hạn" }
        return PublicPages.limitText(l)
    }

    static func timeliness(_ t: Timeliness?) -> String? { t?.label }

    /// "datetime-local" input value → instant in Vietnam's time.
    static func parseLocalInput(_ s: String) -> Date? { VietnamTime.parse(s) }
}

/// The logged-in staff member of a page request, with what the layout shows.
struct DeskSession {
    let member: StaffMember
    let csrf: String
    let token: String
    let agencyName: String

    var layoutContext: [String: Any] {
        ["staff": ["fullName": member.fullName, "roleLabel": member.role.label, "agencyName": agencyName,
                   "isReception": member.role == .reception] as [String: Any],
         "csrf": csrf]
    }

    static func require(_ request: Request, _ services: AppServices) async throws -> DeskSession {
        guard let (member, csrf, token) = try await services.auth.webSession(request, now: services.now()) else {
            throw DeskRedirect(location: "/can-bo/dang-nhap")
        }
        let name = try await services.catalog.agency(code: member.agencyCode)?.name ?? member.agencyCode
        return DeskSession(member: member, csrf: csrf, token: token, agencyName: name)
    }

    /// Rejects a form post whose CSRF token does not match the session's.
    func checkCSRF(_ form: FormBody) throws {
        guard form["csrf"] == csrf else {
            throw APIError(.forbidden, code: "csrf_failed", "Phiên làm việc không hợp lệ, vui lòng tải lại trang và thử lại.")
        }
    }
}

/// A redirect thrown from a page handler (login required, after a successful post).
struct DeskRedirect: Error, HTTPResponseError {
    let location: String
    var cookie: String? = nil
    var status: HTTPResponse.Status { .seeOther }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.location: location]
        if let cookie { headers[.setCookie] = cookie }
        return Response(status: .seeOther, headers: headers)
    }
}
