import Foundation
import MotCuaCore
import SQLKit

/// Filters for listing dossiers.
public struct DossierFilter: Sendable {
    public var status: DossierStatus?
    /// Only dossiers whose processing has not ended (and finished ones not yet returned).
    public var openOnly = false
    public var dueBefore: Date?
    public var procedureCode: String?
    /// Received in [receivedFrom, receivedBefore) (the tracking book).
    public var receivedFrom: Date?
    public var receivedBefore: Date?
    /// Only dossiers received by the actor's own agency (not those at a liên thông step there).
    public var receivedHereOnly = false
    /// Inbox order, for paging: late open dossiers first, then open ones by appointment, then the
    /// rest; `now` decides what is late. Without it: by end, appointment and code.
    public var urgentFirstAt: Date?
    public var limit: Int = 100
    public var offset: Int = 0

    public init(status: DossierStatus? = nil, dueBefore: Date? = nil, procedureCode: String? = nil, limit: Int = 100, offset: Int = 0) {
        self.status = status
        self.dueBefore = dueBefore
        self.procedureCode = procedureCode
        self.limit = limit
        self.offset = offset
    }
}

/// Dossiers: intake, transitions, reads — each one transaction through group commit, with history,
/// counters, outbox and audit written in that same transaction.
public struct DossierRepository: Sendable {
    let database: Database
    /// False only in the benchmark of the database's own rate: one commit per dossier.
    let groupCommit: Bool

    public init(database: Database, groupCommit: Bool = true) {
        self.database = database
        self.groupCommit = groupCommit
    }

    private func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        groupCommit ? try await database.write(body) : try await database.writeUnbatched(body)
    }

    /// The stored response of an intake, for idempotent replays.
    public struct IntakeOutcome: Sendable {
        public let status: Int
        public let body: String
        public let replayed: Bool
    }

    /// Opens a dossier (and receives it when asked). With an idempotency key, a replay of the same
    /// request returns the stored response; the same key with another request throws
    /// `.idempotencyMismatch`.
    public func intake(_ request: IntakeRequest, actor: StaffMember, procedure: Procedure, context: WorkflowContext,
                       idempotencyKey: String?, requestHash: String, now: Date,
                       render: @escaping @Sendable (DossierState) throws -> String) async throws -> IntakeOutcome {
        do {
            return try await write { db in
                let scopedKey = idempotencyKey.map { Self.scoped($0, actor) }
                if let key = scopedKey, let stored = try await Self.storedOutcome(db, key: key, username: actor.username, hash: requestHash) {
                    return stored
                }
                let agency = actor.agencyCode
                let code = try await Self.nextCode(db, agency: agency, now: now)
                var state = Intake.newDossier(code: code, agency: agency, request: request, procedure: procedure, now: now)
                var transitions = [Transition.submission(of: state, by: actor.actor, at: now)]
                if request.receive ?? true {
                    let (received, t) = try Workflow.apply(state, .receive, actor: actor.actor, now: now, context: context)
                        .mapError { DossierError.rejected($0) }.get()
                    state = received
                    transitions.append(t)
                }
                try await Self.insert(db, state)
                try await DossierEffects.persist(db, state: state, transitions: transitions)
                let body = try render(state)
                if let key = scopedKey {
                    try await db.insertRow("idempotency_keys (key, username, request_hash, status, body, created_at)", SQLGroupExpression(
                        [SQLBind(key), SQLBind(actor.username), SQLBind(requestHash), SQLBind(201), SQLBind(body), SQLBind(Int(now.timeIntervalSince1970))]
                        as [any SQLExpression]))
                }
                return IntakeOutcome(status: 201, body: body, replayed: false)
            }
        } catch let error as DossierError {
            throw error
        } catch {
            // Two nodes racing on one key: the loser finds the winner's stored response.
            if let key = idempotencyKey.map({ Self.scoped($0, actor) }),
               let stored = try await database.read({ db in try await Self.storedOutcome(db, key: key, username: actor.username, hash: requestHash) }) {
                return stored
            }
            throw error
        }
    }

    /// The next dossier code of `agency` for the local day of `now` (gap-free: the daily sequence
    /// is advanced in the caller's transaction).
    static func nextCode(_ db: any SQLDatabase, agency: String, now: Date) async throws -> String {
        let day = DeadlineCalculator.localDate(of: now)
        return Intake.dossierCode(agency: agency, date: day, sequence: try await nextDailySequence(db, key: agency, day: day))
    }

    /// Advances the gap-free daily sequence of `key` (an agency's dossiers, or the feedback) in the
    /// caller's transaction and returns the new number.
    static func nextDailySequence(_ db: any SQLDatabase, key: String, day: CivilDate) async throws -> Int {
        let advance: (any SQLDatabase) async throws -> Int = { db in
            try await db.raw("""
                INSERT INTO dossier_sequences (agency_code, day, last) VALUES (\(bind: key), \(bind: day.description), 1)
                ON CONFLICT (agency_code, day) DO UPDATE SET last = dossier_sequences.last + 1
                RETURNING last
                """).first()?.decode(column: "last", as: Int.self) ?? 0
        }
        let sequence: Int
        if let batch = db as? WriteBatch {
            // The row is advanced (and locked) by the batch's first unit; the others count on in memory.
            let day = day.description
            sequence = try await batch.nextRunningNumber("dossier_sequences|\(key)|\(day)", first: { try await advance(batch.inner) }) { last in
                "UPDATE dossier_sequences SET last = \(bind: last) WHERE agency_code = \(bind: key) AND day = \(bind: day)"
            }
        } else {
            sequence = try await advance(db)
        }
        guard sequence > 0 else { throw DossierError.invalid(["the daily sequence did not advance"]) }
        return sequence
    }

    /// Idempotency keys belong to their caller: stored as `username:key` (usernames have no colon),
    /// so another officer's identical key is a different key, not a conflict.
    static func scoped(_ key: String, _ actor: StaffMember) -> String { "\(actor.username):\(key)" }

    static func storedOutcome(_ db: any SQLDatabase, key: String, username: String, hash: String) async throws -> IntakeOutcome? {
        // In a batch, a key stored by an earlier unit of the same batch is not seen here; its insert
        // then fails at the end of the batch, and the batch's rerun with savepoints replays it.
        guard let row = try await db.immediate.raw("SELECT username, request_hash, status, body FROM idempotency_keys WHERE key = \(bind: key)").first() else {
            return nil
        }
        guard try row.decode(column: "request_hash", as: String.self) == hash, try row.decode(column: "username", as: String.self) == username else {
            throw DossierError.idempotencyMismatch
        }
        return IntakeOutcome(status: try row.decode(column: "status", as: Int.self), body: try row.decode(column: "body", as: String.self), replayed: true)
    }

    /// Applies an action if `expectedVersion` is current; returns the new state and the history row.
    public func apply(code: String, action: DossierAction, expectedVersion: Int, actor: StaffMember, now: Date,
                      context: WorkflowContext) async throws -> (DossierState, Transition) {
        try await write { db in
            guard let current = try await Self.load(db, code: code, lock: true),
                  Self.visible(current, to: actor, below: try await Self.below(db, actor)) else { throw DossierError.notFound }
            guard current.version == expectedVersion else { throw DossierError.versionConflict(current: current.version) }
            let (next, t) = try Workflow.apply(current, action, actor: actor.actor, now: now, context: context)
                .mapError { DossierError.rejected($0) }.get()
            try await Self.update(db, next, expected: current.version)
            try await DossierEffects.persist(db, state: next, transitions: [t])
            return (next, t)
        }
    }

    /// A dossier with its history, as seen by `actor`; the read of personal data is audited.
    public func get(code: String, actor: StaffMember, now: Date) async throws -> (DossierState, [Transition]) {
        try await database.write { db in
            guard let s = try await Self.load(db, code: code, lock: false),
                  Self.visible(s, to: actor, below: try await Self.below(db, actor)) else { throw DossierError.notFound }
            let events = try await db.select().column("event").from("dossier_events").where("dossier_code", .equal, code).orderBy("seq").all()
                .map { try StoredJSON.decode(Transition.self, from: $0.decode(column: "event", as: String.self)) }
            struct Detail: Encodable { let reason: String }
            try await AuditLog.append(db, chain: s.agencyCode, at: now, actor: actor.username, action: "dossier.read", subject: code,
                                      detail: Detail(reason: "staff read of applicant data"))
            return (s, events)
        }
    }

    /// The state without auditing (for the workflow context, never shown to staff as such).
    public func state(code: String) async throws -> DossierState? {
        try await database.read { db in try await Self.load(db, code: code, lock: false) }
    }

    /// Dossiers of the actor's agency (received there, or at a liên thông step there), most urgent
    /// first. Showing them is a read of applicants' data, so the repository audits it (`purpose`
    /// names the page or call).
    public func list(_ filter: DossierFilter, actor: StaffMember, now: Date, purpose: String) async throws -> [DossierState] {
        let found = try await unauditedList(filter, actor: actor)
        try await recordListRead(codes: found.map(\.code), actor: actor, now: now, purpose: purpose)
        return found
    }

    /// Dossiers as `list` finds them, without recording a read: the caller shows only some of them
    /// and records those with `recordListRead`.
    public func unauditedList(_ filter: DossierFilter, actor: StaffMember) async throws -> [DossierState] {
        try await database.read { db in
            guard actor.role != .admin else { return [] }
            var q = try await Self.inScope(db.select().column("state").from("dossiers"), db, actor)
            if let s = filter.status { q = q.where("status", .equal, s.rawValue) }
            if filter.openOnly {
                q = q.where(group: { $0.where("ended_at", .is, SQLLiteral.null).orWhere("status", .equal, DossierStatus.finished.rawValue) })
            }
            if let d = filter.dueBefore { q = q.where("due_at", .lessThan, Int(d.timeIntervalSince1970)) }
            if let p = filter.procedureCode { q = q.where("procedure_code", .equal, p) }
            if let f = filter.receivedFrom { q = q.where("received_at", .greaterThanOrEqual, Int(f.timeIntervalSince1970)) }
            if let b = filter.receivedBefore { q = q.where("received_at", .lessThan, Int(b.timeIntervalSince1970)) }
            if filter.receivedHereOnly { q = q.where("agency_code", .equal, actor.agencyCode) }
            if let now = filter.urgentFirstAt {
                q = q.orderBy(SQLQueryString("CASE WHEN \(Self.late(now)) THEN 0 ELSE 1 END"))
                    .orderBy(SQLRaw("CASE WHEN ended_at IS NULL AND due_at IS NOT NULL THEN 0 ELSE 1 END")).orderBy("due_at").orderBy("code")
            } else {
                q = q.orderBy("ended_at").orderBy("due_at").orderBy("code")
            }
            return try await q.limit(filter.limit).offset(filter.offset).all()
                .map { try StoredJSON.decode(DossierState.self, from: $0.decode(column: "state", as: String.self)) }
        }
    }

    /// The dossiers `actor` may list: those of the agency and the units below for a monitor, those
    /// received at or handled by the agency for the others.
    static func inScope(_ q: SQLSelectBuilder, _ db: any SQLDatabase, _ actor: StaffMember) async throws -> SQLSelectBuilder {
        if actor.role == .monitor {
            return q.where("agency_code", .in, [actor.agencyCode] + (try await below(db, actor)).sorted())
        }
        return q.where(group: { $0.where("agency_code", .equal, actor.agencyCode).orWhere("handling_agency", .equal, actor.agencyCode) })
    }

    /// SQL for `DossierState.isLate(at: now)` of an open dossier, on the hot columns.
    static func late(_ now: Date) -> SQLQueryString {
        let at = Int(now.timeIntervalSince1970.rounded(.up))
        return "ended_at IS NULL AND received_at IS NOT NULL AND status <> \(bind: DossierStatus.supplementRequested.rawValue) AND due_at < \(bind: at)"
    }

    /// The inbox's counts, by SQL over the hot columns (not by loading every open dossier).
    public struct InboxCounts: Sendable, Equatable {
        public let open: Int
        public let dueSoon: Int
        public let late: Int

        public init(open: Int, dueSoon: Int, late: Int) {
            self.open = open
            self.dueSoon = dueSoon
            self.late = late
        }
    }

    /// Open dossiers of the actor's scope (with `filter.status`), how many are late and how many are
    /// due before `dueSoonBefore` (`DeadlineCalculator.dueSoonLimit`), as `DossierState.isLate` and
    /// `isDueSoon` decide for each.
    public func inboxCounts(_ filter: DossierFilter, actor: StaffMember, now: Date, dueSoonBefore: Date) async throws -> InboxCounts {
        guard actor.role != .admin else { return InboxCounts(open: 0, dueSoon: 0, late: 0) }
        return try await database.read { db in
            let at = Int(now.timeIntervalSince1970.rounded(.up)), limit = Int(dueSoonBefore.timeIntervalSince1970.rounded(.up))
            var q = db.select().column(SQLAlias(SQLRaw("COUNT(*)"), as: SQLIdentifier("open_count")))
                .column(SQLAlias(SQLQueryString("COALESCE(SUM(CASE WHEN \(Self.late(now)) THEN 1 ELSE 0 END), 0)"), as: SQLIdentifier("late_count")))
                .column(SQLAlias(SQLQueryString("""
                    COALESCE(SUM(CASE WHEN received_at IS NOT NULL AND due_at >= \(bind: at) AND due_at < \(bind: limit) THEN 1 ELSE 0 END), 0)
                    """), as: SQLIdentifier("soon_count")))
                .from("dossiers")
            q = try await Self.inScope(q, db, actor).where("ended_at", .is, SQLLiteral.null)
            if let s = filter.status { q = q.where("status", .equal, s.rawValue) }
            guard let row = try await q.first() else { return InboxCounts(open: 0, dueSoon: 0, late: 0) }
            return InboxCounts(open: try row.decode(column: "open_count", as: Int.self), dueSoon: try row.decode(column: "soon_count", as: Int.self),
                               late: try row.decode(column: "late_count", as: Int.self))
        }
    }

    /// Records that `actor` was shown the applicant data of `codes` (a list page or API call).
    public func recordListRead(codes: [String], actor: StaffMember, now: Date, purpose: String) async throws {
        guard !codes.isEmpty else { return }
        struct Detail: Encodable { let dossiers: [String]; let purpose: String }
        try await database.write { db in
            try await AuditLog.append(db, chain: actor.agencyCode, at: now, actor: actor.username, action: "dossier.list",
                                      subject: "\(codes.count) dossiers", detail: Detail(dossiers: codes, purpose: purpose))
        }
    }

    /// The number a printed form got for the dossier's event at history position `seq`.
    public func formNumber(code: String, form: FormNumber, seq: Int) async throws -> String? {
        try await database.read { db in
            try await db.select().column("number").from("dossier_forms").where("dossier_code", .equal, code)
                .where("event_seq", .equal, seq).where("form", .equal, form.rawValue).first()?.decode(column: "number", as: String.self)
        }
    }

    /// The histories of several dossiers (one query), for lists that show dates of transitions.
    public func histories(codes: [String]) async throws -> [String: [Transition]] {
        guard !codes.isEmpty else { return [:] }
        return try await database.read { db in
            var out: [String: [Transition]] = [:]
            for chunk in stride(from: 0, to: codes.count, by: 500).map({ Array(codes[$0..<min($0 + 500, codes.count)]) }) {
                for r in try await db.select().columns("dossier_code", "event").from("dossier_events").where("dossier_code", .in, chunk)
                    .orderBy("dossier_code").orderBy("seq").all() {
                    out[try r.decode(column: "dossier_code", as: String.self), default: []]
                        .append(try StoredJSON.decode(Transition.self, from: r.decode(column: "event", as: String.self)))
                }
            }
            return out
        }
    }

    /// Deny by default (`AccessPolicy.canSee`): staff see dossiers received by their agency or at a
    /// liên thông step there; monitors those of their agency and the units below; admins none.
    static func visible(_ s: DossierState, to actor: StaffMember, below: Set<String>) -> Bool {
        AccessPolicy.canSee(dossierAgency: s.agencyCode, handlingAgency: s.handlingAgency, actor: actor.actor, below: below)
    }

    /// Whether `actor` may see the dossier.
    public func canSee(_ s: DossierState, actor: StaffMember) async throws -> Bool {
        guard actor.role == .monitor else { return Self.visible(s, to: actor, below: []) }
        return try await database.read { db in Self.visible(s, to: actor, below: try await Self.below(db, actor)) }
    }

    /// The agencies below the actor's (read only for monitors, who see their units' dossiers).
    static func below(_ db: any SQLDatabase, _ actor: StaffMember) async throws -> Set<String> {
        guard actor.role == .monitor else { return [] }
        return try await agencies(below: actor.agencyCode, db)
    }

    /// The agencies below `code` in the agency tree.
    public static func agencies(below code: String, _ db: any SQLDatabase) async throws -> Set<String> {
        var parents: [String: String] = [:]
        for r in try await db.select().columns("code", "parent_code").from("agencies").all() where try !r.decodeNil(column: "parent_code") {
            parents[try r.decode(column: "code", as: String.self)] = try r.decode(column: "parent_code", as: String.self)
        }
        return AccessPolicy.agencies(below: code, parents: parents)
    }

    /// The agencies below `code` (for scoping indicator reads).
    public func agencies(below code: String) async throws -> Set<String> {
        try await database.read { db in try await Self.agencies(below: code, db) }
    }

    /// The stored state of `code` (locked for the transaction on PostgreSQL when `lock`). The hot
    /// statements of the write path are plain SQL text: SQLKit's builders escape every identifier
    /// on every call, which cost more than running the statement (issue 11).
    static func load(_ db: any SQLDatabase, code: String, lock: Bool) async throws -> DossierState? {
        let db = db.immediate
        let row = lock
            ? try await db.raw("SELECT state FROM dossiers WHERE code = \(bind: code) \(SQLLockingClause.update)").first()
            : try await db.raw("SELECT state FROM dossiers WHERE code = \(bind: code)").first()
        return try row.map { try DossierStateCache.shared.state(code: code, json: $0.decode(column: "state", as: String.self)) }
    }

    static func epoch(_ d: Date?) -> Int? { d.map { Int($0.timeIntervalSince1970) } }

    /// The JSON text of a state, remembered by the cache so that the next load does not parse it.
    static func encoded(_ s: DossierState) throws -> String {
        let json = try StoredJSON.encode(s)
        DossierStateCache.shared.remember(code: s.code, json: json, state: s)
        return json
    }

    static func insert(_ db: any SQLDatabase, _ s: DossierState) async throws {
        let submitted = Int(s.submittedAt.timeIntervalSince1970)
        let hot = IndicatorHotState(s)
        try await db.immediate.raw("""
            INSERT INTO dossiers (code, agency_code, handling_agency, procedure_code, procedure_version, channel, status, applicant_name,
              submitted_at, received_at, due_at, ended_at, version, state, supplement_count, waiting_since)
            VALUES (\(bind: s.code), \(bind: s.agencyCode), \(bind: s.handlingAgency), \(bind: s.procedureCode), \(bind: s.procedureVersion),
              \(bind: s.channel.rawValue), \(bind: s.status.rawValue), \(bind: s.applicant.name), \(bind: submitted), \(bind: epoch(s.receivedAt)),
              \(bind: epoch(s.dueAt)), \(bind: epoch(s.processingEndedAt)), \(bind: s.version), \(bind: try encoded(s)), \(bind: s.supplementCount),
              \(bind: hot.waitingSince))
            """).run()
    }

    static func update(_ db: any SQLDatabase, _ s: DossierState, expected: Int) async throws {
        let hot = IndicatorHotState(s)
        try await db.immediate.raw("""
            UPDATE dossiers SET handling_agency = \(bind: s.handlingAgency), status = \(bind: s.status.rawValue),
              received_at = \(bind: epoch(s.receivedAt)), due_at = \(bind: epoch(s.dueAt)), ended_at = \(bind: epoch(s.processingEndedAt)),
              version = \(bind: s.version), state = \(bind: try encoded(s)), supplement_count = \(bind: s.supplementCount),
              waiting_since = \(bind: hot.waitingSince)
            WHERE code = \(bind: s.code) AND version = \(bind: expected)
            """).run()
    }
}
