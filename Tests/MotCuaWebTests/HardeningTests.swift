import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MotCuaCore
import MotCuaStore
import MotCuaTestSupport
import MotCuaWeb
import NIOCore
import Testing

/// Requests as an attacker sends them: malformed headers and bodies on every route, login abuse,
/// over-long and hidden characters, files that are not what they say, revoked tokens.
struct HardeningTests {
    static let pdf = "%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF"

    /// Header variants that once crashed the server or may: every route gets each of them.
    static let headerVariants: [HTTPFields] = [
        [.contentType: ""], [.contentType: ";"], [.contentType: ";application/pdf"], [.contentType: "multipart/form-data"],
        [.contentType: "multipart/form-data; boundary="], [.contentType: "multipart/form-data; boundary=\"\""],
        [.contentType: "multipart/form-data; boundary=\(String(repeating: "b", count: 200))"],
        [.contentType: "multipart/form-data; boundary=abc"], [.contentType: "application/x-www-form-urlencoded"],
        [.contentType: "application/json; charset"], [.contentType: "a/b; c=\"unterminated"],
        [.cookie: ""], [.cookie: "motcua_session"], [.cookie: "motcua_session=; motcua_login_csrf="],
        [.cookie: "motcua_session=\(String(repeating: "x", count: 8000))"],
        [.authorization: "Bearer"], [.authorization: "Bearer "], [.authorization: "Basic eDp5"],
        [.authorization: "Bearer \(String(repeating: "t", count: 10_000))"],
        [HTTPField.Name("Idempotency-Key")!: ""], [HTTPField.Name("Idempotency-Key")!: String(repeating: "k", count: 10_000)],
        [HTTPField.Name("X-Forwarded-For")!: "1.2.3.4, , ,,"],
    ]

    static let bodies: [String?] = [nil, "", "--abc\r\nContent-Disposition: form-data\r\n\r\nx", "--abc\r\n\r\n", "%zz=%&&&=&=",
                                    "{\"a\":\"\\u0000\"}", "\u{0}\u{1}\u{2}", String(repeating: "&", count: 100_000)]

    @Test func malformedHeadersAndBodiesOnEveryRouteNeverFailTheServer() async throws {
        try await DemoApp.run(.sqlite) { app in
            let (_, created, _) = try await app.send(.post, "/api/v1/dossiers", as: "tiepnhan.sotuphap",
                                                     json: DemoApp.intake("2.000488", case: "TH1", documents: ["Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp"]))
            let code = try #require(created["code"] as? String)
            let routes = AppBuilder.routeTable(services: app.services)
            #expect(routes.count > 30)
            var sent = 0
            for route in routes {
                let path = route.path.replacing("{code}", with: code).replacing("{form}", with: "mau-01").replacing("{id}", with: "x")
                    .replacing("{file}", with: "site.css")
                let method = HTTPRequest.Method(route.method) ?? .get
                for (i, headers) in Self.headerVariants.enumerated() {
                    let body = Self.bodies[i % Self.bodies.count]
                    try await app.client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { r in
                        #expect(r.status.code < 500, "\(route.method) \(path) with \(headers): \(r.status) \(r.text.prefix(200))")
                        if path.hasPrefix("/api/") && r.status.code >= 400 {
                            #expect(r.errorCode != nil, "\(route.method) \(path): error without the JSON shape")
                        }
                    }
                    sent += 1
                }
            }
            #expect(sent == routes.count * Self.headerVariants.count)
            // The desk login form posted as a broken multipart body (this once killed the process).
            try await app.client.execute(uri: "/can-bo/dang-nhap", method: .post, headers: [.contentType: "multipart/form-data; boundary="],
                                         body: ByteBuffer(string: "x")) { r in #expect(r.status == .badRequest) }
            // Paths and queries with control characters, and an over-long URL.
            try await app.client.execute(uri: "/api/v1/dossiers/\(code)%00", method: .get) { r in #expect(r.status == .badRequest) }
            try await app.client.execute(uri: "/thu-tuc?q=a%00b", method: .get) { r in #expect(r.status == .badRequest) }
            try await app.client.execute(uri: "/thu-tuc?q=%E2%80%AEabc", method: .get) { r in #expect(r.status == .badRequest) }
            try await app.client.execute(uri: "/thu-tuc?q=" + String(repeating: "a", count: 9000), method: .get) { r in
                #expect(r.status == .uriTooLong && r.errorCode == "uri_too_long")
            }
        }
    }

    @Test func uploadsMustDeclareAParsableTypeAndOnlyHandlersMayAttach() async throws {
        try await DemoApp.run(.sqlite) { app in
            let (_, created, _) = try await app.send(.post, "/api/v1/dossiers", as: "tiepnhan.ninhkieu",
                                                     json: DemoApp.intake("1.001193", case: "TH1", documents: ["Tờ khai đăng ký khai sinh"]))
            let code = try #require(created["code"] as? String)
            let uri = "/api/v1/dossiers/\(code)/files?name=a.pdf"
            for type in ["", ";", ";application/pdf", "application/", "/pdf", "application/pdf; =x", "text/html"] {
                let (status, e, _) = try await app.send(.post, uri, as: "chuyenvien.ninhkieu", headers: [.contentType: type], body: Self.pdf)
                #expect(status == .unsupportedMediaType && (e["error"] as? [String: Any])?["code"] as? String == "unsupported_media_type", "\(type)")
            }
            let (plain, pe, _) = try await app.send(.post, "/api/v1/dossiers", as: "tiepnhan.ninhkieu", headers: [.contentType: "text/plain"], body: "x")
            #expect(plain == .unsupportedMediaType && (pe["error"] as? [String: Any])?["code"] as? String == "unsupported_media_type")
            let (svg, e, _) = try await app.send(.post, "/api/v1/dossiers/\(code)/files?name=a.xml", as: "chuyenvien.ninhkieu",
                                                 headers: [.contentType: "application/xml"],
                                                 body: "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>")
            #expect(svg == .unprocessableContent && (e["error"] as? [String: Any])?["code"] as? String == "active_content")
            for user in ["theodoi.tinh", "quantri"] {
                let (status, _, _) = try await app.send(.post, uri, as: user, headers: [.contentType: "application/pdf"], body: Self.pdf)
                #expect(status == .forbidden || status == .notFound, "\(user) attached a file: \(status)")
            }
            let (ok, file, _) = try await app.send(.post, uri, as: "chuyenvien.ninhkieu", headers: [.contentType: "application/pdf; charset=binary"], body: Self.pdf)
            #expect(ok == .created)
            let id = try #require(file["id"] as? String)
            let (_, _, headers) = try await app.send(.get, "/api/v1/files/\(id)", as: "lanhdao.ninhkieu")
            #expect(headers[.contentDisposition]?.hasPrefix("attachment") == true && headers[.xContentTypeOptions] == "nosniff")
            #expect(headers[.contentSecurityPolicy]?.contains("sandbox") == true && headers[.cacheControl] == "no-store")
            let (_, _, dossierHeaders) = try await app.send(.get, "/api/v1/dossiers/\(code)", as: "lanhdao.ninhkieu")
            #expect(dossierHeaders[.cacheControl] == "no-store")
            // The city's monitor reads the ward's dossiers; the administrator does not.
            let (monitorRead, _, _) = try await app.send(.get, "/api/v1/dossiers/\(code)", as: "theodoi.tinh")
            let (adminRead, _, _) = try await app.send(.get, "/api/v1/dossiers/\(code)", as: "quantri")
            #expect(monitorRead == .ok && adminRead == .notFound)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func textsAreLimitedNormalisedAndCleanAndNothingBadIsStored(kind: DatabaseKind) async throws {
        try await DemoApp.run(kind) { app in
            // A NUL anywhere (login name, procedure code, desk form) is refused before any query.
            try await app.client.execute(uri: "/api/v1/auth/token", method: .post, headers: [.contentType: "application/json"],
                                         body: ByteBuffer(string: #"{"username":"tiepnhan\u0000","password":"x"}"#)) { r in
                #expect(r.status == .unprocessableContent)
            }
            let (nulCode, _, _) = try await app.send(.post, "/api/v1/dossiers", as: "tiepnhan.ninhkieu",
                                                     json: DemoApp.intake(#"1.001193\u0000"#, case: "TH1"))
            #expect(nulCode == .unprocessableContent)
            let login = try await DeskPagesTests.postLogin(app.client, "username=a%00b&password=x")
            #expect(login.status == .badRequest)
            func intake(name: String, extra: String = "") -> String {
                DemoApp.intake("1.001193", case: "TH1", name: name, documents: ["Tờ khai đăng ký khai sinh"])
                    .replacingOccurrences(of: #""documents""#, with: "\(extra)\"documents\"")
            }
            let cases: [(String, String)] = [
                (intake(name: String(repeating: "A", count: 201)), "applicant.name"),
                (intake(name: "Nguyễn\\u0000An"), "applicant.name"),
                (intake(name: "Trần \\u202eBình"), "applicant.name"),
                (intake(name: "Lê Văn C", extra: #""note":"\#(String(repeating: "n", count: 4001))","#), "note"),
            ]
            for (body, field) in cases {
                let (status, e, _) = try await app.send(.post, "/api/v1/dossiers", as: "tiepnhan.ninhkieu", json: body)
                let details = ((e["error"] as? [String: Any])?["details"] as? [String]) ?? []
                #expect(status == .unprocessableContent && details.contains { $0.hasPrefix(field) }, "\(field): \(status) \(details)")
            }
            let many = (0..<101).map { _ in #"{"component":"Tờ khai đăng ký khai sinh","form":"original","count":1}"# }.joined(separator: ",")
            let (tooMany, _, _) = try await app.send(.post, "/api/v1/dossiers", as: "tiepnhan.ninhkieu",
                                                     json: DemoApp.intake("1.001193", case: "TH1", complete: false).replacingOccurrences(of: #""documents":[]"#, with: #""documents":[\#(many)]"#))
            #expect(tooMany == .unprocessableContent)
            // Received at once with a required component missing: refused, naming it; an online
            // submission waiting for reception may be incomplete.
            let (incomplete, ie, _) = try await app.send(.post, "/api/v1/dossiers", as: "tiepnhan.ninhkieu",
                                                         json: DemoApp.intake("1.001193", case: "TH1", documents: ["Tờ khai đăng ký khai sinh"], complete: false))
            #expect(incomplete == .unprocessableContent
                    && (((ie["error"] as? [String: Any])?["details"] as? [String]) ?? []).contains { $0.contains("Giấy chứng sinh") })
            let (_, list, _) = try await app.send(.get, "/api/v1/dossiers", as: "tiepnhan.ninhkieu")
            #expect(list["count"] as? Int == 0)
            // NFD in, NFC stored: the two spellings of one name are one.
            let (created, d, _) = try await app.send(.post, "/api/v1/dossiers", as: "tiepnhan.ninhkieu", json: intake(name: "Nguye\u{0302}\u{0303}n Va\u{0306}n An"))
            #expect(created == .created)
            let stored = ((d["applicant"] as? [String: Any])?["name"] as? String) ?? ""
            #expect(stored.unicodeScalars.elementsEqual("Nguyễn Văn An".unicodeScalars))
            // A department of the city cannot open the ward's birth registration.
            let (wrongLevel, e, _) = try await app.send(.post, "/api/v1/dossiers", as: "tiepnhan.sotuphap", json: intake(name: "Lê Văn D"))
            #expect(wrongLevel == .unprocessableContent && (e["error"] as? [String: Any])?["code"] as? String == "procedure_not_served")
        }
    }

    @Test func idempotencyKeysBelongToTheirCaller() async throws {
        try await DemoApp.run(.sqlite) { app in
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "lan-1"]
            let (a, _, _) = try await app.send(.post, "/api/v1/dossiers", as: "tiepnhan.ninhkieu", json: DemoApp.intake("1.001193", case: "TH1"), headers: key)
            let (b, _, _) = try await app.send(.post, "/api/v1/dossiers", as: "tiepnhan.sotuphap", json: DemoApp.intake("2.000488", case: "TH1"), headers: key)
            #expect(a == .created && b == .created)
        }
    }

    @Test func logoutDeactivationAndPasswordChangeRevokeTokensAtOnce() async throws {
        try await DemoApp.run(.sqlite) { app in
            func get(_ token: String) async throws -> HTTPResponse.Status {
                try await app.client.execute(uri: "/api/v1/dossiers", method: .get, headers: [.authorization: "Bearer \(token)"]) { $0.status }
            }
            let t1 = try await app.token("chuyenvien.ninhkieu")
            #expect(try await get(t1) == .ok)
            try await app.client.execute(uri: "/api/v1/auth/logout", method: .post, headers: [.authorization: "Bearer \(t1)"]) { r in
                #expect(r.status == .noContent)
            }
            #expect(try await get(t1) == .unauthorized)
            let t2 = try await app.token("chuyenvien.ninhkieu")
            #expect(try await get(t2) == .ok)
            try await app.services.staff.setActive(username: "chuyenvien.ninhkieu", active: false)
            #expect(try await get(t2) == .unauthorized)
            try await app.services.staff.setActive(username: "chuyenvien.ninhkieu", active: true)
            let t3 = try await app.token("chuyenvien.ninhkieu")
            try await app.services.staff.setPassword(username: "chuyenvien.ninhkieu", passwordHash: app.services.hasher.hash("mat-khau-moi-2026"))
            #expect(try await get(t3) == .unauthorized)
        }
    }

    @Test func anAttackerCannotLockAnOfficerOutNorBypassTheThrottle() async throws {
        // Router tests have no socket: every request comes from "local", made a trusted proxy so
        // that X-Forwarded-For stands for the client's address.
        try await DemoApp.run(.sqlite, security: SecuritySettings(trustedProxies: ["local"])) { app in
            func login(_ user: String, _ password: String, from address: String) async throws -> (HTTPResponse.Status, String?) {
                try await app.client.execute(uri: "/api/v1/auth/token", method: .post,
                                             headers: [.contentType: "application/json", HTTPField.Name("X-Forwarded-For")!: address],
                                             body: ByteBuffer(string: #"{"username":"\#(user)","password":"\#(password)"}"#)) { ($0.status, $0.headers[.retryAfter]) }
            }
            #expect(try await login("tiepnhan.ninhkieu", "motcua-demo", from: "10.0.0.5").0 == .ok)
            // Wrong passwords from rotating addresses: the per-username counter slows them all.
            var statuses: [HTTPResponse.Status] = []
            for i in 0..<8 { statuses.append(try await login("tiepnhan.ninhkieu", "sai-\(i)", from: "203.0.113.\(i)").0) }
            #expect(statuses.prefix(5).allSatisfy { $0 == .unauthorized } && statuses.suffix(3).allSatisfy { $0 == .tooManyRequests })
            let (blocked, retry) = try await login("tiepnhan.ninhkieu", "motcua-demo", from: "198.51.100.7")
            #expect(blocked == .tooManyRequests && retry != nil)
            // The officer, from the usual address, still gets in.
            #expect(try await login("tiepnhan.ninhkieu", "motcua-demo", from: "10.0.0.5").0 == .ok)
            // Over-long usernames are refused before anything is stored.
            #expect(try await login(String(repeating: "u", count: 65), "x", from: "10.0.0.9").0 == .unprocessableContent)
        }
        // Without trusted proxies, X-Forwarded-For is ignored: rotating it does not reset anything.
        try await DemoApp.run(.sqlite) { app in
            var last = HTTPResponse.Status.ok
            for i in 0..<7 {
                last = try await app.client.execute(uri: "/api/v1/auth/token", method: .post,
                                                    headers: [.contentType: "application/json", HTTPField.Name("X-Forwarded-For")!: "203.0.113.\(i)"],
                                                    body: ByteBuffer(string: #"{"username":"chuyenvien.ninhkieu","password":"sai"}"#)) { $0.status }
            }
            #expect(last == .tooManyRequests)
        }
    }
}
