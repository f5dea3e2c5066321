import Foundation
import MotCuaCore
import MotCuaStore
import Synchronization

/// Procedures for the hot paths (intake, every action): a published version never changes, so a
/// version is cached for good; "the current version of a code" is cached for ten seconds, so an
/// edit reaches every node within that time.
final class ProcedureCache: Sendable {
    private let versions = Mutex<[String: Procedure]>([:])
    private let current = Mutex<[String: (procedure: Procedure, until: Date)]>([:])
    let catalog: CatalogRepository

    init(catalog: CatalogRepository) { self.catalog = catalog }

    func procedure(code: String, version: Int) async throws -> Procedure? {
        let key = "\(code)#\(version)"
        if let p = versions.withLock({ $0[key] }) { return p }
        guard let p = try await catalog.procedure(code: code, version: version) else { return nil }
        versions.withLock { $0[key] = p }
        return p
    }

    func current(code: String, now: Date) async throws -> Procedure? {
        if let hit = current.withLock({ $0[code] }), hit.until > now { return hit.procedure }
        guard let p = try await catalog.procedure(code: code) else { return nil }
        current.withLock { $0[code] = (p, now.addingTimeInterval(10)) }
        return p
    }
}
