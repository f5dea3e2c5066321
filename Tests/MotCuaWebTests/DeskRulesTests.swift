import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MotCuaStore
import MotCuaTestSupport
import MotCuaWeb
import NIOCore
import Testing

/// The desk as a reception officer uses it for the corrected rules: a supplement names the
/// published components and Mẫu 02 prints them as a table; errors are in Vietnamese.
struct DeskRulesTests {
    /// A 2.000488 dossier received at the Sở Tư pháp, and its reception officer logged in at the
    /// desk: the code, the session cookie, the CSRF token and form headers carrying the cookie.
    static func receivedAtTheDesk(_ app: DemoApp) async throws -> (code: String, cookie: String, csrf: String, headers: HTTPFields) {
        let (_, d, _) = try await app.send(.post, "/api/v1/dossiers", as: "tiepnhan.sotuphap", json: DemoApp.intake("2.000488", case: "TH1"))
        let code = try #require(d["code"] as? String)
        let (cookie, csrf) = try await DeskPagesTests().login(app, "tiepnhan.sotuphap")
        var headers = DeskPagesTests.form
        headers[.cookie] = cookie
        return (code, cookie, csrf, headers)
    }

    @Test func aSupplementListsComponentsAndPrintsThemOnForm02() async throws {
        try await DemoApp.run(.sqlite) { app in
            let (code, cookie, csrf, headers) = try await Self.receivedAtTheDesk(app)
            // The action form offers the case's components as checkboxes.
            try await app.client.execute(uri: "/can-bo/ho-so/\(code)", method: .get, headers: [.cookie: cookie]) { r in
                #expect(r.text.contains(#"name="component1""#) && r.text.contains("Căn cước hoặc hộ chiếu của người được cấp Phiếu"))
            }
            // Nothing ticked: refused in Vietnamese, nothing changes.
            try await app.client.execute(uri: "/can-bo/ho-so/\(code)/hanh-dong", method: .post, headers: headers,
                                         body: ByteBuffer(string: "csrf=\(csrf)&action=request-supplement&version=1&reason=abc")) { r in
                #expect(r.status == .unprocessableContent && r.text.contains("Hãy chọn giấy tờ cần bổ sung"))
            }
            // Another paper without its legal basis: refused too.
            try await app.client.execute(uri: "/can-bo/ho-so/\(code)/hanh-dong", method: .post, headers: headers,
                                         body: ByteBuffer(string: "csrf=\(csrf)&action=request-supplement&version=1&other=S%E1%BB%95+h%E1%BB%99+kh%E1%BA%A9u")) { r in
                #expect(r.status == .unprocessableContent && r.text.contains("căn cứ pháp lý"))
            }
            try await app.client.execute(uri: "/can-bo/ho-so/\(code)/hanh-dong", method: .post, headers: headers,
                                         body: ByteBuffer(string: "csrf=\(csrf)&action=request-supplement&version=1&component1=1&reason=B%E1%BA%A3n+sao")) { r in
                #expect(r.status == .seeOther)
            }
            try await app.client.execute(uri: "/can-bo/ho-so/\(code)/mau-02", method: .get, headers: [.cookie: cookie]) { r in
                #expect(r.status == .ok)
                #expect(r.text.contains("<td>Căn cước hoặc hộ chiếu của người được cấp Phiếu</td>") && r.text.contains("Hướng dẫn thêm: Bản sao"))
            }
        }
    }

    @Test func aDoubleSubmittedIntakeFormOpensOneDossierAndErrorsKeepTheTicks() async throws {
        try await DemoApp.run(.sqlite) { app in
            let (cookie, csrf) = try await DeskPagesTests().login(app, "tiepnhan.sotuphap")
            var headers = DeskPagesTests.form
            headers[.cookie] = cookie
            let formKey = try await app.client.execute(uri: "/can-bo/tiep-nhan?procedure=2.000488", method: .get, headers: [.cookie: cookie]) { r -> String in
                guard let range = r.text.range(of: #"name="formKey" value=""#) else { return "" }
                return String(r.text[range.upperBound...].prefix { $0 != "\"" })
            }
            #expect(!formKey.isEmpty)
            // An invalid ID: the page comes back with the ticks, forms and counts kept and a clear message.
            let fields = "csrf=\(csrf)&procedure=2.000488&case=TH1&formKey=\(formKey)&channel=counter&doc0=1&form0=certified-copy&count0=2&doc1=1"
            try await app.client.execute(uri: "/can-bo/tiep-nhan", method: .post, headers: headers,
                                         body: ByteBuffer(string: fields + "&applicantKind=person&name=L%C3%AA+V%C4%83n+B&idNumber=123")) { r in
                #expect(r.status == .unprocessableContent && r.text.contains("từ 001 đến 096"))
                #expect(r.text.contains(#"id="doc0" name="doc0" value="1" checked"#) && r.text.contains(#"<option value="certified-copy" selected>"#))
                #expect(r.text.contains(#"name="count0" type="number" min="1" step="1" inputmode="numeric" value="2""#))
            }
            // Two clicks on "Tiếp nhận": one dossier, both answers lead to its receipt.
            var locations: [String] = []
            for _ in 0..<2 {
                try await app.client.execute(uri: "/can-bo/tiep-nhan", method: .post, headers: headers,
                                             body: ByteBuffer(string: fields + "&applicantKind=person&name=L%C3%AA+V%C4%83n+B&idNumber=092095001234")) { r in
                    #expect(r.status == .seeOther)
                    locations.append(r.headers[.location] ?? "")
                }
            }
            #expect(locations.count == 2 && locations[0] == locations[1] && locations[0].hasSuffix("/mau-01"))
            let (_, list, _) = try await app.send(.get, "/api/v1/dossiers", as: "tiepnhan.sotuphap")
            #expect(list["count"] as? Int == 1)
        }
    }

    @Test func formsPrintOnlyAfterTheirEventAndTheTrackingBookIsAuditedAndLinked() async throws {
        try await DemoApp.run(.sqlite) { app in
            let (_, d, _) = try await app.send(.post, "/api/v1/dossiers", as: "tiepnhan.sotuphap", json: DemoApp.intake("2.000488", case: "TH1"))
            let code = try #require(d["code"] as? String)
            let (cookie, _) = try await DeskPagesTests().login(app, "tiepnhan.sotuphap")
            // No refusal, apology or stop yet: those forms are not offered and do not print.
            for form in ["02", "03", "04", "05"] {
                try await app.client.execute(uri: "/can-bo/ho-so/\(code)/mau-\(form)", method: .get, headers: [.cookie: cookie]) { r in
                    #expect(r.status == .notFound && r.text.contains("sự việc tương ứng chưa xảy ra"), "Mẫu \(form)")
                }
            }
            try await app.client.execute(uri: "/can-bo/ho-so/\(code)", method: .get, headers: [.cookie: cookie]) { r in
                #expect(r.text.contains("/mau-01") && !r.text.contains("/mau-03") && r.headers[.cacheControl] == "no-store")
            }
            // Mẫu 06 has the received and due instants in its header.
            try await app.client.execute(uri: "/can-bo/ho-so/\(code)/mau-06", method: .get, headers: [.cookie: cookie]) { r in
                #expect(r.text.contains("Thời gian nhận hồ sơ: 08:00 ngày 02/03/2026") && r.text.contains("Thời gian trả kết quả giải quyết hồ sơ"))
            }
            // The tracking book is linked from the inbox, has the circular's columns, and its read is audited.
            try await app.client.execute(uri: "/can-bo", method: .get, headers: [.cookie: cookie]) { r in #expect(r.text.contains("/can-bo/so-theo-doi")) }
            let before = try await AuditLog.verify(app.database)
            try await app.client.execute(uri: "/can-bo/so-theo-doi?from=2026-03-01&to=2026-03-31", method: .get, headers: [.cookie: cookie]) { r in
                #expect(r.status == .ok && r.text.contains(code) && r.text.contains("Cơ quan giải quyết") && r.text.contains("Hình thức nhận kết quả"))
            }
            let after = try await AuditLog.verify(app.database)
            guard case .intact(let n0, _) = before, case .intact(let n1, _) = after else { Issue.record("audit broken"); return }
            #expect(n1 == n0 + 1)
        }
    }

    @Test func afterLoginTheOfficerLandsWhereTheyAskedAndErrorPagesKeepTheHeader() async throws {
        try await DemoApp.run(.sqlite) { app in
            let (_, d, _) = try await app.send(.post, "/api/v1/dossiers", as: "tiepnhan.sotuphap", json: DemoApp.intake("2.000488", case: "TH1"))
            let code = try #require(d["code"] as? String)
            let wanted = "/can-bo/ho-so/\(code)"
            let login = try await app.client.execute(uri: wanted, method: .get) { r -> String in
                #expect(r.status == .seeOther)
                return r.headers[.location] ?? ""
            }
            #expect(login == "/can-bo/dang-nhap?next=%2Fcan%2Dbo%2Fho%2Dso%2F\(code.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")
            let r1 = try await DeskPagesTests.postLogin(app.client, "username=tiepnhan.sotuphap&password=motcua-demo&next=\(wanted.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")
            #expect(r1.status == .seeOther && r1.headers[.location] == wanted)
            // Another site is never a destination.
            let r2 = try await DeskPagesTests.postLogin(app.client, "username=tiepnhan.sotuphap&password=motcua-demo&next=https%3A%2F%2Fevil.example%2F")
            #expect(r2.headers[.location] == "/can-bo")
            let r3 = try await DeskPagesTests.postLogin(app.client, "username=tiepnhan.sotuphap&password=motcua-demo&next=%2F%2Fevil.example")
            #expect(r3.headers[.location] == "/can-bo")
            // An error page for a logged-in officer keeps the staff header (name, logout) and is Vietnamese.
            let cookie = String((r1.headers[.setCookie] ?? "").split(separator: ";").first ?? "")
            try await app.client.execute(uri: "/can-bo/ho-so/H13.01-000000-0000", method: .get, headers: [.cookie: cookie]) { r in
                #expect(r.status == .notFound && r.text.contains("Đăng xuất") && r.text.contains("Không tìm thấy"))
            }
        }
    }

    @Test func endingADossierAsksForConfirmationAndTheTimelineReadsWell() async throws {
        try await DemoApp.run(.sqlite) { app in
            let (code, cookie, csrf, headers) = try await Self.receivedAtTheDesk(app)
            try await app.client.execute(uri: "/can-bo/ho-so/\(code)", method: .get, headers: [.cookie: cookie]) { r in
                #expect(r.text.contains(#"class="danger""#) && r.text.contains(#"name="confirm""#))
                // The submission row shows one status, not "Mới nộp → Mới nộp".
                #expect(!r.text.contains("chuyển sang</span> Mới nộp"))
            }
            try await app.client.execute(uri: "/can-bo/ho-so/\(code)/hanh-dong", method: .post, headers: headers,
                                         body: ByteBuffer(string: "csrf=\(csrf)&action=withdraw&version=1&reason=C%C3%B4ng+d%C3%A2n+xin+r%C3%BAt")) { r in
                #expect(r.status == .unprocessableContent && r.text.contains("Hãy đánh dấu ô xác nhận"))
            }
            try await app.client.execute(uri: "/can-bo/ho-so/\(code)/hanh-dong", method: .post, headers: headers,
                                         body: ByteBuffer(string: "csrf=\(csrf)&action=withdraw&version=1&confirm=1&reason=C%C3%B4ng+d%C3%A2n+xin+r%C3%BAt")) { r in
                #expect(r.status == .seeOther)
            }
        }
    }

    @Test func aBirthRegistrationIsDueTheSameDayBeforeTheCutOff() async throws {
        try await DemoApp.run(.sqlite) { app in
            app.at("2026-03-02T14:00:00")
            let (_, early, _) = try await app.send(.post, "/api/v1/dossiers", as: "tiepnhan.ninhkieu", json: DemoApp.intake("1.001193", case: "TH1"))
            #expect(early["dueAt"] as? String == "2026-03-02T17:00:00+07:00")
            app.at("2026-03-02T15:30:00")
            let (_, late, _) = try await app.send(.post, "/api/v1/dossiers", as: "tiepnhan.ninhkieu", json: DemoApp.intake("1.001193", case: "TH1"))
            #expect(late["dueAt"] as? String == "2026-03-03T17:00:00+07:00")
            // The procedure page says it in Vietnamese.
            try await app.client.execute(uri: "/thu-tuc/1.001193", method: .get) { r in #expect(r.text.contains("Trong ngày")) }
        }
    }

    @Test func printedFormsAreNumberedPerFormAndAgency() async throws {
        try await DemoApp.run(.sqlite) { app in
            var codes: [String] = []
            for (user, procedure) in [("tiepnhan.sotuphap", "2.000488"), ("tiepnhan.sotuphap", "2.000488"), ("tiepnhan.ninhkieu", "1.001193")] {
                let (_, d, _) = try await app.send(.post, "/api/v1/dossiers", as: user, json: DemoApp.intake(procedure, case: "TH1"))
                codes.append(try #require(d["code"] as? String))
            }
            let (sotuphap, _) = try await DeskPagesTests().login(app, "tiepnhan.sotuphap")
            let (ninhkieu, _) = try await DeskPagesTests().login(app, "tiepnhan.ninhkieu")
            for (code, cookie, number) in [(codes[0], sotuphap, "1/TNHS"), (codes[1], sotuphap, "2/TNHS"), (codes[2], ninhkieu, "1/TNHS")] {
                try await app.client.execute(uri: "/can-bo/ho-so/\(code)/mau-01", method: .get, headers: [.cookie: cookie]) { r in
                    #expect(r.text.contains("Số: \(number)"), "\(code)")
                }
            }
        }
    }
}
