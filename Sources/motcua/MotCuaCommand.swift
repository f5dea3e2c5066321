import ArgumentParser

/// `motcua`: the one-stop platform's command line. Without a subcommand it serves.
@main
struct MotCuaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "motcua",
        abstract: "MotCua — nền tảng một cửa điện tử (one-stop e-government platform).",
        subcommands: [Serve.self, Migrate.self, Demo.self, CalendarCommand.self, CatalogCommand.self, StaffCommand.self, AuditCommand.self, BenchCommand.self],
        defaultSubcommand: Serve.self)
}
