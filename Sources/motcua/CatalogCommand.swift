import ArgumentParser
import Foundation
import MotCuaCore
import MotCuaStore
import MotCuaWeb

/// `motcua catalog import FILE` / `motcua catalog export`.
struct CatalogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog", abstract: "Import or export agencies and procedures.", subcommands: [Import.self, Export.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace agencies, reorganisations and procedures from a JSON file, all or nothing.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "JSON file {agencies, reorganisations, procedures}.") var file: String

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else { throw CommandFailure("cannot read \(file)") }
            let document: CatalogDocument
            do {
                document = try JSONDecoder().decode(CatalogDocument.self, from: data)
            } catch let error as DecodingError {
                throw CommandFailure("catalog rejected: \(DecodingErrorText.describe(error))")
            } catch {
                throw CommandFailure("catalog rejected: \(file) is not valid JSON")
            }
            let problems = document.problems()
            guard problems.isEmpty else { throw CommandFailure(CatalogImportError(problems: problems).description) }
            let config = try Runtime.resolveConfig(db)
            let database = try await Runtime.openMigrated(config, logger: Runtime.logger(config))
            try await CatalogRepository(database: database).replaceAll(
                agencies: document.agencies, reorganisations: document.reorganisations, procedures: document.procedures, now: Date())
            await database.close()
            print("imported \(document.agencies.count) agencies, \(document.reorganisations.count) reorganisations, \(document.procedures.count) procedures")
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the catalog: JSON (whole) or CSV (flat list of procedures).")
        @OptionGroup var db: DatabaseOptions
        @Option(help: "json or csv.") var format = "json"

        func validate() throws {
            guard ["json", "csv"].contains(format) else { throw ValidationError("--format must be json or csv") }
        }

        func run() async throws {
            let config = try Runtime.resolveConfig(db)
            let database = try await Runtime.openMigrated(config, logger: Runtime.logger(config))
            let repo = CatalogRepository(database: database)
            let procedures = try await repo.procedures(ProcedureFilter(limit: 1_000_000))
            if format == "csv" {
                print(CatalogCSV.render(procedures), terminator: "")
            } else {
                let doc = CatalogDocument(agencies: try await repo.agencies(), reorganisations: try await repo.reorganisations(), procedures: procedures)
                let e = JSONEncoder()
                e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                print(String(decoding: try e.encode(doc), as: UTF8.self))
            }
            await database.close()
        }
    }
}

