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
}
