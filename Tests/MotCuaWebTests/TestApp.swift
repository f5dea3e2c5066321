import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import MotCuaCore
import MotCuaStore
import MotCuaWeb

/// A test application on a fresh SQLite database holding a small catalog, driven without sockets.
enum TestApp {
    static let logger: Logger = {
        var l = Logger(label: "web-test")
        l.logLevel = .warning
        return l
    }()

    static let catalogJSON = """
    {"agencies":[
      {"code":"H13","name":"Ủy ban nhân dân thành phố Cần Thơ","kind":"province","level":"province","parent":null,"validFrom":"2004-01-01","validTo":null},
      {"code":"H13.01","name":"Sở Tư pháp thành phố Cần Thơ","kind":"department","level":"province","parent":"H13","validFrom":"2004-01-01","validTo":null},
      {"code":"H13.31.06","name":"Ủy ban nhân dân phường Tân An (cũ)","kind":"commune","level":"commune","parent":"H13","validFrom":"2004-01-01","validTo":"2025-06-30"},
      {"code":"H13.43","name":"Ủy ban nhân dân phường Tân An","kind":"commune","level":"commune","parent":"H13","validFrom":"2025-07-01","validTo":null}],
     "reorganisations":[{"kind":"merge","effective":"2025-07-01","from":["H13.31.06"],"to":["H13.43"],"note":"Nghị quyết 1668/NQ-UBTVQH15"}],
     "procedures":[
      {"code":"1.001193","name":"Thủ tục đăng ký khai sinh","field":"Hộ tịch","level":"commune","agencyKinds":["commune"],
       "onlineType":"full","targetGroups":["citizen"],"steps":["Nộp hồ sơ","Nhận kết quả"],
       "channels":[{"channel":"counter","limit":{"amount":1,"unit":"workingDays"},"fees":[]},
                   {"channel":"online","limit":{"amount":1,"unit":"workingDays"},"fees":[]}],
       "cases":[{"code":"TH1","name":"Đăng ký khai sinh đúng hạn","noDueDate":false,
                 "limits":[{"channel":"counter","amount":1,"unit":"workingDays"},{"channel":"online","amount":1,"unit":"workingDays"}],
                 "components":[{"name":"Tờ khai đăng ký khai sinh","template":"Mẫu TT 04/2024/TT-BTP","copies":1,"required":true}],
                 "workflow":[{"name":"Tiếp nhận","role":"reception","hours":2},{"name":"Xử lý","role":"specialist","hours":6}]}],
       "result":{"name":"Giấy khai sinh","electronic":true,"mustSign":true},"legalBasis":["Luật Hộ tịch số 60/2014/QH13"]},
      {"code":"2.000488","name":"Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam","field":"Lý lịch tư pháp","level":"province",
       "agencyKinds":["department"],"agencies":["H13.01"],"onlineType":"partial","targetGroups":["citizen"],"steps":["Nộp hồ sơ"],
       "channels":[{"channel":"counter","limit":{"amount":10,"unit":"workingDays"},"fees":[{"name":"Phí cấp Phiếu lý lịch tư pháp","amount":200000}]},
                   {"channel":"online","limit":{"amount":10,"unit":"workingDays"},"fees":[{"name":"Phí cấp Phiếu lý lịch tư pháp","amount":200000}]}],
       "cases":[{"code":"TH1","name":"Thông thường","noDueDate":false,
                 "limits":[{"channel":"counter","amount":10,"unit":"workingDays"},{"channel":"online","amount":10,"unit":"workingDays"}],
                 "components":[{"name":"Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp","template":null,"copies":1,"required":true}],
                 "workflow":[{"name":"Tiếp nhận","role":"reception","hours":8},{"name":"Tra cứu, xác minh","role":"specialist","hours":64},{"name":"Ký","role":"agency-leader","hours":8}]}],
       "result":{"name":"Phiếu lý lịch tư pháp","electronic":true,"mustSign":true},"legalBasis":["Luật Lý lịch tư pháp 2009"]}]}
    """

    /// A fresh app; `body` gets the router client and the services.
    static func run(_ body: @Sendable (any TestClientProtocol, AppServices, [String]) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("motcua-web-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let database = try await Database.open(.sqliteFile(path: dir.appendingPathComponent("t.sqlite").path), logger: logger)
        try await Migrator.migrate(database, logger: logger)
        let doc = try JSONDecoder().decode(CatalogDocument.self, from: Data(catalogJSON.utf8))
        precondition(doc.problems().isEmpty, "\(doc.problems())")
        try await CatalogRepository(database: database).replaceAll(agencies: doc.agencies, reorganisations: doc.reorganisations,
                                                                   procedures: doc.procedures, now: Date())
        let frozen = ISO8601DateFormatter().date(from: "2026-02-17T02:00:00Z")!
        let services = try await AppServices(database: database, logger: logger, now: { frozen })
        let (router, operations) = AppBuilder.router(services: services)
        let app = Application(router: router, logger: logger)
        do {
            try await app.test(.router) { client in try await body(client, services, operations) }
        } catch {
            await database.close()
            throw error
        }
        await database.close()
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    func json() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
    }
}

extension TestResponse {
    /// The stable error code of a JSON error response.
    var errorCode: String? { ((try? json())?["error"] as? [String: Any])?["code"] as? String }
}

extension TestResponse {
    /// The JSON object of the body ([:] when it is not one).
    var object: [String: Any] { (try? json()) ?? [:] }
}
