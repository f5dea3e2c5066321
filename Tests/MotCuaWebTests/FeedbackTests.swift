import Foundation
import HTTPTypes
import MotCuaCore
import MotCuaStore
import MotCuaTestSupport
import NIOCore
import Testing

/// Feedback (phản ánh, kiến nghị): submitted without an account, routed to the agency, answered at
/// the desk within the deadline (late ones marked for the monitor), the answer sent and published.
struct FeedbackTests {
    @Test(arguments: TestDatabases.kinds)
    func submitAnswerPublish(kind: DatabaseKind) async throws {
        try await DemoApp.run(kind, start: "2026-12-03T09:00:00+07:00") { app in
            let (csrf, cookie) = try await app.client.execute(uri: "/phan-anh-kien-nghi", method: .get) { r -> (String, String) in
                (String(r.text.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1 ?? ""), String((r.headers[.setCookie] ?? "").split(separator: ";").first ?? ""))
            }
            let body = "csrf=\(csrf)&name=L%C3%AA+V%C4%83n+T%C3%A1m&email=tam%40example.vn&agency=H13.41&category=lateness&content=" +
                "H%E1%BB%93+s%C6%A1+khai+sinh+tr%E1%BB%85+h%E1%BA%B9n+3+ng%C3%A0y"
            let reference = try await app.client.execute(uri: "/phan-anh-kien-nghi", method: .post,
                                                         headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookie], body: ByteBuffer(string: body)) { r in
                #expect(r.status == .created, "\(r.text.prefix(300))")
                return String(r.text.firstMatch(of: /PAKN-\d{6}-\d{4}/)?.0 ?? "")
            }
            #expect(reference == "PAKN-261203-0001")
            // Without the form's cookie it is refused and nothing is stored.
            try await app.client.execute(uri: "/phan-anh-kien-nghi", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                         body: ByteBuffer(string: body)) { #expect($0.status == .forbidden) }
            // The reception of Ninh Kiều and the city's monitor see it; another agency does not.
            let desk = DeskPagesTests()
            let (nk0, _) = try await desk.login(app, "tiepnhan.ninhkieu")
            try await app.client.execute(uri: "/can-bo/phan-anh", method: .get, headers: [.cookie: nk0]) { r in
                #expect(r.status == .ok && r.text.contains(reference) && !r.text.contains("quá hạn</span>"))
            }
            let (other, _) = try await desk.login(app, "tiepnhan.sotuphap")
            try await app.client.execute(uri: "/can-bo/phan-anh/\(reference)", method: .get, headers: [.cookie: other]) { #expect($0.status == .notFound) }
            // 15 working days later it is late for the monitor.
            app.at("2026-12-28T09:00:00")
            let (monitor, _) = try await desk.login(app, "theodoi.tinh")
            let (nk, nkCSRF) = try await desk.login(app, "tiepnhan.ninhkieu")
            try await app.client.execute(uri: "/can-bo/phan-anh", method: .get, headers: [.cookie: monitor]) { r in
                #expect(r.text.contains(reference) && r.text.contains("quá hạn</span>"))
            }
            try await app.client.execute(uri: "/can-bo/phan-anh/\(reference)", method: .post, headers: [.contentType: "application/x-www-form-urlencoded", .cookie: monitor],
                                         body: ByteBuffer(string: "csrf=x&answer=abc")) { #expect($0.status == .forbidden) }
            let answer = "csrf=\(nkCSRF)&publish=1&answer=" + "Ph%C6%B0%E1%BB%9Dng+%C4%91%C3%A3+xin+l%E1%BB%97i+v%C3%A0+tr%E1%BA%A3+k%E1%BA%BFt+qu%E1%BA%A3"
            try await app.client.execute(uri: "/can-bo/phan-anh/\(reference)", method: .post, headers: [.contentType: "application/x-www-form-urlencoded", .cookie: nk],
                                         body: ByteBuffer(string: answer)) { #expect($0.status == .seeOther) }
            try await app.client.execute(uri: "/can-bo/phan-anh/\(reference)", method: .post, headers: [.contentType: "application/x-www-form-urlencoded", .cookie: nk],
                                         body: ByteBuffer(string: answer)) { #expect($0.status == .conflict) }
            let f = try #require(try await app.services.feedback.feedback(reference: reference))
            #expect(f.published && f.isLate(at: app.clock.now) && f.answeredBy == "tiepnhan.ninhkieu")
            let mail = try await app.services.outbox.due(now: app.clock.now).first { $0.form == "feedback-answer" }
            #expect(mail?.recipient == "tam@example.vn" && mail?.message.contains("Phường đã xin lỗi") == true)
            try await app.client.execute(uri: "/phan-anh-kien-nghi", method: .get) { r in
                #expect(r.text.contains("Phường đã xin lỗi") && !r.text.contains("tam@example.vn"))
            }
        }
    }
}
