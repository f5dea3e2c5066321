import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MotCuaStore
import MotCuaWeb
import NIOCore
import Testing

/// HTML snapshots of the desk: the inbox, the dossier page and Mẫu 01–07, from a scripted day at
/// the Sở Tư pháp with a frozen clock. A changed page fails until its snapshot is re-recorded
/// deliberately (`MOTCUA_RECORD_SNAPSHOTS=1 swift test --filter HTMLSnapshotTests`) and the diff
/// is reviewed in `Tests/MotCuaWebTests/Snapshots/`.
struct HTMLSnapshotTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
    static let recording = ProcessInfo.processInfo.environment["MOTCUA_RECORD_SNAPSHOTS"] == "1"

    /// Random secrets (CSRF tokens, one-time form keys) replaced by placeholders.
    static func normalised(_ html: String) -> String {
        html.replacing(/name="(csrf|formKey)" value="[^"]*"/) { "name=\"\($0.1)\" value=\"…\"" }
    }

    static func check(_ name: String, _ html: String) throws {
        let file = directory.appendingPathComponent("\(name).html.snap")
        let actual = normalised(html)
        if recording {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try actual.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: file, encoding: .utf8) else {
            Issue.record("no snapshot \(name).html.snap: record it with MOTCUA_RECORD_SNAPSHOTS=1")
            return
        }
        if expected != actual {
            let a = expected.split(separator: "\n", omittingEmptySubsequences: false), b = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let line = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
            Issue.record("\(name).html.snap differs from its snapshot at line \(line + 1):\n- \(line < a.count ? a[line] : "")\n+ \(line < b.count ? b[line] : "")")
        }
    }

    @Test func deskPagesAndPrintedForms() async throws {
        try await DemoApp.run(.sqlite) { app in
            let (_, d1, _) = try await app.send(.post, "/api/v1/dossiers", as: "tiepnhan.sotuphap", json: DemoApp.intake("2.000488", case: "TH1"))
            let main = try #require(d1["code"] as? String)
            // A supplement, an apology and then processing: Mẫu 02 and 04 exist for it.
            app.at("2026-03-02T09:00:00")
            try await app.act(main, "request-supplement", as: "tiepnhan.sotuphap", version: 1,
                              extra: #","components":["Căn cước hoặc hộ chiếu của người được cấp Phiếu"],"reason":"Bản sao có chứng thực""#)
            app.at("2026-03-03T09:00:00")
            try await app.act(main, "supplement-provided", as: "tiepnhan.sotuphap", version: 2)
            try await app.act(main, "transfer", as: "tiepnhan.sotuphap", version: 3)
            app.at("2026-03-13T09:00:00")
            try await app.act(main, "apologize", as: "giamdoc.sotuphap", version: 4,
                              extra: #","reason":"Cần xác minh thêm tại Công an thành phố","newAppointment":"2026-03-20T16:00:00+07:00""#)
            // A refused dossier (Mẫu 03) and a stopped one (Mẫu 05).
            app.at("2026-03-13T10:00:00")
            let (_, d2, _) = try await app.send(.post, "/api/v1/dossiers", as: "tiepnhan.sotuphap",
                                                json: DemoApp.intake("2.000488", case: "TH1", receive: false, name: "Trần Thị Bình"))
            let refused = try #require(d2["code"] as? String)
            try await app.act(refused, "refuse", as: "tiepnhan.sotuphap", version: 0, extra: #","reason":"Không thuộc thẩm quyền giải quyết""#)
            let (_, d3, _) = try await app.send(.post, "/api/v1/dossiers", as: "tiepnhan.sotuphap", json: DemoApp.intake("2.000488", case: "TH1", name: "Lê Văn Cường"))
            let stopped = try #require(d3["code"] as? String)
            try await app.act(stopped, "stop", as: "giamdoc.sotuphap", version: 1, extra: #","reason":"Người yêu cầu đề nghị dừng""#)

            let (cookie, _) = try await DeskPagesTests().login(app, "tiepnhan.sotuphap")
            func page(_ uri: String) async throws -> String {
                try await app.client.execute(uri: uri, method: .get, headers: [.cookie: cookie]) { r in
                    #expect(r.status == .ok, "\(uri): \(r.status)")
                    return r.text
                }
            }
            try Self.check("inbox", try await page("/can-bo"))
            try Self.check("dossier", try await page("/can-bo/ho-so/\(main)"))
            for form in ["01", "02", "04", "06"] { try Self.check("mau-\(form)", try await page("/can-bo/ho-so/\(main)/mau-\(form)")) }
            try Self.check("mau-03", try await page("/can-bo/ho-so/\(refused)/mau-03"))
            try Self.check("mau-05", try await page("/can-bo/ho-so/\(stopped)/mau-05"))
            try Self.check("mau-07", try await page("/can-bo/so-theo-doi?from=2026-03-01&to=2026-03-31"))
        }
    }
}
