import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MotCuaStore
import MotCuaWeb
import NIOCore
import Testing

/// The desk as a reception officer uses it for the corrected rules: a supplement names the
/// published components and Mẫu 02 prints them as a table; errors are in Vietnamese.
struct DeskRulesTests {
    @Test func aSupplementListsComponentsAndPrintsThemOnForm02() async throws {
        try await DemoApp.run(.sqlite) { app in
            let (_, d, _) = try await app.send(.post, "/api/v1/dossiers", as: "tiepnhan.sotuphap", json: DemoApp.intake("2.000488", case: "TH1"))
            let code = try #require(d["code"] as? String)
            let (cookie, csrf) = try await DeskPagesTests().login(app, "tiepnhan.sotuphap")
            var headers = DeskPagesTests.form
            headers[.cookie] = cookie
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
}
