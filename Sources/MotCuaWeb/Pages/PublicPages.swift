import Foundation
import Hummingbird
import MotCuaCore
import MotCuaStore
import NIOCore

/// Public pages (no login): home, procedure search and detail, the working calendar.
enum PublicPages {
    static let weekdays = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]

    static func register(_ routes: inout RouteRegistry, services: AppServices) {
        routes.get("/") { _, _ in try await home(services) }
        routes.get("/thu-tuc") { request, _ in try await list(request, services) }
        routes.get("/thu-tuc/:code") { _, context in
            let code = try context.parameters.require("code")
            guard let p = try await services.catalog.procedure(code: code) else { throw APIError.notFound("procedure \(code) not found") }
            return try await detail(p, services)
        }
        routes.get("/lich") { request, _ in try calendarPage(request, services) }
        routes.get("/static/:file") { _, context in
            let file = try context.parameters.require("file")
            guard ["app.css", "print.css"].contains(file),
                  let url = Bundle.module.url(forResource: "Resources/static/\(file)", withExtension: nil) else { throw APIError.notFound("no such file") }
            return Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
                            body: .init(byteBuffer: ByteBuffer(bytes: try Data(contentsOf: url))))
        }
    }

    static func lunarText(_ d: CivilDate) -> String {
        let l = LunarCalendar.lunar(from: d)
        return "\(l.day)/\(l.month)\(l.leap ? " nhuận" : "")/\(l.year)"
    }

    static func home(_ services: AppServices) async throws -> Response {
        let today = DeadlineCalculator.localDate(of: services.now())
        let status = services.calendar.status(of: today)
        let procedures = try await services.catalog.procedures(ProcedureFilter(limit: 10_000))
        let agencies = try await services.catalog.agencies().filter { $0.existed(from: today, to: today) }
        let fieldCounts = Dictionary(grouping: procedures, by: \.field).map { ($0.key, $0.value.count) }
            .sorted { TextFolding.fold($0.0) < TextFolding.fold($1.0) }
        let context: [String: Any] = [
            "today": ["weekday": weekdays[today.isoWeekday - 1], "solar": VietnameseFormat.date(today), "lunar": lunarText(today),
                      "status": status.working ? "ngày làm việc" : "ngày nghỉ (\(status.reason))"],
            "stats": ["procedures": procedures.count, "online": procedures.filter { $0.onlineType != .none }.count, "agencies": agencies.count],
            "fields": fieldCounts.map { ["name": $0.0, "count": $0.1, "query": $0.0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0.0] },
        ]
        return services.pages.page("home", title: "Trang chủ", context)
    }

    static func list(_ request: Request, _ services: AppServices) async throws -> Response {
        let filter = try CatalogAPI.filter(from: request)
        let items = try await services.catalog.procedures(filter)
        let fields = try await services.catalog.fields()
        let agencies = try await services.catalog.agencies().filter { $0.validTo == nil && $0.kind != .department }
        let context: [String: Any] = [
            "q": filter.query ?? "",
            "count": items.count,
            "items": items.map { ["code": $0.code, "name": $0.name, "field": $0.field, "level": $0.level.label,
                                  "online": $0.onlineType == .none ? "Không" : ($0.onlineType == .full ? "Toàn trình" : "Một phần")] },
            "fields": fields.map { ["name": $0, "selected": $0 == filter.field] },
            "levels": AdministrativeLevel.allCases.map { ["value": $0.rawValue, "label": $0.label, "selected": $0 == filter.level] },
            "onlineTypes": OnlineType.allCases.map { ["value": $0.rawValue, "label": $0.label, "selected": $0 == filter.onlineType] },
            "agencies": agencies.map { ["code": $0.code, "name": $0.name, "selected": $0.code == filter.agency] },
        ]
        return services.pages.page("procedures", title: "Thủ tục hành chính", context)
    }

    static func limitText(_ l: TimeLimit, noDueDate: Bool = false) -> String {
        if noDueDate { return "Không quy định thời hạn" }
        switch l.unit {
        case .workingDays: return "\(l.amount) ngày làm việc"
        case .calendarDays: return "\(l.amount) ngày"
        case .workingHours: return "\(l.amount) giờ làm việc"
        case .sameDay: return "Trong ngày (nhận sau 15 giờ: trả trong ngày làm việc tiếp theo)"
        }
    }

    static func money(_ vnd: Int) -> String { Money.vnd(vnd) }

    static func detail(_ p: Procedure, _ services: AppServices) async throws -> Response {
        var agencyNames = p.agencyKinds.map(\.label)
        for code in p.agencies { if let a = try await services.catalog.agency(code: code) { agencyNames.append(a.name) } }
        let targets = ["citizen": "Công dân", "business": "Doanh nghiệp", "organisation": "Tổ chức", "agency": "Cơ quan nhà nước"]
        var publication: String? = nil
        if let pub = p.publication {
            publication = [pub.decision, pub.date.map { "ngày " + VietnameseFormat.date($0) }].compactMap { $0 }.joined(separator: ", ")
        }
        let context: [String: Any] = [
            "p": p.mustacheValue,
            "level": p.level.label,
            "online": p.onlineType.label,
            "agencies": agencyNames.joined(separator: "; "),
            "targets": p.targetGroups.map { targets[$0] ?? $0 }.joined(separator: ", "),
            "publication": publication ?? false,
            "onlineSubmit": OnlineSubmission.isOffered(p),
            "channels": p.channels.map { c in
                ["label": c.channel.label, "limit": limitText(c.limit),
                 "fees": c.fees.isEmpty ? "Không" : c.fees.map { "\($0.name): \(money($0.amount))\($0.note.map { " (\($0))" } ?? "")" }.joined(separator: "; ")]
            },
            "cases": p.cases.map { c in
                ["name": c.name,
                 "limits": c.limits.map { "\($0.channel.label.lowercased()): \(limitText($0.limit, noDueDate: c.noDueDate))" }.joined(separator: "; "),
                 "components": c.components.map { ["name": $0.name, "template": $0.template ?? "—", "copies": $0.copies, "required": $0.required ? "Có" : "Không"] },
                 "workflow": c.workflow.map { present(["name": $0.name, "role": $0.role.label, "hours": $0.hours, "agency": $0.agency]) }] as [String: Any]
            },
        ]
        return services.pages.page("procedure", title: p.name, context)
    }

    static func calendarPage(_ request: Request, _ services: AppServices) throws -> Response {
        let calendar = services.calendar
        let year = try request.query("year").map { text -> Int in
            guard let y = Int(text), calendar.years.contains(y) else { throw APIError.invalid("year", "năm phải từ 1990 đến 2100") }
            return y
        } ?? DeadlineCalculator.localDate(of: services.now()).year
        let special = CalendarAPI.days(of: year, calendar).filter { $0.working == $0.date.isWeekend }
        let context: [String: Any] = [
            "year": year,
            "source": calendar.officialYears.contains(year) ? "Theo lịch nghỉ chính thức đã công bố cho năm \(year)." : "Tính theo quy định mặc định của Bộ luật Lao động 2019, Điều 112 (chưa có lịch chính thức).",
            "days": special.map { ["date": VietnameseFormat.date($0.date), "weekday": weekdays[$0.date.isoWeekday - 1], "lunar": lunarText($0.date),
                                   "working": $0.working ? "Có" : "Nghỉ", "reason": $0.reason] },
        ]
        return services.pages.page("calendar", title: "Lịch làm việc \(year)", context)
    }
}

extension Encodable {
    /// The value as nested dictionaries/arrays, for Mustache.
    var mustacheValue: Any {
        guard let data = try? JSONEncoder().encode(self), let any = try? JSONSerialization.jsonObject(with: data) else { return [:] }
        return any
    }
}
