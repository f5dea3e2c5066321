import Foundation
import HTTPTypes
import MotCuaCore
import MotCuaStore
import MotCuaTestSupport
import NIOCore
import Testing

/// The write batch (`WriteBatch`) under concurrency, through the API on both databases: many
/// intakes at once get gap-free codes, one idempotency key sent many times at once makes one
/// dossier, concurrent actions with the same version make one transition and 409s, and the audit
/// chain and the counters agree with what happened.
struct ConcurrentWritesTests {
    static let docs = ["Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp"]

    @Test(arguments: TestDatabases.kinds)
    func concurrentIntakesKeysAndActions(kind: DatabaseKind) async throws {
        try await DemoApp.run(kind) { app in
            let token = try await app.token("tiepnhan.sotuphap")
            let body = DemoApp.intake("2.000488", case: "TH1", documents: Self.docs)
            // 40 different keys and 10 times one key, all at once.
            let outcomes = try await withThrowingTaskGroup(of: (String, Int, String?).self) { group in
                for i in 0..<50 {
                    group.addTask {
                        let key = i < 40 ? "k-\(i)" : "same-key"
                        let (status, d) = try await Self.post(app, "/api/v1/dossiers", token: token, json: body, key: key)
                        return (key, status, d["code"] as? String)
                    }
                }
                return try await group.reduce(into: [(String, Int, String?)]()) { $0.append($1) }
            }
            #expect(outcomes.allSatisfy { $0.1 == 201 }, "every intake answered 201: \(outcomes.map(\.1))")
            let same = Set(outcomes.filter { $0.0 == "same-key" }.compactMap(\.2))
            #expect(same.count == 1, "one key, one dossier: \(same)")
            let codes = Set(outcomes.compactMap(\.2))
            #expect(codes.count == 41)
            // Gap-free: the day's numbers are 1…41.
            let numbers = codes.compactMap { Int($0.split(separator: "-").last ?? "") }.sorted()
            #expect(numbers == Array(1...41))

            // 12 officers' requests at once on one dossier with the same version: one wins.
            let code = try #require(outcomes.first { $0.0 == "k-0" }?.2)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        try await Self.post(app, "/api/v1/dossiers/\(code)/actions", token: token, json: #"{"action":"transfer","version":1}"#).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 200 }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == 409 }.count == 11, "\(statuses)")
            let (_, full, _) = try await app.send(.get, "/api/v1/dossiers/\(code)", as: "tiepnhan.sotuphap")
            #expect(full["version"] as? Int == 2)
            #expect(((full["history"] as? [[String: Any]]) ?? []).map { $0["action"] as? String ?? "" } == ["submit", "receive", "transfer"])

            // Every write is in the audit chain, which verifies; the counters saw 41 receipts.
            #expect(try await AuditLog.verify(app.database).isIntact)
            let received = try await app.database.read { db in
                try await db.raw("""
                    SELECT CAST(SUM(value) AS BIGINT) AS n FROM indicator_counters WHERE agency_code = 'H13.01' AND measure = 'received' AND day = '2026-03-02'
                    """).first()?.decode(column: "n", as: Int.self)
            }
            #expect(received == 41)
            let receipts = try await app.database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM dossier_forms WHERE form = '01'").first()?.decode(column: "n", as: Int.self)
            }
            #expect(receipts == 41)
        }
    }

    /// A POST with one officer's token (logging in per request would hit the login throttle).
    static func post(_ app: DemoApp, _ uri: String, token: String, json: String, key: String? = nil) async throws -> (status: Int, object: [String: Any]) {
        var headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        return try await app.client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: json)) { r in (r.status.code, r.object) }
    }
}
