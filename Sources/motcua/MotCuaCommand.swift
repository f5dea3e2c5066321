import ArgumentParser
import Foundation
import MotCuaWeb

/// `motcua`: the one-stop platform's command line. Without a subcommand it serves.
@main
struct MotCuaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "motcua",
        abstract: "MotCua — nền tảng một cửa điện tử (one-stop e-government platform).",
        subcommands: [Serve.self, Migrate.self, Demo.self, CalendarCommand.self, CatalogCommand.self, StaffCommand.self, AuditCommand.self, BackupCommand.self, RestoreCommand.self, RoutesCommand.self, BenchCommand.self, PaymentsCommand.self, IndicatorsCommand.self],
        defaultSubcommand: Serve.self)
}

/// `motcua routes [--json]`: every HTTP route (method and path), from the router itself.
struct RoutesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "routes", abstract: "List every HTTP route the server serves.")
    @OptionGroup var db: DatabaseOptions
    @Flag(help: "Print a JSON array of {method, path}.") var json = false

    func run() async throws {
        let table = try await Runtime.withDatabase(db) { database in
            let config = try Runtime.resolveConfig(db)
            return AppBuilder.routeTable(services: try await AppServices(database: database, logger: Runtime.logger(config)))
        }
        if json {
            let rows = table.map { ["method": $0.method, "path": $0.path] }
            let data = try JSONSerialization.data(withJSONObject: rows, options: [.sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
        } else {
            for r in table { print("\(r.method)\t\(r.path)") }
        }
    }
}
