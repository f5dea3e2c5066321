import MotCuaStore
import MotCuaWeb
import Testing

struct ServerConfigTests {
    @Test func defaults() throws {
        let c = try ServerConfig.resolve(flags: [:], environment: [:], file: nil)
        #expect(c.host == "127.0.0.1" && c.port == 8080)
        #expect(c.database == .sqliteFile(path: "motcua-data/motcua.sqlite"))
        #expect(c.sqliteSynchronous == .full)
    }

    @Test func flagsBeatEnvironmentWhichBeatsTheFile() throws {
        let c = try ServerConfig.resolve(flags: ["port": "9000"], environment: ["MOTCUA_PORT": "9001", "MOTCUA_HOST": "0.0.0.0"],
                                         file: ["port": 9002, "host": "10.0.0.1", "logLevel": "debug"])
        #expect(c.port == 9000)
        #expect(c.host == "0.0.0.0")
        #expect(c.logLevel == .debug)
    }

    @Test func postgresURL() throws {
        let c = try ServerConfig.resolve(flags: [:], environment: ["MOTCUA_DATABASE_URL": "postgres://u:p%40ss@db.local:6543/motcua?sslmode=require"], file: nil)
        guard case .postgres(let s) = c.database else { Issue.record("not postgres"); return }
        #expect(s.host == "db.local" && s.port == 6543 && s.username == "u" && s.password == "p@ss" && s.database == "motcua" && s.tls == .require)
    }

    @Test func badValuesAndUnknownKeysAreRefusedByName() {
        let cases: [([String: String], [String: String], [String: Any]?, String)] = [
            (["port": "eighty"], [:], nil, "port"),
            ([:], ["MOTCUA_PORTT": "1"], nil, "MOTCUA_PORTT"),
            ([:], [:], ["colour": "red"], "colour"),
            ([:], ["MOTCUA_DATABASE_URL": "mysql://x"], nil, "database"),
            ([:], ["MOTCUA_SQLITE_SYNCHRONOUS": "sometimes"], nil, "sqliteSynchronous"),
        ]
        for (flags, env, file, key) in cases {
            #expect(performing: { try ServerConfig.resolve(flags: flags, environment: env, file: file) },
                    throws: { ($0 as? ConfigError)?.key == key })
        }
    }
}
