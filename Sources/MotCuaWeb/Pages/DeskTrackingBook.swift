import Foundation
import Hummingbird
import MotCuaCore
import MotCuaStore

/// Mẫu 07, the tracking book (sổ theo dõi hồ sơ) of the officer's agency for a period: every
/// dossier received there, with the dates of each stage. The read is audited by the repository.
enum DeskTrackingBook {
    /// More rows than this ask for a shorter period instead of being cut silently.
    static let maxRows = 5_000

    static func page(_ request: Request, _ services: AppServices) async throws -> Response {
        let session = try await DeskSession.require(request, services)
        let today = DeadlineCalculator.localDate(of: services.now())
        let from = try DeskQuery.date(request, "from", label: "Từ ngày") ?? CivilDate(year: today.year, month: today.month, day: 1) ?? today
        let to = try DeskQuery.date(request, "to", label: "Đến ngày") ?? today
        guard to >= from, to.julianDay - from.julianDay <= 366 else {
            throw APIError(.badRequest, code: "invalid_parameter", "Đến ngày: ngày không hợp lệ (sau ngày bắt đầu, tối đa một năm).")
        }
        var filter = DossierFilter(limit: maxRows + 1)
        filter.receivedFrom = DeadlineCalculator.startOfDay(from)
        filter.receivedBefore = DeadlineCalculator.startOfDay(CivilDate(julianDay: to.julianDay + 1))
        filter.receivedHereOnly = true
        let found = try await services.dossiers.list(filter, actor: session.member, now: services.now(), purpose: "Mẫu 07 tracking book")
            .sorted { $0.code < $1.code }
        let items = Array(found.prefix(maxRows))
        let histories = try await services.dossiers.histories(codes: items.map(\.code))
        var names: [String: String] = [:]
        var rows: [[String: Any]] = []
        for (i, s) in items.enumerated() {
            let procedure = try await services.procedures.procedure(code: s.procedureCode, version: s.procedureVersion)?.name ?? s.procedureCode
            if names[s.handlingAgency] == nil { names[s.handlingAgency] = try await services.catalog.agency(code: s.handlingAgency)?.name ?? s.handlingAgency }
            let history = histories[s.code] ?? []
            // Transferred for handling: the reception step handed on.
            let transferred = history.first { $0.action == "transfer" && $0.actorRole == .reception }?.at
            rows.append(["index": i + 1, "code": s.code, "procedureName": procedure, "applicantName": s.applicant.name,
                         "address": s.applicant.address ?? "", "phone": s.applicant.phone ?? "",
                         "sets": s.documents.isEmpty ? "" : "01", "handlingAgency": names[s.handlingAgency] ?? s.handlingAgency,
                         "receivedAt": VietnameseFormat.dateTime(s.receivedAt) ?? "", "dueAt": VietnameseFormat.dateTime(s.dueAt) ?? "",
                         "transferredAt": VietnameseFormat.dateTime(transferred) ?? "", "endedAt": VietnameseFormat.dateTime(s.processingEndedAt) ?? "",
                         "returnedAt": VietnameseFormat.dateTime(s.returnedAt) ?? "", "statusLabel": s.status.label,
                         "returnMethod": s.channel == .postal ? "Bưu chính công ích" : s.channel == .online ? "Trực tuyến / tại Bộ phận Một cửa" : "Tại Bộ phận Một cửa",
                         "timelinessLabel": s.timeliness?.label ?? "", "signature": ""])
        }
        let agency = try await services.catalog.agency(code: session.member.agencyCode)
        let parent = try await agency?.parent.asyncMap { try await services.catalog.agency(code: $0) } ?? nil
        var context: [String: Any] = [
            "agencyName": agency?.name ?? session.member.agencyCode, "agencyParentName": parent?.name ?? "", "from": VietnameseFormat.date(from),
            "to": VietnameseFormat.date(to), "period": ["from": from.description, "to": to.description], "rows": rows,
            "placeDate": VietnameseFormat.placeDate(DeskForms.place(of: session.member.agencyCode, try await services.catalog.history()), services.now()),
        ]
        if found.count > maxRows {
            context["truncated"] = "Sổ có hơn \(maxRows) hồ sơ trong khoảng thời gian này; chỉ \(maxRows) hồ sơ đầu được hiển thị. Hãy chọn khoảng thời gian ngắn hơn."
        }
        return services.pages.page("form-07", title: "Mẫu 07 – Sổ theo dõi hồ sơ", context)
    }
}
