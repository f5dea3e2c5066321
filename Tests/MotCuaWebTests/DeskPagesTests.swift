import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MotCuaStore
import MotCuaWeb
import Testing

/// The staff desk through HTML forms: login, counter intake, receipt (Mẫu 01), actions with CSRF,
/// control sheet (Mẫu 06), tracking book (Mẫu 07).
struct DeskPagesTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    /// The login form's double-submit CSRF cookie and token (GET /can-bo/dang-nhap).
    static func loginForm(_ client: any TestClientProtocol) async throws -> (cookie: String, csrf: String) {
        try await client.execute(uri: "/can-bo/dang-nhap", method: .get) { r -> (String, String) in
            let cookie = String((r.headers[.setCookie] ?? "").split(separator: ";").first ?? "")
            let html = r.text
            guard let range = html.range(of: #"name="csrf" value=""#) else { return (cookie, "") }
            return (cookie, String(html[range.upperBound...].prefix { $0 != "\"" }))
        }
    }

    /// Posts the login form as a browser does (with the CSRF cookie and field).
    static func postLogin(_ client: any TestClientProtocol, _ fields: String, extraHeaders: HTTPFields = [:]) async throws -> TestResponse {
        let (cookie, csrf) = try await loginForm(client)
        var headers = form
        headers[.cookie] = cookie
        headers.append(contentsOf: extraHeaders)
        return try await client.execute(uri: "/can-bo/dang-nhap", method: .post, headers: headers, body: ByteBuffer(string: "\(fields)&csrf=\(csrf)"))
    }

    func login(_ app: DemoApp, _ user: String) async throws -> (cookie: String, csrf: String) {
        let cookie = try await { () async throws -> String in
            let r = try await Self.postLogin(app.client, "username=\(user)&password=motcua-demo")
            #expect(r.status == .seeOther && r.headers[.location] == "/can-bo")
            let setCookie = r.headers[.setCookie] ?? ""
            #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"))
            return String(setCookie.split(separator: ";").first ?? "")
        }()
        let csrf = try await app.client.execute(uri: "/can-bo", method: .get, headers: [.cookie: cookie]) { r -> String in
            #expect(r.status == .ok)
            let html = r.text
            guard let range = html.range(of: #"name="csrf" value=""#) else { return "" }
            return String(html[range.upperBound...].prefix { $0 != "\"" })
        }
        return (cookie, csrf)
    }

    @Test func counterIntakeActionsAndPrintedForms() async throws {
        try await DemoApp.run(.sqlite) { app in
            // Without a session, the desk redirects to the login page.
            try await app.client.execute(uri: "/can-bo", method: .get) { r in
                #expect(r.status == .seeOther && r.headers[.location] == "/can-bo/dang-nhap")
            }
            let wrong = try await Self.postLogin(app.client, "username=tiepnhan.sotuphap&password=sai")
            #expect(wrong.status == .unauthorized && wrong.text.contains("không đúng"))
            // A login post without the form's CSRF token (a cross-site post) is refused.
            try await app.client.execute(uri: "/can-bo/dang-nhap", method: .post, headers: Self.form,
                                         body: ByteBuffer(string: "username=tiepnhan.sotuphap&password=motcua-demo")) { r in
                #expect(r.status == .forbidden && r.headers[.setCookie]?.contains(StaffAuth.cookieName) != true)
            }
            let (cookie, csrf) = try await login(app, "tiepnhan.sotuphap")
            #expect(!csrf.isEmpty)
            var headers = Self.form
            headers[.cookie] = cookie
            try await app.client.execute(uri: "/can-bo/tiep-nhan?procedure=2.000488", method: .get, headers: [.cookie: cookie]) { r in
                #expect(r.status == .ok && r.text.contains("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp"))
            }
            // A bad citizen ID comes back with a Vietnamese error and changes nothing.
            let bad = "csrf=\(csrf)&procedure=2.000488&case=TH1&channel=counter&doc0=1&form0=original&count0=1&doc1=1&form1=photocopy&count1=1&applicantKind=person&name=Nguy%E1%BB%85n+V%C4%83n+An&idNumber=123"
            try await app.client.execute(uri: "/can-bo/tiep-nhan", method: .post, headers: headers, body: ByteBuffer(string: bad)) { r in
                #expect(r.status == .unprocessableContent && r.text.contains("12 chữ số"))
            }
            let good = bad.replacingOccurrences(of: "idNumber=123", with: "idNumber=092095001234&phone=0912345678")
            let receipt = try await app.client.execute(uri: "/can-bo/tiep-nhan", method: .post, headers: headers, body: ByteBuffer(string: good)) { r -> String in
                #expect(r.status == .seeOther)
                return r.headers[.location] ?? ""
            }
            #expect(receipt == "/can-bo/ho-so/H13.01-260302-0001/mau-01")
            try await app.client.execute(uri: receipt, method: .get, headers: [.cookie: cookie]) { r in
                #expect(r.status == .ok)
                #expect(r.text.contains("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ") && r.text.contains("Nguyễn Văn An"))
                #expect(r.text.contains("08:00 ngày 16/03/2026") && r.text.contains("/static/print.css"))
            }
            // An action without the CSRF token is refused; with it, it is applied.
            try await app.client.execute(uri: "/can-bo/ho-so/H13.01-260302-0001/hanh-dong", method: .post, headers: headers,
                                         body: ByteBuffer(string: "action=transfer&version=1")) { r in #expect(r.status == .forbidden) }
            try await app.client.execute(uri: "/can-bo/ho-so/H13.01-260302-0001/hanh-dong", method: .post, headers: headers,
                                         body: ByteBuffer(string: "csrf=\(csrf)&action=transfer&version=1&note=Chuy%E1%BB%83n")) { r in
                #expect(r.status == .seeOther)
            }
            // A stale form shows a Vietnamese conflict message.
            try await app.client.execute(uri: "/can-bo/ho-so/H13.01-260302-0001/hanh-dong", method: .post, headers: headers,
                                         body: ByteBuffer(string: "csrf=\(csrf)&action=request-supplement&version=1&component1=1&reason=Thi%E1%BA%BFu")) { r in
                #expect(r.status == .conflict && r.text.contains("người khác cập nhật"))
            }
            try await app.client.execute(uri: "/can-bo/ho-so/H13.01-260302-0001", method: .get, headers: [.cookie: cookie]) { r in
                #expect(r.text.contains("Chuyển xử lý") && r.text.contains("Quá trình xử lý"))
            }
            try await app.client.execute(uri: "/can-bo/ho-so/H13.01-260302-0001/mau-06", method: .get, headers: [.cookie: cookie]) { r in
                #expect(r.status == .ok && r.text.contains("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ") && r.text.contains("Võ Thị Mai"))
            }
            try await app.client.execute(uri: "/can-bo/so-theo-doi?from=2026-03-01&to=2026-03-31", method: .get, headers: [.cookie: cookie]) { r in
                #expect(r.status == .ok && r.text.contains("SỔ THEO DÕI HỒ SƠ") && r.text.contains("H13.01-260302-0001"))
            }
            // The dossier reaches the clerk, whose step produces the result: the clerk records an
            // electronic result with a file, through a multipart form.
            try await app.act("H13.01-260302-0001", "transfer", as: "chuyenvien.sotuphap", version: 2)
            try await app.act("H13.01-260302-0001", "approve", as: "truongphong.sotuphap", version: 3)
            try await app.act("H13.01-260302-0001", "approve", as: "giamdoc.sotuphap", version: 4)
            let (specialist, specialistCSRF) = try await login(app, "vanthu.sotuphap")
            let boundary = "----motcua-test"
            let multipart = [("csrf", specialistCSRF), ("action", "record-result"), ("version", "5"), ("electronic", "1")]
                .map { "--\(boundary)\r\nContent-Disposition: form-data; name=\"\($0.0)\"\r\n\r\n\($0.1)\r\n" }.joined()
                + "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"ket-qua.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 kết quả\r\n--\(boundary)--\r\n"
            try await app.client.execute(uri: "/can-bo/ho-so/H13.01-260302-0001/hanh-dong", method: .post,
                                         headers: [.contentType: "multipart/form-data; boundary=\(boundary)", .cookie: specialist],
                                         body: ByteBuffer(string: multipart)) { r in #expect(r.status == .seeOther) }
            let link = try await app.client.execute(uri: "/can-bo/ho-so/H13.01-260302-0001", method: .get, headers: [.cookie: specialist]) { r -> String in
                #expect(r.text.contains("ket-qua.pdf") && r.text.contains("kết quả điện tử"))
                guard let range = r.text.range(of: "/can-bo/tep/") else { return "" }
                return "/can-bo/tep/" + r.text[range.upperBound...].prefix { $0 != "\"" }
            }
            try await app.client.execute(uri: link, method: .get, headers: [.cookie: specialist]) { r in
                #expect(r.status == .ok && r.headers[.contentType] == "application/pdf" && r.text == "%PDF-1.4 kết quả")
            }
            // Another agency's officer does not see it.
            let (other, _) = try await login(app, "tiepnhan.ninhkieu")
            try await app.client.execute(uri: "/can-bo/ho-so/H13.01-260302-0001", method: .get, headers: [.cookie: other]) { r in
                #expect(r.status == .notFound)
            }
        }
    }
}
