import Foundation
import HTTPTypes
import MotCuaCore
import MotCuaStore
import MotCuaTestSupport
import Testing

/// End to end through the API on both databases: every path of the dossier lifecycle.
struct DossierLifecycleTests {
    static let criminalRecordDocs = ["Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp"]

    @Test(arguments: TestDatabases.kinds)
    func normalPathStaleVersionAndReplayedKey(kind: DatabaseKind) async throws {
        try await DemoApp.run(kind) { app in
            let body = DemoApp.intake("2.000488", case: "TH1", documents: Self.criminalRecordDocs)
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "k-0001"]
            let (status, d, _) = try await app.send(.post, "/api/v1/dossiers", as: "tiepnhan.sotuphap", json: body, headers: key)
            #expect(status == .created)
            let code = try #require(d["code"] as? String)
            #expect(code == "H13.01-260302-0001")
            #expect(d["status"] as? String == "processing" && d["portalStatus"] as? Int == 4)
            #expect(d["dueAt"] as? String == "2026-03-16T08:00:00+07:00")
            // Replay: same response, no second dossier; same key with another body: 422.
            let (s2, d2, h2) = try await app.send(.post, "/api/v1/dossiers", as: "tiepnhan.sotuphap", json: body, headers: key)
            #expect(s2 == .created && d2["code"] as? String == code && h2[HTTPField.Name("Idempotent-Replayed")!] == "true")
            let (s3, d3, _) = try await app.send(.post, "/api/v1/dossiers", as: "tiepnhan.sotuphap",
                                                 json: DemoApp.intake("2.000488", case: "TH1", name: "Người Khác"), headers: key)
            #expect(s3 == .unprocessableContent && (d3["error"] as? [String: Any])?["code"] as? String == "idempotency_key_reused")

            var v = 1
            app.at("2026-03-02T09:00:00"); try await app.act(code, "transfer", as: "tiepnhan.sotuphap", version: v); v += 1
            // Stale version → 409.
            let (s4, d4, _) = try await app.send(.post, "/api/v1/dossiers/\(code)/actions", as: "chuyenvien.sotuphap", json: #"{"action":"transfer","version":1}"#)
            #expect(s4 == .conflict && (d4["error"] as? [String: Any])?["code"] as? String == "version_conflict")
            // Wrong role → 422 listing allowed actions.
            let (s5, d5, _) = try await app.send(.post, "/api/v1/dossiers/\(code)/actions", as: "vanthu.sotuphap", json: #"{"action":"issue","version":\#(v),"number":"1"}"#)
            #expect(s5 == .unprocessableContent)
            // Before the clerk's step the clerk has nothing to do (the result is recorded at its step).
            #expect(((d5["error"] as? [String: Any])?["allowedActions"] as? [String]) == [])
            app.at("2026-03-09T10:00:00"); try await app.act(code, "transfer", as: "chuyenvien.sotuphap", version: v); v += 1
            app.at("2026-03-10T10:00:00"); try await app.act(code, "approve", as: "truongphong.sotuphap", version: v); v += 1
            app.at("2026-03-11T10:00:00"); try await app.act(code, "approve", as: "giamdoc.sotuphap", version: v); v += 1
            // The clerk attaches the signed electronic result and records it.
            let pdf = "%PDF-1.4 Phiếu lý lịch tư pháp số 125/LLTP"
            let (fs, file, _) = try await app.send(.post, "/api/v1/dossiers/\(code)/files?name=phieu-125.pdf", as: "vanthu.sotuphap", json: nil,
                                                   headers: [.contentType: "application/pdf"], body: pdf)
            #expect(fs == .created && file["size"] as? Int == pdf.utf8.count)
            let fileID = try #require(file["id"] as? String)
            let (mismatch, mismatchBody, _) = try await app.send(.post, "/api/v1/dossiers/\(code)/files?name=x.pdf", as: "vanthu.sotuphap", json: nil,
                                                                 headers: [.contentType: "application/pdf"], body: "false")
            #expect(mismatch == .unprocessableContent && (mismatchBody["error"] as? [String: Any])?["code"] as? String == "content_mismatch")
            let (bad, badBody, _) = try await app.send(.post, "/api/v1/dossiers/\(code)/actions", as: "vanthu.sotuphap",
                                                       json: #"{"action":"record-result","version":\#(v),"electronic":true,"file":"nope"}"#)
            #expect(bad == .unprocessableContent && (badBody["error"] as? [String: Any])?["code"] as? String == "unknown_file")
            try await app.act(code, "record-result", as: "vanthu.sotuphap", version: v, extra: #","electronic":true,"file":"\#(fileID)""#); v += 1
            let downloaded = try await app.client.execute(uri: "/api/v1/files/\(fileID)", method: .get,
                                                          headers: [.authorization: "Bearer \(try await app.token("tiepnhan.sotuphap"))"]) { $0.text }
            #expect(downloaded == pdf)
            let (hiddenFile, _, _) = try await app.send(.get, "/api/v1/files/\(fileID)", as: "tiepnhan.ninhkieu")
            #expect(hiddenFile == .notFound)
            app.at("2026-03-11T14:00:00")
            let issued = try await app.act(code, "issue", as: "vanthu.sotuphap", version: v, extra: #","number":"125/LLTP""#); v += 1
            #expect(issued["status"] as? String == "finished" && issued["timeliness"] as? String == "early")
            app.at("2026-03-12T08:00:00")
            let returned = try await app.act(code, "return", as: "tiepnhan.sotuphap", version: v)
            #expect(returned["status"] as? String == "returned" && returned["portalStatus"] as? Int == 10)

            let (_, full, _) = try await app.send(.get, "/api/v1/dossiers/\(code)", as: "chuyenvien.sotuphap")
            let history = (full["history"] as? [[String: Any]]) ?? []
            #expect(history.map { $0["action"] as? String ?? "" } == ["submit", "receive", "transfer", "transfer", "approve", "approve", "record-result", "issue", "return"])
            #expect(history[3]["stepName"] as? String != nil && history[3]["stepTimeliness"] as? String != nil)
            // Only one dossier was created despite the replay.
            let (_, list, _) = try await app.send(.get, "/api/v1/dossiers", as: "tiepnhan.sotuphap")
            #expect(list["count"] as? Int == 1)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func supplementRefusalWithdrawalAndStop(kind: DatabaseKind) async throws {
        try await DemoApp.run(kind) { app in
            let (_, a, _) = try await app.send(.post, "/api/v1/dossiers", as: "tiepnhan.sotuphap", json: DemoApp.intake("2.000488", case: "TH1"))
            let code = a["code"] as! String
            try await app.act(code, "request-supplement", as: "tiepnhan.sotuphap", version: 1, extra: #","components":["Căn cước hoặc hộ chiếu của người được cấp Phiếu"],"reason":"Bản sao có chứng thực""#)
            let (s, e, _) = try await app.send(.post, "/api/v1/dossiers/\(code)/actions", as: "tiepnhan.sotuphap",
                                               json: #"{"action":"request-supplement","version":2,"components":["Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp"]}"#)
            #expect(s == .unprocessableContent)
            #expect((e["error"] as? [String: Any])?["code"] as? String == "supplement_only_once")
            app.at("2026-03-04T08:00:00")
            let resumed = try await app.act(code, "supplement-provided", as: "tiepnhan.sotuphap", version: 2)
            #expect(resumed["dueAt"] as? String == "2026-03-18T08:00:00+07:00")
            #expect(resumed["status"] as? String == "processing")
            let withdrawn = try await app.act(code, "withdraw", as: "tiepnhan.sotuphap", version: 3, extra: #","reason":"Công dân xin rút hồ sơ""#)
            #expect(withdrawn["portalStatus"] as? Int == 7)

            let (_, b, _) = try await app.send(.post, "/api/v1/dossiers", as: "tiepnhan.sotuphap", json: DemoApp.intake("2.000488", case: "TH1", receive: false))
            #expect(b["status"] as? String == "submitted" && b["code"] as? String == "H13.01-260304-0001")
            let refused = try await app.act(b["code"] as! String, "refuse", as: "tiepnhan.sotuphap", version: 0, extra: #","reason":"Không thuộc thẩm quyền""#)
            #expect(refused["portalStatus"] as? Int == 3)

            let (_, c, _) = try await app.send(.post, "/api/v1/dossiers", as: "tiepnhan.sotuphap", json: DemoApp.intake("2.000488", case: "TH1"))
            let stopped = try await app.act(c["code"] as! String, "stop", as: "giamdoc.sotuphap", version: 1, extra: #","reason":"Người yêu cầu không đủ điều kiện""#)
            #expect(stopped["portalStatus"] as? Int == 8)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func lienThongAndLateWithApology(kind: DatabaseKind) async throws {
        try await DemoApp.run(kind) { app in
            let (_, a, _) = try await app.send(.post, "/api/v1/dossiers", as: "tiepnhan.ninhkieu", json: DemoApp.intake("1.001193", case: "TH2", channel: "online"))
            let code = a["code"] as! String
            #expect(code.hasPrefix("H13.41-"))
            // Not visible to the police before the liên thông step.
            let (hidden, _, _) = try await app.send(.get, "/api/v1/dossiers/\(code)", as: "chuyenvien.congan")
            #expect(hidden == .notFound)
            try await app.act(code, "transfer", as: "tiepnhan.ninhkieu", version: 1)
            let atPolice = try await app.act(code, "transfer", as: "chuyenvien.ninhkieu", version: 2)
            #expect(atPolice["handlingAgency"] as? String == "H13.08")
            let (visible, seen, _) = try await app.send(.get, "/api/v1/dossiers/\(code)", as: "chuyenvien.congan")
            #expect(visible == .ok && (seen["allowedActions"] as? [String])?.contains("transfer") == true)
            // The receiving ward's specialist may no longer act: the step belongs to the police.
            let (s, _, _) = try await app.send(.post, "/api/v1/dossiers/\(code)/actions", as: "chuyenvien.ninhkieu", json: #"{"action":"transfer","version":3}"#)
            #expect(s == .unprocessableContent)
            try await app.act(code, "transfer", as: "chuyenvien.congan", version: 3)
            // Four working days later: past the 3-day limit.
            app.at("2026-03-06T10:00:00")
            try await app.act(code, "transfer", as: "chuyenvien.bhxh", version: 4)
            let finished = try await app.act(code, "approve", as: "lanhdao.ninhkieu", version: 5)
            #expect(finished["status"] as? String == "finished" && finished["timeliness"] as? String == "late" && finished["late"] as? Bool == true)
            let (s2, e2, _) = try await app.send(.post, "/api/v1/dossiers/\(code)/actions", as: "tiepnhan.ninhkieu", json: #"{"action":"return","version":6}"#)
            #expect(s2 == .unprocessableContent && (e2["error"] as? [String: Any])?["code"] as? String == "apology_required")
            try await app.act(code, "apologize", as: "lanhdao.ninhkieu", version: 6,
                              extra: #","reason":"Chậm do liên thông cấp thẻ bảo hiểm y tế","newAppointment":"2026-03-09T10:00:00+07:00""#)
            // No return without a result: the leader who signs it records it.
            let (noResult, nr, _) = try await app.send(.post, "/api/v1/dossiers/\(code)/actions", as: "tiepnhan.ninhkieu", json: #"{"action":"return","version":7}"#)
            #expect(noResult == .unprocessableContent && (nr["error"] as? [String: Any])?["code"] as? String == "result_missing")
            try await app.act(code, "record-result", as: "lanhdao.ninhkieu", version: 7, extra: #","electronic":false"#)
            let returned = try await app.act(code, "return", as: "tiepnhan.ninhkieu", version: 8)
            #expect(returned["status"] as? String == "returned" && returned["newAppointment"] as? String == "2026-03-09T10:00:00+07:00")

            // Indicators: one late dossier received online at the ward.
            // Indicator reads are scoped: the city's monitor and the ward's own staff read the ward;
            // a department's monitor, another agency's staff and the administrator do not.
            for (user, expected) in [("theodoi.sonoivu", HTTPResponse.Status.forbidden), ("tiepnhan.sotuphap", .forbidden),
                                     ("quantri", .forbidden), ("lanhdao.ninhkieu", .ok)] {
                let (status, _, _) = try await app.send(.get, "/api/v1/indicators?scope=H13.41&from=2026-03-01&to=2026-03-31", as: user)
                #expect(status == expected, "\(user)")
            }
            let (_, ind, _) = try await app.send(.get, "/api/v1/indicators?scope=H13.41&from=2026-03-01&to=2026-03-31", as: "theodoi.tinh")
            let values = (ind["indicators"] as? [[String: Any]]) ?? []
            let onTime = values.first { $0["id"] as? String == "2.1" }, online = values.first { $0["id"] as? String == "3.3" }
            #expect(onTime?["numerator"] as? Int == 0 && onTime?["denominator"] as? Int == 1 && onTime?["rate"] as? String == "0.00")
            // Online, but its paper result was returned without an electronic one: not counted online (3.3).
            #expect(online?["numerator"] as? Int == 0 && online?["denominator"] as? Int == 1 && online?["rate"] as? String == "0.00")
            #expect(values.count == 21 && ind["grade"] is String && (ind["groups"] as? [Any])?.count == 5)
            // The audit chain is intact, and rebuilding the counters gives the incremental ones.
            let verification = try await AuditLog.verify(app.database)
            guard case .intact(let entries, _) = verification else { Issue.record("audit broken: \(verification)"); return }
            #expect(entries >= 10)
            try await app.services.indicators.dayClose.closeDays(now: app.services.now())
            let stored = try await app.services.indicators.indicators.snapshot()
            _ = try await app.services.indicators.rebuild.run(from: nil, now: app.services.now(), progress: { _, _ in })
            let rebuilt = try await app.services.indicators.indicators.snapshot()
            #expect(rebuilt == stored && !stored.daily.isEmpty)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func authenticationIsRequiredAndThrottled(kind: DatabaseKind) async throws {
        try await DemoApp.run(kind) { app in
            let r = try await app.client.execute(uri: "/api/v1/dossiers", method: .get) { $0.status }
            #expect(r == .unauthorized)
            for _ in 0..<5 {
                let s = try await app.client.execute(uri: "/api/v1/auth/token", method: .post, headers: [.contentType: "application/json"],
                                                     body: .init(string: #"{"username":"tiepnhan.ninhkieu","password":"sai-mat-khau"}"#)) { $0.status }
                #expect(s == .unauthorized)
            }
            let blocked = try await app.client.execute(uri: "/api/v1/auth/token", method: .post, headers: [.contentType: "application/json"],
                                                       body: .init(string: #"{"username":"tiepnhan.ninhkieu","password":"motcua-demo"}"#)) { $0.status }
            #expect(blocked == .tooManyRequests)
            // A specialist cannot open dossiers.
            let (s, _, _) = try await app.send(.post, "/api/v1/dossiers", as: "chuyenvien.sotuphap", json: DemoApp.intake("2.000488", case: "TH1"))
            #expect(s == .forbidden)
            let (bad, e, _) = try await app.send(.post, "/api/v1/dossiers", as: "tiepnhan.sotuphap",
                                                 json: #"{"procedureCode":"2.000488","channel":"counter","applicant":{"kind":"person","name":"A B","idNumber":"1"},"documents":[]}"#)
            #expect(bad == .unprocessableContent && ((e["error"] as? [String: Any])?["details"] as? [String])?.first?.hasPrefix("applicant.idNumber") == true)
        }
    }
}
