import Foundation
import Hummingbird
import MotCuaCore
import MotCuaStore

/// `/can-bo/chi-so`: the Decision 766 indicators of the officer's scope over a period — every
/// indicator with its numbers and a server-drawn bar, the groups, the total and the grade, and for a
/// monitor the ranking of the units below; `/can-bo/chi-so.csv` is the same table for Excel.
enum DeskIndicators {
    static func register(_ routes: inout RouteRegistry, services: AppServices) {
        routes.get("/can-bo/chi-so") { request, _ in try await page(request, services) }
        routes.get("/can-bo/chi-so.csv") { request, _ in try await csv(request, services) }
    }

    /// The scope and period a request asks for, checked against the officer's rights.
    struct Query {
        let session: DeskSession
        let scope: String
        let from: CivilDate
        let to: CivilDate
        let history: AgencyHistory
        let choices: [Agency]
        /// The catalog's procedures, read once for every report of the page (the scope and its units).
        let procedures: [Procedure]
    }

    static func query(_ request: Request, _ services: AppServices) async throws -> Query {
        let session = try await DeskSession.require(request, services)
        let today = DeadlineCalculator.localDate(of: services.now())
        let from = try DeskQuery.date(request, "from", label: "Từ ngày") ?? CivilDate(year: today.year, month: 1, day: 1) ?? today
        let to = try DeskQuery.date(request, "to", label: "Đến ngày") ?? max(from, today)
        guard to >= from, to.julianDay - from.julianDay <= 3660 else {
            throw APIError(.badRequest, code: "invalid_parameter", "Đến ngày: không được trước ngày bắt đầu, tối đa 10 năm.")
        }
        let member = session.member
        let below = member.role == .monitor ? try await services.dossiers.agencies(below: member.agencyCode) : []
        let scope = request.query("scope") ?? member.agencyCode
        guard AccessPolicy.canReadIndicators(scope: scope, actor: member.actor, below: below) else {
            throw APIError(.forbidden, code: "forbidden", member.role == .admin
                           ? "Quản trị viên không xem chỉ số; hãy dùng tài khoản theo dõi hoặc lãnh đạo."
                           : "Anh/chị không có quyền xem chỉ số của đơn vị này.")
        }
        let history = try await services.catalog.history()
        guard history.agencies[scope] != nil else { throw APIError(.notFound, code: "not_found", "Không tìm thấy đơn vị \(scope).") }
        let choices = ([member.agencyCode] + below.sorted()).compactMap { history.agencies[$0] }.filter { $0.existed(from: from, to: to) || $0.code == member.agencyCode }
        return Query(session: session, scope: scope, from: from, to: to, history: history, choices: choices,
                     procedures: try await services.indicators.allProcedures())
    }

    static func report(_ q: Query, scope: String, _ services: AppServices) async throws -> IndicatorReport {
        try await services.indicators.report(agencies: q.history.scope(of: scope, from: q.from, to: q.to), history: q.history, from: q.from, to: q.to,
                                             now: services.now(), calendar: services.calendar, onlinePayment: true, catalogProcedures: q.procedures)
    }

    static func statusLabel(_ v: IndicatorValue) -> String {
        switch v.status {
        case "na": "Không phát sinh"
        case "no_data": "Chưa có dữ liệu"
        default: v.points.map { "\($0)/\(v.maxPoints)" } ?? "—"
        }
    }

    /// A bar of the rate against the threshold, drawn by the server (decorative: the numbers are in the row).
    static func bar(_ v: IndicatorValue) -> String? {
        guard v.unit == "%", v.status == "ok", let rate = Double(v.rate) else { return nil }
        let width = 160.0, filled = max(0, min(width, rate / 100 * width)), mark = Double(v.threshold) / 100 * width
        let colour = rate >= Double(v.threshold) ? "#1b6e3a" : "#a3461b"
        return """
        <svg class="rate-bar" width="\(Int(width))" height="14" viewBox="0 0 \(Int(width)) 14" aria-hidden="true" focusable="false">\
        <rect x="0" y="2" width="\(Int(width))" height="10" fill="#e4e4e4"/><rect x="0" y="2" width="\(Int(filled))" height="10" fill="\(colour)"/>\
        <line x1="\(Int(mark))" y1="0" x2="\(Int(mark))" y2="14" stroke="#1a1a1a" stroke-width="2"/></svg>
        """
    }

    static func page(_ request: Request, _ services: AppServices) async throws -> Response {
        let q = try await query(request, services)
        let report = try await Self.report(q, scope: q.scope, services)
        var ctx = q.session.layoutContext
        ctx["scopeName"] = q.history.agencies[q.scope]?.name ?? q.scope
        ctx["from"] = q.from.description
        ctx["to"] = q.to.description
        ctx["period"] = "\(VietnameseFormat.date(q.from)) – \(VietnameseFormat.date(q.to))"
        ctx["choices"] = q.choices.map { a -> [String: Any] in
            var choice: [String: Any] = ["code": a.code, "name": a.name]
            if a.code == q.scope { choice["selected"] = true }
            return choice
        }
        ctx["hasChoices"] = q.choices.count > 1
        ctx["groups"] = report.groups.map { g -> [String: Any] in
            ["number": g.number, "name": g.name, "points": g.points, "maxPoints": g.maxPoints,
             "indicators": report.indicators.filter { $0.group == g.number }.map { v -> [String: Any] in
                 var row: [String: Any] = ["id": v.id, "name": v.name, "numerator": v.numerator, "denominator": v.denominator,
                                           "rate": v.rate == "N/A" ? "—" : (v.unit == "%" ? "\(v.rate)%" : "\(v.rate) \(v.unit)"), "score": statusLabel(v)]
                 if let svg = bar(v) { row["bar"] = svg }
                 return row
             }]
        }
        ctx["total"] = report.total == "N/A" ? "—" : report.total
        ctx["grade"] = report.grade.isEmpty ? "Chưa xếp loại" : report.grade
        ctx["scoredMax"] = report.scoredMax
        var query = "scope=\(q.scope)&from=\(q.from)&to=\(q.to)"
        query = query.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? query
        ctx["csvLink"] = "/can-bo/chi-so.csv?\(query)"
        if q.session.member.role == .monitor {
            // The ranking of the units directly below the scope that existed in the period.
            let children = q.history.agencies.values.filter { $0.parent == q.scope && $0.existed(from: q.from, to: q.to) }
            var ranked: [(Agency, IndicatorReport)] = []
            for a in children { ranked.append((a, try await Self.report(q, scope: a.code, services))) }
            ranked.sort { (Double($0.1.total) ?? -1, $1.0.code) > (Double($1.1.total) ?? -1, $0.0.code) }
            ctx["ranking"] = ranked.enumerated().map { i, e in
                ["rank": i + 1, "code": e.0.code, "name": e.0.name, "total": e.1.total == "N/A" ? "—" : e.1.total,
                 "grade": e.1.grade.isEmpty ? "Chưa xếp loại" : e.1.grade,
                 "link": "/can-bo/chi-so?scope=\(e.0.code)&from=\(q.from)&to=\(q.to)"] as [String: Any]
            }
            ctx["hasRanking"] = !ranked.isEmpty
        }
        return services.pages.page("desk-indicators", title: "Chỉ số Quyết định 766", ctx)
    }

    /// The indicator table as CSV, UTF-8 with a byte-order mark so that Excel reads the diacritics.
    static func csv(_ request: Request, _ services: AppServices) async throws -> Response {
        let q = try await query(request, services)
        let report = try await Self.report(q, scope: q.scope, services)
        func field(_ s: String) -> String { s.contains(where: { ",\"\n\r".contains($0) }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s }
        var lines = ["Đơn vị,Từ ngày,Đến ngày,Nhóm,Mã chỉ số,Chỉ số,Tử số,Mẫu số,Tỷ lệ,Đơn vị tính,Điểm,Điểm tối đa,Trạng thái"]
        let scopeName = q.history.agencies[q.scope]?.name ?? q.scope
        for v in report.indicators {
            let status = v.status == "ok" ? "Có số liệu" : v.status == "na" ? "Không phát sinh" : "Chưa có dữ liệu"
            lines.append([scopeName, q.from.description, q.to.description, String(v.group), v.id, v.name, String(v.numerator), String(v.denominator),
                          v.rate, v.unit, v.points ?? "", String(v.maxPoints), status].map(field).joined(separator: ","))
        }
        lines.append([scopeName, q.from.description, q.to.description, "", "Tổng", "Tổng điểm Quyết định 766", "", "", report.total, "điểm", report.total,
                      "100", report.grade].map(field).joined(separator: ","))
        let body = "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n"
        var headers: HTTPFields = [.contentType: "text/csv; charset=utf-8"]
        headers[.contentDisposition] = "attachment; filename=\"chi-so-766-\(q.scope)-\(q.from)-\(q.to).csv\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
