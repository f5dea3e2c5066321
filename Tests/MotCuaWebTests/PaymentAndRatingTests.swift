import Crypto
import Foundation
import HTTPTypes
import MotCuaCore
import MotCuaStore
import MotCuaTestSupport
import MotCuaWeb
import NIOCore
import Testing

/// Online payment through the sandbox gateway and the rating after the result, on both databases:
/// a copy of a civil-status extract (2.000635, 8.000 đ) submitted online at phường Ninh Kiều.
struct PaymentAndRatingTests {
    static func sign(_ fields: [String], _ secret: String) -> String {
        SHA256.hash(data: Data(PaymentRules.signingInput(fields, secret: secret).utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func callback(_ ref: String, amount: Int, status: String = "00", txn: String = "NPF001", secret: String, signature: String? = nil) -> String {
        let fields = [ref, String(amount), status, txn, "20261203091500"]
        return #"{"reference":"\#(ref)","amount":\#(amount),"status":"\#(status)","transactionID":"\#(txn)","paidAt":"20261203091500","signature":"\#(signature ?? sign(fields, secret))"}"#
    }

    static func post(_ app: DemoApp, _ json: String) async throws -> (HTTPResponse.Status, [String: Any]) {
        try await app.client.execute(uri: "/api/v1/payments/callback", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: json)) { ($0.status, $0.object) }
    }

    @Test(arguments: TestDatabases.kinds)
    func payInTheSandboxThenRate(kind: DatabaseKind) async throws {
        try await DemoApp.run(kind, start: "2026-12-03T08:00:00+07:00") { app in
            let secret = try await CitizenPortalTests.register(app, email: "binh@example.vn", id: "092195004321")
            try await app.client.execute(uri: "/xac-nhan-email?ma=\(secret)", method: .get) { #expect($0.status == .ok) }
            let token = try await CitizenPortalTests.citizenToken(app, "binh@example.vn")
            let call = { (m: HTTPRequest.Method, uri: String, json: String?) in try await CitizenPortalTests.call(app, m, uri, token: token, json: json) }
            let (_, draft) = try await call(.post, "/api/v1/me/drafts", #"{"procedureCode":"2.000635","agencyCode":"H13.41"}"#)
            let id = try #require(draft["id"] as? String)
            try await CitizenPortalTests.call(app, .post, "/api/v1/me/drafts/\(id)/files?component=\(CitizenPortalTests.q("Tờ khai cấp bản sao trích lục hộ tịch"))&name=to-khai.pdf",
                                              token: token, type: "application/pdf", raw: CitizenPortalTests.pdf)
            let (_, submitted) = try await call(.post, "/api/v1/me/drafts/\(id)/submit", nil)
            let code = try #require((submitted["dossier"] as? [String: Any])?["code"] as? String)
            #expect((submitted["dossier"] as? [String: Any])?["feeAmount"] as? Int == 8000)

            // Pay before receipt: a payment and the sandbox's page.
            let (ps, payment) = try await call(.post, "/api/v1/me/dossiers/\(code)/payments", nil)
            #expect(ps == .created && payment["amount"] as? Int == 8000)
            let ref = try #require(payment["reference"] as? String)
            try await app.client.execute(uri: "/cong-thanh-toan-thu-nghiem?ref=\(ref)", method: .get) { r in
                #expect(r.status == .ok && r.text.contains("8.000 đ") && r.text.contains("Cổng thanh toán thử nghiệm"))
            }
            let gatewaySecret = app.services.paymentSecret
            // A forged signature, an altered amount and an unknown reference are refused and change nothing.
            let (forged, f) = try await Self.post(app, Self.callback(ref, amount: 8000, secret: "not-the-secret"))
            #expect(forged == .badRequest && (f["error"] as? [String: Any])?["code"] as? String == "bad_signature")
            let (altered, _) = try await Self.post(app, Self.callback(ref, amount: 8000, secret: gatewaySecret,
                                                                      signature: Self.sign([ref, "8000", "00", "NPF001", "20261203091500"], gatewaySecret)
                                                                          .replacingOccurrences(of: "a", with: "b")))
            #expect(altered == .badRequest)
            let (cheap, c) = try await Self.post(app, Self.callback(ref, amount: 1000, secret: gatewaySecret))
            #expect(cheap == .unprocessableContent && (c["error"] as? [String: Any])?["code"] as? String == "amount_mismatch")
            #expect(try await Self.post(app, Self.callback("TTUNKNOWN", amount: 8000, secret: gatewaySecret)).0 == .notFound)
            #expect((try await call(.get, "/api/v1/me/dossiers/\(code)", nil).1["dossier"] as? [String: Any])?["feePaid"] as? Bool == false)
            // The real callback: paid, with a receipt; the same callback again changes nothing.
            let (ok, paid) = try await Self.post(app, Self.callback(ref, amount: 8000, secret: gatewaySecret))
            #expect(ok == .ok && paid["outcome"] as? String == "paid" && paid["receiptNumber"] as? String == "BL2026-000001")
            let (again, dup) = try await Self.post(app, Self.callback(ref, amount: 8000, secret: gatewaySecret))
            #expect(again == .ok && dup["outcome"] as? String == "duplicate")
            let (other, _) = try await Self.post(app, Self.callback(ref, amount: 8000, txn: "NPF999", secret: gatewaySecret))
            #expect(other == .conflict)
            let (_, mine) = try await call(.get, "/api/v1/me/dossiers/\(code)", nil)
            let summary = try #require(mine["dossier"] as? [String: Any])
            #expect(summary["feePaid"] as? Bool == true && summary["status"] as? String == "submitted")
            #expect((mine["history"] as? [[String: Any]])?.filter { $0["action"] as? String == "fee-paid" }.count == 1)
            let state = try #require(try await app.services.dossiers.state(code: code))
            #expect(state.feePaidOnline == true)
            #expect(try await app.services.payments.reconcile(day: CivilDate(year: 2026, month: 12, day: 3)!).isEmpty)
            #expect(try await call(.post, "/api/v1/me/dossiers/\(code)/payments", nil).0 == .conflict)

            // The desk handles it; the citizen rates it once, after the result.
            #expect(try await call(.post, "/api/v1/me/dossiers/\(code)/rating", #"{"answers":{"overall":"satisfied","guidance":"satisfied","time":"satisfied","result":"satisfied"}}"#).0
                    == .unprocessableContent)
            var v = state.version
            let (fs, file, _) = try await app.send(.post, "/api/v1/dossiers/\(code)/files?name=trich-luc.pdf", as: "lanhdao.ninhkieu", json: nil,
                                                   headers: [.contentType: "application/pdf"], body: "%PDF-1.4 Bản sao trích lục khai sinh")
            #expect(fs == .created)
            let fileID = try #require(file["id"] as? String)
            for (action, user, extra) in [("receive", "tiepnhan.ninhkieu", ""), ("transfer", "tiepnhan.ninhkieu", ""), ("transfer", "chuyenvien.ninhkieu", ""),
                                          ("record-result", "lanhdao.ninhkieu", #","electronic":true,"file":"\#(fileID)""#), ("approve", "lanhdao.ninhkieu", ""),
                                          ("return", "tiepnhan.ninhkieu", "")] {
                try await app.act(code, action, as: user, version: v, extra: extra)
                v += 1
            }
            let rating = #"{"answers":{"overall":"dissatisfied","guidance":"normal","time":"satisfied","result":"satisfied"},"comment":"Chờ lâu ở quầy"}"#
            #expect(try await call(.post, "/api/v1/me/dossiers/\(code)/rating", #"{"answers":{"overall":"satisfied"}}"#).0 == .unprocessableContent)
            #expect(try await call(.post, "/api/v1/me/dossiers/\(code)/rating", rating).0 == .noContent)
            #expect(try await call(.post, "/api/v1/me/dossiers/\(code)/rating", rating).0 == .conflict)
            #expect(try await app.services.ratings.rating(code: code)?.overall == .dissatisfied)
            // The electronic result is now in the citizen's store, once, ready to be reused.
            for _ in 0..<2 {
                let (_, docs) = try await call(.get, "/api/v1/me/documents", nil)
                let results = (docs["items"] as? [[String: Any]] ?? []).filter { $0["source"] as? String == "result" }
                #expect(results.count == 1 && results.first?["dossierCode"] as? String == code && results.first?["name"] as? String == "trich-luc.pdf")
            }
        }
    }
}
