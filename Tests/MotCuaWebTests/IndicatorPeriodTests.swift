import Foundation
import MotCuaCore
import MotCuaStore
import MotCuaTestSupport
import NIOCore
import Testing

/// Moved clocks: a closed period's figures are what they were at its end, whatever happens later
/// and whenever the day close runs.
struct IndicatorPeriodTests {
    static let march = "/api/v1/indicators?scope=H13.01&from=2026-03-01&to=2026-03-31"

    /// The indicators of a report as comparable text (id → numerator/denominator rate points).
    static func values(_ app: DemoApp, _ uri: String) async throws -> [String: String] {
        let (status, body, _) = try await app.send(.get, uri, as: "theodoi.tinh")
        guard status == .ok, let list = body["indicators"] as? [[String: Any]] else { throw TestFailure("\(uri): \(status) \(body)") }
        var out: [String: String] = [:]
        for v in list {
            out[v["id"] as? String ?? "?"] = "\(v["numerator"] ?? "-")/\(v["denominator"] ?? "-") \(v["rate"] ?? "-") \(v["points"] ?? "-")"
        }
        out["total"] = "\(body["total"] ?? "-") \(body["grade"] ?? "-")"
        return out
    }

    @Test(arguments: TestDatabases.kinds)
    func laterActionsDoNotChangeAClosedPeriod(kind: DatabaseKind) async throws {
        try await DemoApp.run(kind) { app in
            // 2 March, Sở Tư pháp: A waits for a supplement, B stays in processing (due 16 March),
            // C is returned on time on 5 March.
            func intake() async throws -> String {
                let (_, d, _) = try await app.send(.post, "/api/v1/dossiers", as: "tiepnhan.sotuphap", json: DemoApp.intake("2.000488", case: "TH1"))
                guard let code = d["code"] as? String else { throw TestFailure("intake: \(d)") }
                return code
            }
            let a = try await intake(), b = try await intake(), c = try await intake()
            app.at("2026-03-02T09:00:00")
            try await app.act(a, "request-supplement", as: "tiepnhan.sotuphap", version: 1,
                              extra: #","components":["Căn cước hoặc hộ chiếu của người được cấp Phiếu"],"reason":"Bản sao có chứng thực""#)
            app.at("2026-03-05T10:00:00")
            func approve(_ code: String) async throws {
                try await app.act(code, "transfer", as: "tiepnhan.sotuphap", version: 1)
                try await app.act(code, "transfer", as: "chuyenvien.sotuphap", version: 2)
                try await app.act(code, "approve", as: "truongphong.sotuphap", version: 3)
                try await app.act(code, "approve", as: "giamdoc.sotuphap", version: 4)
            }
            try await approve(c)
            try await app.act(c, "record-result", as: "vanthu.sotuphap", version: 5, extra: #","electronic":false"#)
            try await app.act(c, "issue", as: "vanthu.sotuphap", version: 6, extra: #","number":"125/LLTP""#)
            try await app.act(c, "return", as: "tiepnhan.sotuphap", version: 7)

            // 1 April: March as it ended. 2.1 = C on time + A waiting (not late) out of 3; B is late.
            app.at("2026-04-01T08:00:00")
            let atEnd = try await Self.values(app, Self.march)
            #expect(atEnd["2.1"] == "2/3 66.67 13.33", "\(atEnd)")

            // April: A's supplement arrives late and A is withdrawn; B's result is issued late.
            app.at("2026-04-10T09:00:00")
            try await app.act(a, "supplement-provided", as: "tiepnhan.sotuphap", version: 2)
            try await app.act(a, "withdraw", as: "tiepnhan.sotuphap", version: 3, extra: #","reason":"Công dân xin rút hồ sơ""#)
            try await approve(b)
            try await app.act(b, "record-result", as: "vanthu.sotuphap", version: 5, extra: #","electronic":false"#)
            try await app.act(b, "issue", as: "vanthu.sotuphap", version: 6, extra: #","number":"126/LLTP""#)
            let d = try await intake()
            try await app.act(d, "request-supplement", as: "tiepnhan.sotuphap", version: 1,
                              extra: #","components":["Căn cước hoặc hộ chiếu của người được cấp Phiếu"],"reason":"Bản sao có chứng thực""#)

            // 20 April, no day closed yet (the server was down): March is still what it was.
            app.at("2026-04-20T08:00:00")
            #expect(try await Self.values(app, Self.march) == atEnd)
            // The day close catches up on every day since the first receipt; March is unchanged.
            let closed = try await app.services.indicators.dayClose.closeDays(now: app.services.now())
            #expect(closed.first == CivilDate(iso: "2026-03-01") && closed.last == CivilDate(iso: "2026-04-19"))
            #expect(try await Self.values(app, Self.march) == atEnd)
            // Each day of March keeps its own open set: at 10 March B was still on time.
            let tenth = try await Self.values(app, "/api/v1/indicators?scope=H13.01&from=2026-03-01&to=2026-03-10")
            #expect(tenth["2.1"] == "3/3 100.00 20.00", "\(tenth)")
            // A rebuild from the events gives the same figures.
            _ = try await app.services.indicators.rebuild.run(from: nil, now: app.services.now(), progress: { _, _ in })
            #expect(try await Self.values(app, Self.march) == atEnd)
            #expect(try await Self.values(app, "/api/v1/indicators?scope=H13.01&from=2026-03-01&to=2026-03-10") == tenth)
            // April sees April: B ended late, D waits (on time), and A, withdrawn right after its late
            // supplement, is on time — its waiting (2 March → 10 April) is subtracted (domain §7).
            let april = try await Self.values(app, "/api/v1/indicators?scope=H13.01&from=2026-04-01&to=2026-04-30")
            #expect(april["2.1"] == "2/3 66.67 13.33", "\(april)")
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func dashboardPageAndCSV(kind: DatabaseKind) async throws {
        try await DemoApp.run(kind) { app in
            let (_, d, _) = try await app.send(.post, "/api/v1/dossiers", as: "tiepnhan.sotuphap", json: DemoApp.intake("2.000488", case: "TH1"))
            #expect(d["code"] is String)
            app.at("2026-04-01T08:00:00")
            let desk = DeskPagesTests()
            let (monitor, _) = try await desk.login(app, "theodoi.tinh")
            let march = "from=2026-03-01&to=2026-03-31"
            // The monitor sees the province, every indicator, the total, and the units below ranked.
            try await app.client.execute(uri: "/can-bo/chi-so?scope=H13&\(march)", method: .get, headers: [.cookie: monitor]) { r in
                #expect(r.status == .ok)
                let html = r.text
                for id in ["1.1", "2.1", "3.3", "4.5", "5.4"] { #expect(html.contains("<th scope=\"row\">\(id)</th>"), "\(id)") }
                #expect(html.contains("Tổng điểm") && html.contains("Xếp hạng các đơn vị trực thuộc") && html.contains("Sở Tư pháp"))
                #expect(html.contains("<svg class=\"rate-bar\"") && html.contains("Chưa có dữ liệu"))
                #expect(!html.contains("N/A") && !html.contains("no_data"))
            }
            // CSV for Excel: a byte-order mark, a header and one line per indicator plus the total.
            try await app.client.execute(uri: "/can-bo/chi-so.csv?scope=H13.01&\(march)", method: .get, headers: [.cookie: monitor]) { r in
                #expect(r.status == .ok && r.headers[.contentType] == "text/csv; charset=utf-8")
                let bytes = Array(r.body.readableBytesView)
                #expect(bytes.prefix(3) == [0xEF, 0xBB, 0xBF])
                let lines = r.text.split(separator: "\r\n")
                #expect(lines.count == 23, "\(lines.count)")
                #expect(lines.contains { $0.contains(",2.1,") && $0.contains(",0,1,0.00,%,") })
            }
            // A ward's officer reads the ward only; a bad date is refused in Vietnamese.
            let (ward, _) = try await desk.login(app, "tiepnhan.ninhkieu")
            try await app.client.execute(uri: "/can-bo/chi-so?scope=H13.01&\(march)", method: .get, headers: [.cookie: ward]) { #expect($0.status == .forbidden) }
            try await app.client.execute(uri: "/can-bo/chi-so?from=2026-02-30", method: .get, headers: [.cookie: ward]) { r in
                #expect(r.status == .badRequest && r.text.contains("Từ ngày: ngày không hợp lệ"))
            }
            try await app.client.execute(uri: "/can-bo/chi-so", method: .get, headers: [.cookie: ward]) { r in
                #expect(r.status == .ok && r.text.contains("Ủy ban nhân dân phường Ninh Kiều") && !r.text.contains("Xếp hạng các đơn vị trực thuộc"))
            }
            try await app.client.execute(uri: "/can-bo/chi-so", method: .get) { #expect($0.status == .seeOther) }
        }
    }
}
