import ArgumentParser
import Foundation
import Hummingbird
import Logging
import MotCuaCore
import MotCuaStore
import MotCuaWeb
import ServiceLifecycle

/// `motcua serve`: migrate, create the demo province on an empty database, serve HTTP until
/// SIGTERM/SIGINT, finishing in-flight requests.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the web site and the API (default command).")

    @OptionGroup var db: DatabaseOptions
    @Option(help: "Address to listen on. Env: MOTCUA_HOST.") var host: String?
    @Option(help: "TCP port. Env: MOTCUA_PORT.") var port: String?

    func run() async throws {
        var flags: [String: String] = [:]
        if let host { flags["host"] = host }
        if let port { flags["port"] = port }
        let config = try Runtime.resolveConfig(db, extraFlags: flags)
        let logger = Runtime.logger(config)
        let database: Database
        do {
            database = try await Runtime.openMigrated(config, logger: logger)
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw CommandFailure("cannot start: \(error)")
        }
        if config.demo { try await DemoSeeder.seedIfEmpty(database, now: Date(), logger: logger, hashPassword: PasswordHasher().hash) }
        let services = try await AppServices(database: database, logger: logger, dueSoonDays: config.dueSoonDays, security: config.security,
                                             portal: config.portal)
        let sender = NotificationSender(outbox: services.outbox, settings: config.mail, sms: LogSMSGateway(logger: logger),
                                        baseURL: config.portal.publicBaseURL, metrics: services.metrics, logger: logger)
        let app = AppBuilder.application(services: services, host: config.host, port: config.port, bodyLimit: config.bodyLimit,
                                         timeouts: .init(requestHead: .seconds(Int64(config.requestHeadTimeout)), idle: .seconds(Int64(config.idleTimeout))),
                                         logger: logger)
        let keys = AuditKeyring.current
        let checkpoint: @Sendable (String) async throws -> Void = { reason in
            try await AuditCheckpoints.write(database, keys: keys, path: config.auditCheckpoints, reason: reason, now: Date())
        }
        // One service group; at SIGTERM/SIGINT services stop in reverse order: the HTTP server first
        // (finishing in-flight requests), then the background work, the last checkpoint, the database.
        let group = ServiceGroup(configuration: .init(services: [
            DatabaseService(database: database),
            // Signed checkpoints of every audit chain head, outside the database.
            PeriodicService(name: "audit checkpoint", interval: .seconds(config.auditCheckpointSeconds), logger: logger,
                            work: { try await checkpoint("periodic") }, atShutdown: { try await checkpoint("shutdown") }),
            // Other nodes (or `motcua calendar schedule set`) may change the holiday schedules or office hours.
            PeriodicService(name: "calendar reload", interval: .seconds(300), logger: logger, work: { try await services.reloadCalendar() }),
            // The outbox: e-mail over SMTP and SMS, at least once, with retries and a dead letter.
            PeriodicService(name: "notification sender", interval: .seconds(config.mail.intervalSeconds), logger: logger,
                            work: { try await sender.deliverDue() }),
            // The day close: the open set as of each ended day's end, caught up after downtime.
            PeriodicService(name: "indicator day close", interval: .seconds(300), logger: logger,
                            work: { _ = try await services.indicators.dayClose.closeDays(now: Date()) }),
            app,
        ], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.info("MotCua serving", metadata: ["url": "http://\(config.host):\(config.port)", "database": "\(config.database.redacted)"])
        try await group.run()
        logger.info("MotCua stopped")
    }
}

/// `motcua migrate`: apply pending migrations and exit.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations.")
    @OptionGroup var db: DatabaseOptions

    func run() async throws {
        let config = try Runtime.resolveConfig(db)
        let logger = Runtime.logger(config)
        let database = try await Database.open(config.database, options: config.databaseOptions, logger: logger)
        defer { Task { await database.close() } }
        do {
            let applied = try await Migrator.migrate(database, logger: logger)
            print(applied.isEmpty ? "schema up to date (version \(Schema.latestVersion))" : "applied migrations: \(applied.map(String.init).joined(separator: ", "))")
        } catch {
            throw CommandFailure("\(error)")
        }
        await database.close()
    }
}

/// `motcua demo [--reset]`: create (or recreate) the demo province.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create the demo province (agencies, procedures, calendar); with --dossiers, add a generated history of that many dossiers.")
    @OptionGroup var db: DatabaseOptions
    @Flag(help: "Recreate the demo data even when the database already has data.") var reset = false
    @Option(help: "Generate this many dossiers through the workflow rules, written in bulk.") var dossiers: Int?
    @Option(help: "The generator's seed (same seed, same data).") var seed: UInt64 = 766
    @Option(help: "First day of the generated receipts, YYYY-MM-DD (default: 1 January of last year).") var from: String?
    @Option(help: "Last day of the generated receipts, YYYY-MM-DD (default: today).") var to: String?

    func run() async throws {
        let config = try Runtime.resolveConfig(db)
        let logger = Runtime.logger(config)
        let now = Date()
        let today = DeadlineCalculator.localDate(of: now)
        let start = try from.map { try Self.date($0, "--from") } ?? CivilDate(year: today.year - 1, month: 1, day: 1)!
        let end = try to.map { try Self.date($0, "--to") } ?? today
        if let dossiers {
            guard dossiers > 0, dossiers <= 100_000_000 else { throw ValidationError("--dossiers must be between 1 and 100000000") }
            guard start <= end, end <= today else { throw ValidationError("--from must be on or before --to, and --to not after today") }
        }
        let database = try await Runtime.openMigrated(config, logger: logger)
        do {
            if reset {
                try await DemoSeeder.reset(database, now: now, logger: logger, hashPassword: PasswordHasher().hash)
                print("demo province recreated")
            } else if try await DemoSeeder.seedIfEmpty(database, now: now, logger: logger, hashPassword: PasswordHasher().hash) {
                print("demo province created")
            } else if dossiers == nil {
                print("the database already has data; use --reset to recreate the demo province")
            }
            if let dossiers {
                let bar = ProgressBar(label: "demo")
                let began = Date()
                let n = try await DemoBulk(database: database).generate(count: dossiers, seed: seed, from: start, to: end, now: now) { bar.update($0, $1) }
                bar.finish()
                let seconds = Date().timeIntervalSince(began)
                print("generated \(n) dossiers received \(start) … \(end) in \(Int(seconds)) s (\(Int(Double(n) / max(seconds, 0.001))) dossiers/s)")
            }
        } catch {
            await database.close()
            throw error
        }
        await database.close()
    }

    static func date(_ text: String, _ option: String) throws -> CivilDate {
        guard let d = CivilDate(iso: text) else { throw ValidationError("\(option) must be a date YYYY-MM-DD, got \(text)") }
        return d
    }
}

/// Keeps the database open while the server runs and closes it last at shutdown.
struct DatabaseService: Service {
    let database: Database

    func run() async throws {
        try? await gracefulShutdown()
        await database.close()
    }
}
