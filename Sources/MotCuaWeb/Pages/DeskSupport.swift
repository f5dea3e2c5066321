import Foundation
import HTTPTypes
import Hummingbird
import MotCuaCore
import MotCuaStore
import NIOCore

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
                   "isReception": AccessPolicy.canOpenDossiers(member.actor)] as [String: Any],
         "csrf": csrf]
    }

    /// The session of the request, or a redirect to the login page that comes back here afterwards.
    static func require(_ request: Request, _ services: AppServices) async throws -> DeskSession {
        guard let session = try await current(request, services) else {
            let back = request.method == .get ? request.uri.path + (request.uri.query.map { "?" + $0 } ?? "") : "/can-bo"
            let next = back.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "%2Fcan-bo"
            throw DeskRedirect(location: back == "/can-bo" ? "/can-bo/dang-nhap" : "/can-bo/dang-nhap?next=\(next)")
        }
        return session
    }

    /// The session of the request, nil when not logged in.
    static func current(_ request: Request, _ services: AppServices) async throws -> DeskSession? {
        guard let (member, csrf, token) = try await services.auth.webSession(request, now: services.now()) else { return nil }
        let name = try await services.catalog.agency(code: member.agencyCode)?.name ?? member.agencyCode
        return DeskSession(member: member, csrf: csrf, token: token, agencyName: name)
    }

    /// Where to go after logging in: a desk page the officer asked for, never another site.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/can-bo"), !next.contains("//"), !next.contains("\\"), next.count <= 1000,
              TextRules.problem(next, maxLength: 1000) == nil else { return "/can-bo" }
        return next
    }

    /// Rejects a form post whose CSRF token does not match the session's.
    func checkCSRF(_ form: FormBody) throws {
        guard form["csrf"] == csrf else {
            throw APIError(.forbidden, code: "csrf_failed", "Phiên làm việc không hợp lệ, vui lòng tải lại trang và thử lại.")
        }
    }
}

/// A redirect thrown from a page handler (login required, after a successful post).
/// A date in a desk page's query ("from", "to"), with a Vietnamese error when it is not one.
enum DeskQuery {
    /// The page number of a paged list (`trang`, 1 when absent; 400 in Vietnamese otherwise).
    static func page(_ request: Request) throws -> Int {
        guard let t = request.query("trang") else { return 1 }
        guard t.count <= 6, let n = Int(t), n >= 1 else { throw APIError(.badRequest, code: "invalid_parameter", "Trang: số trang không hợp lệ.") }
        return n
    }

    static func date(_ request: Request, _ name: String, label: String) throws -> CivilDate? {
        try request.query(name).map { t -> CivilDate in
            guard let d = CivilDate(iso: t) else { throw APIError(.badRequest, code: "invalid_parameter", "\(label): ngày không hợp lệ.") }
            return d
        }
    }
}

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
