import Foundation
import Hummingbird
import HummingbirdTesting
import MotCuaCore
import MotCuaStore
import MotCuaTestSupport
import MotCuaWeb
import NIOCore

/// An app on the demo province (catalog, calendar, staff) over SQLite or PostgreSQL, with a clock
/// the test moves, driven without sockets.
struct DemoApp {
    let client: any TestClientProtocol
    let services: AppServices
    let clock: TestClock
    let database: Database

    static func run(_ kind: DatabaseKind, start: String = "2026-03-02T08:00:00+07:00", security: SecuritySettings = SecuritySettings(),
                    portal: PortalSettings? = nil, _ body: @Sendable (DemoApp) async throws -> Void) async throws {
        let blobs = FileManager.default.temporaryDirectory.appendingPathComponent("motcua-blobs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: blobs) }
        var settings = portal ?? PortalSettings()
        settings.blobDir = blobs.path
        try await TestDatabases.with(kind) { database, _ in
            let hasher = PasswordHasher(cost: 4)
            try await DemoSeeder.seed(database, now: Date(), logger: TestDatabases.logger, hashPassword: hasher.hash, withHistory: false)
            let clock = TestClock(ISO8601DateFormatter().date(from: start)!)
            let services = try await AppServices(database: database, logger: TestDatabases.logger, hasher: hasher, security: security,
                                                 portal: settings, now: { clock.now })
            let app = Application(router: AppBuilder.router(services: services).router, logger: TestDatabases.logger)
            try await app.test(.router) { client in
                try await body(DemoApp(client: client, services: services, clock: clock, database: database))
            }
        }
    }

    func at(_ vietnamTime: String) { clock.set(ISO8601DateFormatter().date(from: vietnamTime + "+07:00")!) }

    func token(_ username: String) async throws -> String {
        try await client.execute(uri: "/api/v1/auth/token", method: .post, headers: [.contentType: "application/json"],
                                 body: ByteBuffer(string: #"{"username":"\#(username)","password":"\#(DemoSeeder.demoPassword)"}"#)) { r in
            guard r.status == .ok, let t = r.object["token"] as? String else { throw TestFailure("login \(username): \(r.status) \(r.text)") }
            return t
        }
    }

    /// Sends JSON with a bearer token; returns status and decoded object.
    @discardableResult
    func send(_ method: HTTPRequest.Method, _ uri: String, as user: String, json: String? = nil,
              headers extra: HTTPFields = [:], body raw: String? = nil) async throws -> (status: HTTPResponse.Status, object: [String: Any], headers: HTTPFields) {
        var headers = extra
        headers[.authorization] = "Bearer \(try await token(user))"
        if json != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: (json ?? raw).map { ByteBuffer(string: $0) }) { r in
            (r.status, r.object, r.headers)
        }
    }

    /// The required components of the demo cases used by the tests.
    static let required: [String: [String]] = [
        "1.001193/TH1": ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh (hoặc văn bản xác nhận của người làm chứng, giấy cam đoan về việc sinh)",
                         "Giấy tờ tùy thân của người đi đăng ký khai sinh"],
        "1.001193/TH2": ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh", "Tờ khai thay đổi thông tin cư trú (mẫu CT01)",
                         "Tờ khai tham gia, điều chỉnh thông tin bảo hiểm xã hội, bảo hiểm y tế (mẫu TK1-TS)"],
        "2.000488/TH1": ["Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "Căn cước hoặc hộ chiếu của người được cấp Phiếu"],
        "2.000488/TH2": ["Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "Căn cước hoặc hộ chiếu của người được cấp Phiếu"],
    ]

    /// An intake body with the case's required components (unless `complete` is false) and `documents`.
    static func intake(_ procedure: String, case c: String, channel: String = "counter", receive: Bool = true, name: String = "Nguyễn Văn An",
                       documents: [String] = [], complete: Bool = true) -> String {
        var all = complete ? required["\(procedure)/\(c)"] ?? [] : []
        for d in documents where !all.contains(d) { all.append(d) }
        let docs = all.map { #"{"component":"\#($0)","form":"original","count":1}"# }.joined(separator: ",")
        return """
        {"procedureCode":"\(procedure)","caseCode":"\(c)","channel":"\(channel)","receive":\(receive),
         "applicant":{"kind":"person","name":"\(name)","idNumber":"092095001234","phone":"0912345678","email":"an@example.vn"},
         "documents":[\(docs)]}
        """
    }

    /// Runs an action and expects success; returns the new version.
    @discardableResult
    func act(_ code: String, _ action: String, as user: String, version: Int, extra: String = "") async throws -> [String: Any] {
        let (status, object, _) = try await send(.post, "/api/v1/dossiers/\(code)/actions", as: user,
                                                 json: #"{"action":"\#(action)","version":\#(version)\#(extra)}"#)
        guard status == .ok else { throw TestFailure("\(action) by \(user) on \(code) v\(version): \(status) \(object)") }
        return object
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
