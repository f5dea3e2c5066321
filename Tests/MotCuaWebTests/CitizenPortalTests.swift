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

/// The citizens' portal end to end without sockets, on both databases: register (the confirmation
/// link goes through the outbox), confirm, log in, prepare a birth registration online with an
/// upload and a reused document, submit, the desk receives and asks for a supplement, the citizen
/// supplements online; tracking, ownership and token separation.
struct CitizenPortalTests {
    static let pdf = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
    static let birthTH1 = DemoApp.required["1.001193/TH1"]!

    /// Registers through the form; returns the confirmation secret read from the outbox.
    static func register(_ app: DemoApp, email: String, id: String, name: String = "Trần Thị Bình") async throws -> String {
        let (csrf, cookie) = try await app.client.execute(uri: "/dang-ky", method: .get) { r -> (String, String) in
            let html = r.text
            guard let m = html.firstMatch(of: /name="csrf" value="([^"]+)"/), let c = r.headers[.setCookie]?.split(separator: ";").first else {
                throw TestFailure("no csrf on the registration form")
            }
            return (String(m.1), String(c))
        }
        let form = ["csrf": csrf, "kind": "person", "fullName": name, "idNumber": id, "email": email, "phone": "",
                    "password": "mat-khau-rat-dai", "password2": "mat-khau-rat-dai"]
        let body = form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }.joined(separator: "&")
        try await app.client.execute(uri: "/dang-ky", method: .post, headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookie],
                                     body: ByteBuffer(string: body)) { r in
            #expect(r.status == .created, "\(r.text.prefix(400))")
            #expect(r.text.contains("Đăng ký thành công"))
        }
        let mail = try #require(try await app.services.outbox.due(now: app.clock.now).first { $0.recipient == email && $0.form == "account-verify" })
        #expect(mail.subject == "Xác nhận địa chỉ thư điện tử" && mail.dossierCode == "")
        return String(try #require(mail.message.firstMatch(of: /xac-nhan-email\?ma=([A-Za-z0-9_-]+)/)).1)
    }

    static func citizenToken(_ app: DemoApp, _ login: String) async throws -> String {
        try await app.client.execute(uri: "/api/v1/citizen/token", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: #"{"login":"\#(login)","password":"mat-khau-rat-dai"}"#)) { r in
            guard r.status == .ok, let t = r.object["token"] as? String else { throw TestFailure("citizen token: \(r.status) \(r.text)") }
            return t
        }
    }

    @discardableResult
    static func call(_ app: DemoApp, _ method: HTTPRequest.Method, _ uri: String, token: String, json: String? = nil, type: String? = nil,
                     raw: String? = nil) async throws -> (HTTPResponse.Status, [String: Any]) {
        var h: HTTPFields = [.authorization: "Bearer \(token)"]
        if json != nil { h[.contentType] = "application/json" }
        if let type { h[.contentType] = type }
        return try await app.client.execute(uri: uri, method: method, headers: h, body: (json ?? raw).map { ByteBuffer(string: $0) }) { ($0.status, $0.object) }
    }

    static func q(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }

    @Test(arguments: TestDatabases.kinds)
    func registerSubmitReceiveSupplementTrack(kind: DatabaseKind) async throws {
        try await DemoApp.run(kind, start: "2026-12-03T08:00:00+07:00") { app in
            let secret = try await Self.register(app, email: "binh@example.vn", id: "092195004321")
            let token = try await Self.citizenToken(app, "binh@example.vn")
            // Not confirmed yet: a draft can be prepared but not submitted.
            let (ds, draft) = try await Self.call(app, .post, "/api/v1/me/drafts", token: token,
                                                  json: #"{"procedureCode":"1.001193","caseCode":"TH1","agencyCode":"H13.41","postalAddress":"12 Hòa Bình, Ninh Kiều"}"#)
            #expect(ds == .created, "\(draft)")
            let draftID = try #require(draft["id"] as? String)
            let c = Self.birthTH1
            let (u1, doc1) = try await Self.call(app, .post, "/api/v1/me/drafts/\(draftID)/files?component=\(Self.q(c[0]))&name=to-khai.pdf", token: token,
                                                 type: "application/pdf", raw: Self.pdf)
            #expect(u1 == .created && doc1["size"] as? Int == Self.pdf.utf8.count)
            let sha = try #require(doc1["sha256"] as? String)
            #expect(app.services.blobs.contains(sha), "the upload is in the blob store under its hash")
            try await Self.call(app, .post, "/api/v1/me/drafts/\(draftID)/files?component=\(Self.q(c[1]))&name=chung-sinh.pdf", token: token,
                                type: "application/pdf", raw: Self.pdf + "2")
            // A file whose bytes are not its type, and one of an unknown type, are refused.
            let (bad, badBody) = try await Self.call(app, .post, "/api/v1/me/drafts/\(draftID)/files?component=\(Self.q(c[1]))&name=x.pdf", token: token,
                                                     type: "application/pdf", raw: "<html>")
            #expect(bad == .unprocessableContent && (badBody["error"] as? [String: Any])?["code"] as? String == "content_mismatch")
            let (bad2, _) = try await Self.call(app, .post, "/api/v1/me/drafts/\(draftID)/files?component=\(Self.q(c[1]))&name=x.html", token: token,
                                                type: "text/html", raw: "<p>")
            #expect(bad2 == .unsupportedMediaType)
            // The third component: the document already in the store (once-only).
            let docID = try #require(doc1["id"] as? String)
            let (rs, reused) = try await Self.call(app, .post, "/api/v1/me/drafts/\(draftID)/reuse", token: token,
                                                   json: #"{"component":"\#(c[2])","documentId":"\#(docID)"}"#)
            #expect(rs == .ok && (reused["documents"] as? [[String: Any]])?.filter { $0["reused"] as? Bool == true }.count == 1)
            let (early, earlyBody) = try await Self.call(app, .post, "/api/v1/me/drafts/\(draftID)/submit", token: token)
            #expect(early == .unprocessableContent && (earlyBody["error"] as? [String: Any])?["code"] as? String == "account_not_verified")
            // Confirm the e-mail (once), then submit.
            try await app.client.execute(uri: "/xac-nhan-email?ma=\(secret)", method: .get) { #expect($0.status == .ok && $0.text.contains("Đã xác nhận")) }
            try await app.client.execute(uri: "/xac-nhan-email?ma=\(secret)", method: .get) { #expect($0.status == .badRequest) }
            let (ss, submitted) = try await Self.call(app, .post, "/api/v1/me/drafts/\(draftID)/submit", token: token)
            #expect(ss == .created, "\(submitted)")
            let dossier = try #require(submitted["dossier"] as? [String: Any])
            let code = try #require(dossier["code"] as? String)
            let tracking = try #require(submitted["trackingSecret"] as? String)
            #expect(code == "H13.41-261203-0001" && dossier["status"] as? String == "submitted" && dossier["portalStatus"] as? Int == 1)
            #expect((submitted["documents"] as? [[String: Any]])?.count == 3 && submitted["postalAddress"] as? String == "12 Hòa Bình, Ninh Kiều")
            #expect((submitted["history"] as? [[String: Any]])?.first?["byApplicant"] as? Bool == true)
            // The draft is gone; a second submit finds nothing.
            #expect(try await Self.call(app, .post, "/api/v1/me/drafts/\(draftID)/submit", token: token).0 == .notFound)

            // The desk receives it and asks for the birth certificate again.
            let (os, officerView, _) = try await app.send(.get, "/api/v1/dossiers/\(code)", as: "tiepnhan.ninhkieu")
            #expect(os == .ok && officerView["status"] as? String == "submitted" && officerView["channel"] as? String == "online")
            try await app.act(code, "receive", as: "tiepnhan.ninhkieu", version: 0)
            try await app.act(code, "request-supplement", as: "tiepnhan.ninhkieu", version: 1, extra: #","components":["\#(c[1])"]"#)
            let (ms, mine) = try await Self.call(app, .get, "/api/v1/me/dossiers/\(code)", token: token)
            #expect(ms == .ok && mine["allowedActions"] as? [String] == ["supplement-provided"] && mine["supplementRequested"] as? [String] == [c[1]])
            // Sending the supplement without a file is refused; with one, the clock resumes.
            let (empty, _) = try await Self.call(app, .post, "/api/v1/me/dossiers/\(code)/actions", token: token, json: #"{"action":"supplement-provided","version":2}"#)
            #expect(empty == .unprocessableContent)
            try await Self.call(app, .post, "/api/v1/me/dossiers/\(code)/files?component=\(Self.q(c[1]))&name=chung-sinh-moi.pdf", token: token,
                                type: "application/pdf", raw: Self.pdf + "3")
            app.at("2026-12-03T10:00:00")
            let (as1, acted) = try await Self.call(app, .post, "/api/v1/me/dossiers/\(code)/actions", token: token, json: #"{"action":"supplement-provided","version":2}"#)
            #expect(as1 == .ok && (acted["dossier"] as? [String: Any])?["status"] as? String == "processing", "\(acted)")
            #expect((acted["documents"] as? [[String: Any]])?.count == 4 && (acted["pendingSupplement"] as? [Any])?.isEmpty == true)
            let (stale, _) = try await Self.call(app, .post, "/api/v1/me/dossiers/\(code)/actions", token: token, json: #"{"action":"withdraw","version":2,"reason":"x"}"#)
            #expect(stale == .conflict)
            // Notifications queued for the applicant: submitted, received (Mẫu 01), supplement (Mẫu 02).
            let forms = Set(try await app.services.outbox.due(now: app.clock.now).filter { $0.dossierCode == code }.map(\.form))
            #expect(forms.isSuperset(of: ["submitted", "01", "02"]))

            // Public tracking: the last 4 digits or the secret; a wrong check learns nothing.
            try await app.client.execute(uri: "/api/v1/public/dossiers/\(code)?check=4321", method: .get) { r in
                #expect(r.status == .ok && r.object["status"] as? String == "processing" && !r.text.contains("Bình") && !r.text.contains("092195004321"))
            }
            try await app.client.execute(uri: "/api/v1/public/dossiers/\(code)?check=\(tracking)", method: .get) { #expect($0.status == .ok) }
            try await app.client.execute(uri: "/api/v1/public/dossiers/\(code)?check=0000", method: .get) { #expect($0.status == .notFound) }
            try await app.client.execute(uri: "/api/v1/public/dossiers/H13.41-261203-9999?check=4321", method: .get) { #expect($0.status == .notFound) }
            try await app.client.execute(uri: "/tra-cuu?ma=\(code)&kiem-tra=0000", method: .get) { r in
                #expect(r.status == .notFound && !r.text.contains("Trần Thị Bình") && r.text.contains("Không tìm thấy hồ sơ"))
            }

            // Separation: a citizen token is nothing on the staff API, a staff token nothing here;
            // another citizen cannot see the dossier.
            #expect(try await Self.call(app, .get, "/api/v1/dossiers", token: token).0 == .unauthorized)
            #expect(try await Self.call(app, .get, "/api/v1/me", token: try await app.token("tiepnhan.ninhkieu")).0 == .unauthorized)
            _ = try await Self.register(app, email: "la@example.vn", id: "092195009876", name: "Người Lạ")
            let stranger = try await Self.citizenToken(app, "la@example.vn")
            #expect(try await Self.call(app, .get, "/api/v1/me/dossiers/\(code)", token: stranger).0 == .notFound)
            #expect((try await Self.call(app, .get, "/api/v1/me/documents", token: stranger).1["items"] as? [Any])?.isEmpty == true)
            // The desk sees the reused document marked.
            let online = try #require(try await app.services.onlineDossiers.deskView(code: code))
            #expect(online.documents.filter(\.reused).map(\.component) == [c[2]] && online.postalAddress == "12 Hòa Bình, Ninh Kiều")
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func uploadLimitsAndDuplicateAccounts(kind: DatabaseKind) async throws {
        try await DemoApp.run(kind, start: "2026-12-03T08:00:00+07:00",
                              portal: PortalSettings(uploadFileLimit: 2048, uploadDossierLimit: 3000)) { app in
            _ = try await Self.register(app, email: "binh@example.vn", id: "092195004321")
            let token = try await Self.citizenToken(app, "binh@example.vn")
            let (_, draft) = try await Self.call(app, .post, "/api/v1/me/drafts", token: token, json: #"{"procedureCode":"1.001193","agencyCode":"H13.41"}"#)
            let id = try #require(draft["id"] as? String)
            let c = Self.q(Self.birthTH1[0])
            let big = Self.pdf + String(repeating: "x", count: 3000)
            let (s1, b1) = try await Self.call(app, .post, "/api/v1/me/drafts/\(id)/files?component=\(c)&name=a.pdf", token: token, type: "application/pdf", raw: big)
            #expect(s1 == .contentTooLarge && (b1["error"] as? [String: Any])?["code"] as? String == "file_too_large")
            let fit = Self.pdf + String(repeating: "x", count: 1900)
            #expect(try await Self.call(app, .post, "/api/v1/me/drafts/\(id)/files?component=\(c)&name=a.pdf", token: token, type: "application/pdf", raw: fit).0 == .created)
            // The second file would pass the per-file limit but not the dossier's total.
            let (s3, _) = try await Self.call(app, .post, "/api/v1/me/drafts/\(id)/files?component=\(c)&name=b.pdf", token: token, type: "application/pdf", raw: fit + "y")
            #expect(s3 == .contentTooLarge)
            #expect((try await Self.call(app, .get, "/api/v1/me/drafts/\(id)", token: token).1["documents"] as? [Any])?.count == 1)
            // No temporary upload is left behind.
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: app.services.blobs.root.path).filter { $0.hasPrefix(".upload-") }
            #expect(leftovers.isEmpty)
            // The same e-mail cannot register twice.
            let again = CitizenRules.normalized(CitizenRegistration(kind: .person, fullName: "Bình", idNumber: "092195004322", email: "BINH@example.vn",
                                                                    phone: nil, password: "mat-khau-rat-dai"))
            await #expect(throws: CitizenError.duplicate(field: "email")) {
                _ = try await app.services.citizens.register(again, passwordHash: "x", now: app.clock.now) { _, _ in ("", "") }
            }
        }
    }
}

/// A phone-only account: the code goes by SMS (the outbox), confirming it lets the citizen submit.
struct PhoneAccountTests {
    static func formPost(_ app: DemoApp, _ page: String, _ fields: [String: String]) async throws -> (HTTPResponse.Status, String) {
        let (csrf, cookie) = try await app.client.execute(uri: page, method: .get) { r -> (String, String) in
            (String(r.text.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1 ?? ""), String((r.headers[.setCookie] ?? "").split(separator: ";").first ?? ""))
        }
        let body = (fields.merging(["csrf": csrf]) { a, _ in a }).map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }
            .joined(separator: "&")
        return try await app.client.execute(uri: page, method: .post, headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookie],
                                            body: ByteBuffer(string: body)) { ($0.status, $0.text) }
    }

    @Test(arguments: TestDatabases.kinds)
    func registerByPhoneAndConfirmWithTheSMSCode(kind: DatabaseKind) async throws {
        try await DemoApp.run(kind, start: "2026-12-03T08:00:00+07:00") { app in
            let (s, page) = try await Self.formPost(app, "/dang-ky", ["kind": "person", "fullName": "Võ Văn Sáu", "idNumber": "092195001111", "email": "",
                                                                      "phone": "+84 912 345 678", "password": "mat-khau-rat-dai", "password2": "mat-khau-rat-dai"])
            #expect(s == .created && page.contains("mã xác nhận gồm 6 chữ số"))
            let sms = try #require(try await app.services.outbox.due(now: app.clock.now).first { $0.form == "account-verify-sms" })
            #expect(sms.recipient == "0912345678" && sms.message.count == 6 && sms.subject?.contains(sms.message) == true)
            let token = try await CitizenPortalTests.citizenToken(app, "+84 912 345 678")
            #expect((try await CitizenPortalTests.call(app, .get, "/api/v1/me", token: token).1["phone"] as? String) == "0912345678")
            let wrong = sms.message == "000000" ? "111111" : "000000"
            #expect(try await Self.formPost(app, "/xac-nhan-sdt", ["phone": "0912345678", "code": wrong]).0 == .badRequest)
            let (ok, done) = try await Self.formPost(app, "/xac-nhan-sdt", ["phone": "0912 345 678", "code": sms.message])
            #expect(ok == .ok && done.contains("Đã xác nhận số điện thoại"))
            #expect(try await Self.formPost(app, "/xac-nhan-sdt", ["phone": "0912345678", "code": sms.message]).0 == .badRequest)
            let account = try #require(try await app.services.citizens.credentials(login: "0912345678")?.0)
            #expect(account.phoneVerified && account.maySubmit)
        }
    }
}
