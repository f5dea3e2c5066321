import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MotCuaWeb
import Testing

struct SystemRoutesTests {
    @Test func healthzChecksTheDatabase() async throws {
        try await TestApp.run { client, services, _ in
            try await client.execute(uri: "/healthz", method: .get) { r in
                #expect(r.status == .ok)
                let j = try r.json()
                #expect(j["status"] as? String == "ok")
                #expect(j["database"] as? String == "sqlite")
            }
            await services.database.close()
            try await client.execute(uri: "/healthz", method: .get) { r in
                #expect(r.status == .serviceUnavailable)
            }
        }
    }

    @Test func errorsHaveOneJSONShapeWithStableCodes() async throws {
        try await TestApp.run { client, _, _ in
            try await client.execute(uri: "/api/v1/nothing-here", method: .get) { r in
                #expect(r.status == .notFound)
                let e = try r.json()["error"] as? [String: Any]
                #expect(e?["code"] as? String == "not_found")
                #expect(r.headers[.contentType]?.hasPrefix("application/json") == true)
            }
            try await client.execute(uri: "/api/v1/procedures", method: .delete) { r in
                #expect(r.status == .methodNotAllowed)
                #expect(r.errorCode == "method_not_allowed")
                #expect(r.headers[.allow]?.contains("GET") == true)
            }
            // An undeclared method on a known path is 405 with Allow, before any content-type check.
            try await client.execute(uri: "/api/v1/procedures", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "x")) { r in
                #expect(r.status == .methodNotAllowed)
            }
            for method in [HTTPRequest.Method.put, .trace, .options, .patch] {
                try await client.execute(uri: "/api/v1/dossiers/H13.41-260101-0001", method: method, headers: [.contentType: "text/plain"],
                                         body: ByteBuffer(string: "x")) { r in
                    #expect(r.status == .methodNotAllowed && r.headers[.allow] == "GET, HEAD", "\(method)")
                }
            }
            // The staff API authenticates first (its middleware), then checks the body's type.
            try await client.execute(uri: "/api/v1/dossiers", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "x")) { r in
                #expect(r.status == .unauthorized && r.errorCode == "unauthorized")
            }
            try await client.execute(uri: "/api/v1/auth/token", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "x")) { r in
                #expect(r.status == .unsupportedMediaType && r.errorCode == "unsupported_media_type")
            }
            try await client.execute(uri: "/api/v1/procedures?level=galaxy", method: .get) { r in
                #expect(r.status == .badRequest)
                #expect(r.errorCode == "invalid_parameter")
            }
        }
    }

    @Test func securityHeadersOnEveryResponse() async throws {
        try await TestApp.run { client, _, _ in
            try await client.execute(uri: "/", method: .get) { r in
                #expect(r.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
                #expect(r.headers[.xContentTypeOptions] == "nosniff")
                #expect(r.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
                #expect(r.headers[HTTPField.Name("X-Request-Id")!]?.isEmpty == false)
            }
        }
    }

    @Test func metricsCountRequestsByRouteAndStatus() async throws {
        try await TestApp.run { client, _, _ in
            try await client.execute(uri: "/api/v1/procedures", method: .get) { _ in }
            try await client.execute(uri: "/metrics", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.text.contains("motcua_http_requests_total{route=\"/api/v1/procedures\",method=\"GET\",status=\"200\"}"))
                #expect(r.text.contains("motcua_http_request_duration_seconds_bucket"))
                #expect(r.text.contains("motcua_db_commit_batches"))
            }
        }
    }

    /// Keeps /openapi.yaml true: every API route is documented, and every documented path exists.
    @Test func openAPIDocumentCoversEveryRoute() async throws {
        try await TestApp.run { client, _, operations in
            let yaml = try await client.execute(uri: "/openapi.yaml", method: .get) { r in
                #expect(r.status == .ok)
                return r.text
            }
            #expect(yaml.hasPrefix("openapi: 3.1"))
            // Documented operations, read from the YAML structure: "  /path:" then "    get:".
            var documented: [String] = []
            var path: String?
            for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("  /"), line.hasSuffix(":") { path = String(line.dropFirst(2).dropLast()) }
                else if !line.hasPrefix(" ") { path = nil }
                else if let p = path, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                    documented.append("\(line.trimmingCharacters(in: .whitespaces).dropLast()) \(p)")
                }
            }
            let api = documented.filter { $0.contains(" /api/") }.sorted()
            #expect(!operations.isEmpty)
            #expect(api == operations)
        }
    }
}

struct LimitsTests {
    @Test func oversizedBodyIs413() async throws {
        try await TestApp.run { client, _, _ in
            let big = ByteBuffer(string: "{\"username\":\"" + String(repeating: "a", count: 1_100_000) + "\",\"password\":\"x\"}")
            try await client.execute(uri: "/api/v1/auth/token", method: .post, headers: [.contentType: "application/json"], body: big) { r in
                #expect(r.status == .contentTooLarge)
                #expect(r.errorCode == "payload_too_large")
            }
            try await client.execute(uri: "/api/v1/auth/token", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: "{not json")) { r in
                #expect(r.status == .unprocessableContent && r.errorCode == "invalid_body")
            }
        }
    }
}
