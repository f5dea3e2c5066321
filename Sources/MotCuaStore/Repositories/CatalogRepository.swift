import Foundation
import MotCuaCore
import SQLKit

/// Filters for listing procedures; nil fields do not filter.
public struct ProcedureFilter: Sendable, Equatable {
    public var query: String?
    public var field: String?
    public var level: AdministrativeLevel?
    public var agency: String?
    public var onlineType: OnlineType?
    public var limit: Int = 200

    public init(query: String? = nil, field: String? = nil, level: AdministrativeLevel? = nil, agency: String? = nil,
                onlineType: OnlineType? = nil, limit: Int = 200) {
        self.query = query
        self.field = field
        self.level = level
        self.agency = agency
        self.onlineType = onlineType
        self.limit = limit
    }
}

/// Agencies, reorganisations and versioned procedures.
public struct CatalogRepository: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    // MARK: Agencies

    public func agencies() async throws -> [Agency] {
        try await database.read { db in
            try await db.select().columns("code", "name", "short_name", "kind", "level", "parent_code", "valid_from", "valid_to", "office_hours")
                .from("agencies").orderBy("code").all().map(Self.agency)
        }
    }

    public func agency(code: String) async throws -> Agency? {
        try await database.read { db in
            try await db.select().columns("code", "name", "short_name", "kind", "level", "parent_code", "valid_from", "valid_to", "office_hours")
                .from("agencies").where("code", .equal, code).first().map(Self.agency)
        }
    }

    public func reorganisations() async throws -> [Reorganisation] {
        try await database.read { db in
            let events = try await db.select().columns("id", "kind", "effective", "note").from("reorganisations").orderBy("id").all()
            let links = try await db.select().columns("reorganisation_id", "predecessor", "successor").from("agency_succession").all()
            var from: [Int: [String]] = [:], to: [Int: [String]] = [:]
            for l in links {
                let id = try l.decode(column: "reorganisation_id", as: Int.self)
                let p = try l.decode(column: "predecessor", as: String.self), s = try l.decode(column: "successor", as: String.self)
                if !(from[id]?.contains(p) ?? false) { from[id, default: []].append(p) }
                if !(to[id]?.contains(s) ?? false) { to[id, default: []].append(s) }
            }
            return try events.map { r in
                let id = try r.decode(column: "id", as: Int.self)
                return Reorganisation(kind: ReorganisationKind(rawValue: try r.decode(column: "kind", as: String.self)) ?? .merge,
                                      effective: CivilDate(iso: try r.decode(column: "effective", as: String.self)) ?? CivilDate(julianDay: 0),
                                      from: (from[id] ?? []).sorted(), to: (to[id] ?? []).sorted(),
                                      note: try r.decodeNil(column: "note") ? nil : r.decode(column: "note", as: String.self))
            }
        }
    }

    public func history() async throws -> AgencyHistory {
        AgencyHistory(agencies: try await agencies(), reorganisations: try await reorganisations())
    }

    static func agency(_ r: any SQLRow) throws -> Agency {
        func opt(_ c: String) throws -> String? { try r.decodeNil(column: c) ? nil : r.decode(column: c, as: String.self) }
        // office_hours holds "hours|cut-off".
        let hours = try opt("office_hours")?.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        var agency = Agency(code: try r.decode(column: "code", as: String.self), name: try r.decode(column: "name", as: String.self),
                      shortName: try opt("short_name"),
                      kind: AgencyKind(rawValue: try r.decode(column: "kind", as: String.self)) ?? .department,
                      level: AdministrativeLevel(rawValue: try r.decode(column: "level", as: String.self)) ?? .province,
                      parent: try opt("parent_code"),
                      validFrom: CivilDate(iso: try r.decode(column: "valid_from", as: String.self)) ?? CivilDate(julianDay: 0),
                      validTo: try opt("valid_to").flatMap { CivilDate(iso: $0) })
        agency.officeHours = hours?.first.flatMap { $0.isEmpty ? nil : $0 }
        agency.sameDayCutoff = hours.flatMap { $0.count > 1 && !$0[1].isEmpty ? $0[1] : nil }
        return agency
    }

    // MARK: Import

    /// Replaces the whole catalog in one transaction (all or nothing). Validate first with
    /// `CatalogValidation`; procedures already present keep their versions (a changed one gets a new
    /// version).
    public func replaceAll(agencies: [Agency], reorganisations: [Reorganisation], procedures: [Procedure], now: Date) async throws {
        try await database.write { db in
            try await db.delete(from: "agency_succession").run()
            try await db.delete(from: "reorganisations").run()
            try await db.delete(from: "agencies").run()
            // Parents first so that the tree can be read back in any order.
            for a in agencies {
                try await db.insert(into: "agencies")
                    .columns("code", "name", "short_name", "kind", "level", "parent_code", "valid_from", "valid_to", "office_hours")
                    .values(SQLBind(a.code), SQLBind(a.name), SQLBind(a.shortName), SQLBind(a.kind.rawValue), SQLBind(a.level.rawValue),
                            SQLBind(a.parent), SQLBind(a.validFrom.description), SQLBind(a.validTo?.description),
                            SQLBind(a.officeHours == nil && a.sameDayCutoff == nil ? nil : "\(a.officeHours ?? "")|\(a.sameDayCutoff ?? "")"))
                    .run()
            }
            for (i, r) in reorganisations.enumerated() {
                try await db.insert(into: "reorganisations").columns("id", "kind", "effective", "note")
                    .values(SQLBind(i + 1), SQLBind(r.kind.rawValue), SQLBind(r.effective.description), SQLBind(r.note)).run()
                for p in r.from { for s in r.to {
                    try await db.insert(into: "agency_succession").columns("reorganisation_id", "predecessor", "successor")
                        .values(SQLBind(i + 1), SQLBind(p), SQLBind(s)).run()
                } }
            }
            for p in procedures { _ = try await Self.save(p, db: db, now: now) }
        }
    }

    /// Saves a procedure: a new version when it differs from the current one. Returns the version.
    @discardableResult
    public func save(_ procedure: Procedure, now: Date) async throws -> Int {
        try await database.write { db in try await Self.save(procedure, db: db, now: now) }
    }

    static func save(_ procedure: Procedure, db: any SQLDatabase, now: Date) async throws -> Int {
        var p = procedure
        let current = try await db.select().columns("version", "document").from("procedures")
            .where("code", .equal, p.code).orderBy("version", .descending).first()
        if let current {
            let version = try current.decode(column: "version", as: Int.self)
            p.version = version
            if try StoredJSON.encode(p) == current.decode(column: "document", as: String.self) { return version }
            p.version = version + 1
            try await db.update("procedures").set("current", to: 0).where("code", .equal, p.code).run()
        } else {
            p.version = 1
        }
        try await db.insert(into: "procedures")
            .columns("code", "version", "current", "name", "search_text", "field", "level", "online_type", "is_internal",
                     "agency_kinds", "agency_codes", "document", "created_at")
            .values(SQLBind(p.code), SQLBind(p.version), SQLBind(1), SQLBind(p.name),
                    SQLBind(TextFolding.fold("\(p.code) \(p.name) \(p.field)")), SQLBind(p.field), SQLBind(p.level.rawValue),
                    SQLBind(p.onlineType.rawValue), SQLBind(p.internal ? 1 : 0),
                    SQLBind("|" + p.agencyKinds.map(\.rawValue).joined(separator: "|") + "|"),
                    SQLBind("|" + p.agencies.joined(separator: "|") + "|"),
                    SQLBind(try StoredJSON.encode(p)), SQLBind(Int(now.timeIntervalSince1970)))
            .run()
        return p.version
    }

    // MARK: Procedures

    /// The current version of a procedure, or a given version.
    public func procedure(code: String, version: Int? = nil) async throws -> Procedure? {
        try await database.read { db in
            var q = db.select().column("document").from("procedures").where("code", .equal, code)
            q = version.map { q.where("version", .equal, $0) } ?? q.where("current", .equal, 1)
            return try await q.first().map { try StoredJSON.decode(Procedure.self, from: $0.decode(column: "document", as: String.self)) }
        }
    }

    /// Current procedures matching the filter, ordered by field then code.
    public func procedures(_ filter: ProcedureFilter) async throws -> [Procedure] {
        let agencyKind = try await filter.agency.asyncMap { try await agency(code: $0)?.kind }
        return try await database.read { db in
            var q = db.select().column("document").from("procedures").where("current", .equal, 1)
            for word in TextFolding.words(filter.query ?? "") {
                q = q.where("search_text", .like, "%\(Self.escapeLike(word))%")
            }
            if let f = filter.field { q = q.where("field", .equal, f) }
            if let l = filter.level { q = q.where("level", .equal, l.rawValue) }
            if let o = filter.onlineType { q = q.where("online_type", .equal, o.rawValue) }
            if let a = filter.agency {
                let code = "%|\(Self.escapeLike(a))|%"
                let kindPattern = "%|\((agencyKind ?? nil)?.rawValue ?? "-")|%"
                q = q.where(group: { $0.where("agency_codes", .like, code).orWhere("agency_kinds", .like, kindPattern) })
            }
            let rows = try await q.orderBy("field").orderBy("code").limit(filter.limit).all()
            return try rows.map { try StoredJSON.decode(Procedure.self, from: $0.decode(column: "document", as: String.self)) }
        }
    }

    /// Distinct fields of current procedures, sorted.
    public func fields() async throws -> [String] {
        try await database.read { db in
            try await db.select().distinct().column("field").from("procedures").where("current", .equal, 1).orderBy("field").all()
                .map { try $0.decode(column: "field", as: String.self) }
        }
    }

    public func procedureCount() async throws -> Int {
        try await database.read { db in
            try await db.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("procedures")
                .where("current", .equal, 1).first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    /// `%` and `_` are kept literal by removing them: the folded text never needs them.
    static func escapeLike(_ s: String) -> String {
        s.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "")
    }
}

extension Optional {
    /// `map` with an async transform.
    public func asyncMap<U>(_ f: (Wrapped) async throws -> U) async rethrows -> U? {
        guard let w = self else { return nil }
        return try await f(w)
    }
}
