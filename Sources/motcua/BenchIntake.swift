import ArgumentParser
import Foundation
import Logging
import MotCuaCore
import MotCuaStore
import MotCuaWeb
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `motcua bench db`: the database's own rate — the rows of an intake (dossier, history, counters,
/// audit, idempotency key) inserted with one transaction per dossier, no HTTP, at a given
/// concurrency; and, for comparison, the same through group commit.
struct DatabaseBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "db", abstract: "Intake rows per second straight into the database.")
    @OptionGroup var db: DatabaseOptions
    @Option(help: "Dossiers per run.") var count = 2000
    @Option(help: "Concurrent writers.") var concurrency = 16

    func run() async throws {
        let config = try Runtime.resolveConfig(db)
        var logger = Runtime.logger(config)
        logger.logLevel = .warning
        let database = try await Runtime.openMigrated(config, logger: logger)
        _ = try await DemoSeeder.seedIfEmpty(database, now: Date(), logger: logger, hashPassword: PasswordHasher().hash)
        let calendar = try await CalendarRepository(database: database).workingCalendar()
        let deadlines = DeadlineCalculator(calendar: calendar)
        guard let procedure = try await CatalogRepository(database: database).procedure(code: "2.000488"),
              let actor = try await StaffRepository(database: database).list().first(where: { $0.username == "tiepnhan.sotuphap" }) else {
            throw CommandFailure("the demo data is missing")
        }
        let context = WorkflowContext(procedure: procedure, caseCode: "TH1", channel: .counter, deadlines: deadlines)!
        for (label, grouped) in [("one transaction per dossier (no HTTP)", false), ("group commit (no HTTP)", true)] {
            let repo = DossierRepository(database: database, groupCommit: grouped)
            let run = UUID().uuidString.prefix(8)
            let clock = ContinuousClock()
            let elapsed = try await clock.measure {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for w in 0..<concurrency {
                        group.addTask {
                            var i = w
                            while i < count {
                                let request = IntakeRequest(procedureCode: "2.000488", caseCode: "TH1", channel: .counter,
                                                            applicant: Applicant(kind: .person, name: "Người thử \(i)", idNumber: "092095001234"),
                                                            documents: [], note: nil, receive: true)
                                _ = try await repo.intake(request, actor: actor, procedure: procedure, context: context,
                                                          idempotencyKey: "bench-\(run)-\(i)", requestHash: "h\(i)", now: Date()) { $0.code }
                                i += concurrency
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("\(database.kind.rawValue) \(label): \(count) dossiers, concurrency \(concurrency): \(Int(Double(count) / seconds)) dossiers/s")
        }
        let stats = database.commitStatistics
        print("group commit: \(stats.units) units in \(stats.batches) batches (average \(stats.batches > 0 ? stats.units / stats.batches : 0) per commit)")
        await database.close()
    }
}

/// `motcua bench lifecycle`: full lifecycles over HTTP against a running server —
/// submit → receive → transfer → appraise → approve → issue → return.
struct LifecycleBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lifecycle", abstract: "Full dossier lifecycles per second over HTTP.")
    @Option(help: "Server base URL.") var url = "http://127.0.0.1:8080"
    @Option(help: "Concurrent clients.") var concurrency = 16
    @Option(help: "Lifecycles to run.") var count = 400

    struct Token: Decodable { let token: String }
    struct Dossier: Decodable { let code: String; let version: Int; let status: String }

    func run() async throws {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = max(concurrency, 6)
        let session = URLSession(configuration: configuration)
        let base = url
        func call<T: Decodable>(_ method: String, _ path: String, token: String?, body: String) async throws -> T {
            var r = URLRequest(url: URL(string: base + path)!)
            r.httpMethod = method
            r.httpBody = Data(body.utf8)
            r.setValue("application/json", forHTTPHeaderField: "Content-Type")
            if let token { r.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
            let (data, response) = try await session.data(for: r)
            guard let http = response as? HTTPURLResponse, (200..<300).contains(http.statusCode) else {
                throw CommandFailure("\(method) \(path): \((response as? HTTPURLResponse)?.statusCode ?? 0) \(String(decoding: data, as: UTF8.self))")
            }
            return try JSONDecoder().decode(T.self, from: data)
        }
        var tokens: [String: String] = [:]
        for user in ["tiepnhan.sotuphap", "chuyenvien.sotuphap", "truongphong.sotuphap", "giamdoc.sotuphap", "vanthu.sotuphap"] {
            let t: Token = try await call("POST", "/api/v1/auth/token", token: nil, body: #"{"username":"\#(user)","password":"\#(DemoSeeder.demoPassword)"}"#)
            tokens[user] = t.token
        }
        let steps: [(String, String, String)] = [("tiepnhan.sotuphap", "transfer", ""), ("chuyenvien.sotuphap", "transfer", ""),
                                                 ("truongphong.sotuphap", "approve", ""), ("giamdoc.sotuphap", "approve", ""),
                                                 ("vanthu.sotuphap", "issue", #","number":"B-1""#), ("tiepnhan.sotuphap", "return", "")]
        let body = #"{"procedureCode":"2.000488","caseCode":"TH1","channel":"counter","applicant":{"kind":"person","name":"Người thử","idNumber":"092095001234"},"documents":[{"component":"Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp","form":"original","count":1},{"component":"Căn cước hoặc hộ chiếu của người được cấp Phiếu","form":"original","count":1}]}"#
        let allTokens = tokens
        let clock = ContinuousClock()
        let total = count, lanes = concurrency
        let elapsed = try await clock.measure {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for w in 0..<lanes {
                    group.addTask {
                        var i = w
                        while i < total {
                            var d: Dossier = try await call("POST", "/api/v1/dossiers", token: allTokens["tiepnhan.sotuphap"], body: body)
                            for (user, action, extra) in steps {
                                d = try await call("POST", "/api/v1/dossiers/\(d.code)/actions", token: allTokens[user],
                                                   body: #"{"action":"\#(action)","version":\#(d.version)\#(extra)}"#)
                            }
                            guard d.status == "returned" else { throw CommandFailure("lifecycle ended in \(d.status)") }
                            i += lanes
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("lifecycles: \(count) in \(String(format: "%.2f", seconds)) s at concurrency \(concurrency) = \(String(format: "%.1f", Double(count) / seconds)) lifecycles/s (\(String(format: "%.0f", Double(count * 7) / seconds)) HTTP writes/s)")
    }
}
