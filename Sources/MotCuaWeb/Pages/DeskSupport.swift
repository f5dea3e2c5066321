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
