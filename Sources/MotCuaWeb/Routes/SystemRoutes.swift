import Foundation
import Hummingbird
import MotCuaStore
import NIOCore

/// `/healthz`, `/metrics` and `/openapi.yaml`.
enum SystemRoutes {
    struct Health: Encodable {
        let status: String
        let database: String
        let schemaVersion: Int?
        let error: String?
    }

    static func register(_ routes: inout RouteRegistry, services: AppServices) {
        routes.get("/healthz") { _, _ in
            do {
                try await services.database.ping()
                let version = try await Migrator.currentVersion(services.database)
                return try JSONResponse.make(Health(status: "ok", database: services.database.kind.rawValue, schemaVersion: version, error: nil))
            } catch {
                return try JSONResponse.make(Health(status: "unavailable", database: services.database.kind.rawValue, schemaVersion: nil,
                                                    error: "database did not answer"), status: .serviceUnavailable)
            }
        }
        routes.get("/metrics") { _, _ in
            let stats = services.database.commitStatistics
            services.metrics.makeGauge(name: "motcua_db_commit_batches", labels: [], help: "Group-commit batches committed").set(to: Double(stats.batches))
            services.metrics.makeGauge(name: "motcua_db_commit_units", labels: [], help: "Write units committed").set(to: Double(stats.units))
            services.metrics.makeGauge(name: "motcua_db_pending_writes", labels: [], help: "Write units waiting for a commit")
                .set(to: Double(services.database.pendingWrites))
            var buffer: [UInt8] = []
            services.metrics.emit(into: &buffer)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        routes.get("/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: try OpenAPIDocument.text())))
        }
    }
}

/// The OpenAPI 3.1 description of `/api/v1`, shipped as a resource.
public enum OpenAPIDocument {
    public static func text() throws -> String {
        guard let url = Bundle.module.url(forResource: "Resources/openapi", withExtension: "yaml") else {
            throw APIError(.internalServerError, code: "internal_error", "openapi.yaml missing from the bundle")
        }
        return try String(contentsOf: url, encoding: .utf8)
    }
}
