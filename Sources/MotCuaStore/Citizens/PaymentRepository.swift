import Foundation
import MotCuaCore
import SQLKit

/// A payment with its receipt, as shown to the owner and the desk.
public struct PaymentView: Sendable, Hashable, Codable {
    public let reference: String
    public let dossierCode: String
    public let amount: Int
    public let state: PaymentRecord.State
    public let transactionID: String?
    public let receiptNumber: String?
    public let createdAt: Date
    public let paidAt: Date?
}

/// Online payments: created for a dossier's fee, settled by the gateway's signed callback in one
/// transaction with the dossier's transition, its audit entry and the receipt number. Every callback
/// received is kept (`payment_callbacks`), refused ones too, so a forged or altered one is on record.
public struct PaymentRepository: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    static func view(_ r: any SQLRow) throws -> PaymentView {
        func opt(_ c: String) throws -> String? { try r.decodeNil(column: c) ? nil : r.decode(column: c, as: String.self) }
        return PaymentView(reference: try r.decode(column: "reference", as: String.self), dossierCode: try r.decode(column: "dossier_code", as: String.self),
                           amount: try r.decode(column: "amount", as: Int.self),
                           state: PaymentRecord.State(rawValue: try r.decode(column: "state", as: String.self)) ?? .pending,
                           transactionID: try opt("transaction_id"), receiptNumber: try opt("receipt_number"),
                           createdAt: Date(timeIntervalSince1970: TimeInterval(try r.decode(column: "created_at", as: Int.self))),
                           paidAt: try r.decodeNil(column: "paid_at") ? nil : Date(timeIntervalSince1970: TimeInterval(try r.decode(column: "paid_at", as: Int.self))))
    }

    static let columns = ["reference", "dossier_code", "amount", "state", "transaction_id", "receipt_number", "created_at", "paid_at"]

    /// A pending payment of the dossier's fee (the open one if there is one for the same amount).
    public func create(dossier s: DossierState, citizenID: String?, now: Date) async throws -> PaymentView {
        try await database.write { db in
            if let open = try await db.select().columns(Self.columns).from("payments").where("dossier_code", .equal, s.code)
                .where("state", .equal, "pending").where("amount", .equal, s.feeAmount).first() {
                return try Self.view(open)
            }
            let reference = "TT" + String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(18)).uppercased()
            try await db.insert(into: "payments").columns("reference", "dossier_code", "citizen_id", "amount", "state", "created_at")
                .values(SQLBind(reference), SQLBind(s.code), SQLBind(citizenID), SQLBind(s.feeAmount), SQLBind("pending"), SQLBind(Int(now.timeIntervalSince1970)))
                .run()
            return PaymentView(reference: reference, dossierCode: s.code, amount: s.feeAmount, state: .pending, transactionID: nil, receiptNumber: nil,
                               createdAt: now, paidAt: nil)
        }
    }

    public func payment(reference: String) async throws -> PaymentView? {
        try await database.read { db in try await db.select().columns(Self.columns).from("payments").where("reference", .equal, reference).first().map(Self.view) }
    }

    public func payments(dossierCode: String) async throws -> [PaymentView] {
        try await database.read { db in
            try await db.select().columns(Self.columns).from("payments").where("dossier_code", .equal, dossierCode).orderBy("created_at").all().map(Self.view)
        }
    }

    /// What a callback did.
    public enum Settlement: Sendable, Equatable {
        case paid(PaymentView)
        case duplicate(PaymentView)
        case failed(PaymentView)
        case refused(PaymentRules.Problem)
    }

    /// Settles a callback: decided by the core's rules, recorded whatever the outcome, the dossier
    /// marked paid online (with its receipt number) only when accepted — all in one transaction.
    /// `context` gives the workflow context of the payment's dossier.
    public func settle(_ c: PaymentCallback, expectedSignature: String, now: Date,
                       context: @escaping @Sendable (DossierState) async throws -> WorkflowContext) async throws -> Settlement {
        // The workflow context is read before the transaction (it reads the catalog).
        let contextState = try await database.read { db -> DossierState? in
            guard let code = try await db.select().column("dossier_code").from("payments").where("reference", .equal, c.reference).first()?
                .decode(column: "dossier_code", as: String.self) else { return nil }
            return try await DossierRepository.load(db, code: code, lock: false)
        }
        let ctx = try await contextState.asyncMap(context)
        return try await database.write { db in
            let row = try await db.select().columns(Self.columns + ["citizen_id"]).from("payments").where("reference", .equal, c.reference).for(.update).first()
            let current = try row.map(Self.view)
            let record = current.map { PaymentRecord(reference: $0.reference, dossierCode: $0.dossierCode, amount: $0.amount, state: $0.state,
                                                     transactionID: $0.transactionID) }
            let decision = PaymentRules.decide(c, expectedSignature: expectedSignature, payment: record)
            let outcome: String
            switch decision {
            case .failure(let p): outcome = p.rawValue
            case .success(let o): outcome = "\(o)"
            }
            try await db.insert(into: "payment_callbacks").columns("id", "reference", "outcome", "callback", "received_at")
                .values(SQLBind(UUID().uuidString.lowercased()), SQLBind(String(c.reference.prefix(100))), SQLBind(outcome),
                        SQLBind(try StoredJSON.encode(c)), SQLBind(Int(now.timeIntervalSince1970)))
                .run()
            struct Detail: Encodable { let reference: String; let outcome: String; let amount: Int; let transaction: String }
            try await AuditLog.append(db, chain: "payments", at: now, actor: "gateway", action: "payment.callback", subject: String(c.reference.prefix(100)),
                                      detail: Detail(reference: String(c.reference.prefix(100)), outcome: outcome, amount: c.amount,
                                                     transaction: String(c.transactionID.prefix(100))))
            switch decision {
            case .failure(let p): return .refused(p)
            case .success(.duplicate):
                guard let current else { return .refused(.unknownReference) }  // a duplicate is of a known payment
                return .duplicate(current)
            case .success(.failed):
                try await db.update("payments").set("state", to: "failed").where("reference", .equal, c.reference).run()
                return .failed(try await Self.reload(db, c.reference))
            case .success(.accept):
                guard let p = current, let ctx, let dossier = try await DossierRepository.load(db, code: p.dossierCode, lock: true) else {
                    return .refused(.unknownReference)
                }
                let year = DeadlineCalculator.localDate(of: now).year
                let seq = try await DossierEffects.nextNumber(db, agency: dossier.agencyCode, form: "BL", year: year)
                let receipt = PaymentRules.receiptNumber(year: year, sequence: seq)
                let citizen = try row?.decodeNil(column: "citizen_id") == false ? try row?.decode(column: "citizen_id", as: String.self) : nil
                if case .success(let (next, t)) = Workflow.recordOnlinePayment(dossier, accountID: citizen ?? "gateway", receipt: receipt, now: now, context: ctx) {
                    try await DossierRepository.update(db, next, expected: dossier.version)
                    try await DossierEffects.persist(db, state: next, transitions: [t])
                }
                try await db.update("payments").set("state", to: "paid").set("transaction_id", to: c.transactionID).set("receipt_number", to: receipt)
                    .set("paid_at", to: Int(now.timeIntervalSince1970)).where("reference", .equal, c.reference).run()
                return .paid(try await Self.reload(db, c.reference))
            }
        }
    }

    /// The payment as just written in this transaction.
    static func reload(_ db: any SQLDatabase, _ reference: String) async throws -> PaymentView {
        guard let row = try await db.select().columns(columns).from("payments").where("reference", .equal, reference).first() else {
            throw CitizenError.notFound
        }
        return try view(row)
    }

    /// Mismatches between payments and dossiers for payments made on `day` (Vietnam's date): paid
    /// payments whose dossier is not marked paid online, amounts that differ from the dossier's fee,
    /// dossiers marked paid online without a paid payment, and dossiers paid twice.
    public func reconcile(day: CivilDate) async throws -> [String] {
        let start = DeadlineCalculator.startOfDay(day)
        return try await database.read { db in
            var out: [String] = []
            let paid = try await db.select().columns(Self.columns).from("payments").where("state", .equal, "paid")
                .where("paid_at", .greaterThanOrEqual, Int(start.timeIntervalSince1970)).where("paid_at", .lessThan, Int(start.timeIntervalSince1970) + 86_400)
                .all().map(Self.view)
            var byDossier: [String: [PaymentView]] = [:]
            for p in paid { byDossier[p.dossierCode, default: []].append(p) }
            for (code, ps) in byDossier.sorted(by: { $0.key < $1.key }) {
                guard let s = try await DossierRepository.load(db, code: code, lock: false) else { out.append("\(code): payment \(ps[0].reference) for a missing dossier"); continue }
                if s.feePaidOnline != true { out.append("\(code): paid online (\(ps.map(\.reference).joined(separator: ", "))) but the dossier is not marked paid online") }
                for p in ps where p.amount != s.feeAmount { out.append("\(code): payment \(p.reference) of \(p.amount) đ but the fee is \(s.feeAmount) đ") }
                if ps.count > 1 { out.append("\(code): paid \(ps.count) times (\(ps.map(\.reference).joined(separator: ", ")))") }
            }
            // Dossiers marked paid online that day without a paid payment.
            for r in try await db.select().columns("dossier_code", "at", "event").from("dossier_events")
                .where("at", .greaterThanOrEqual, Int(start.timeIntervalSince1970)).where("at", .lessThan, Int(start.timeIntervalSince1970) + 86_400).all() {
                let t = try StoredJSON.decode(Transition.self, from: r.decode(column: "event", as: String.self))
                let code = try r.decode(column: "dossier_code", as: String.self)
                guard t.action == ActionKind.payFee.rawValue, t.byApplicant == true else { continue }
                let any = try await db.select().column("reference").from("payments").where("dossier_code", .equal, code).where("state", .equal, "paid").first()
                if any == nil { out.append("\(code): marked paid online with no paid payment") }
            }
            return out
        }
    }
}

/// Ratings (đánh giá) of returned dossiers, one per dossier.
public struct RatingRepository: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    public func rating(code: String) async throws -> Rating? {
        try await database.read { db in
            guard let r = try await db.select().columns("answers", "comment").from("ratings").where("dossier_code", .equal, code).first() else { return nil }
            return Rating(answers: try StoredJSON.decode([String: Rating.Level].self, from: r.decode(column: "answers", as: String.self)),
                          comment: try r.decodeNil(column: "comment") ? nil : r.decode(column: "comment", as: String.self))
        }
    }

    /// Records the owner's rating; throws `CitizenError.workflow` with the rule's code when refused.
    public func rate(code: String, citizenID: String, rating: Rating, now: Date) async throws {
        try await database.write { db in
            guard try await db.select().column("citizen_id").from("citizen_dossiers").where("dossier_code", .equal, code)
                .where("citizen_id", .equal, citizenID).first() != nil,
                  let s = try await DossierRepository.load(db, code: code, lock: true) else { throw CitizenError.notFound }
            let rated = try await db.select().column("dossier_code").from("ratings").where("dossier_code", .equal, code).first() != nil
            if let problem = Rating.problem(rating, dossier: s, alreadyRated: rated) {
                throw CitizenError.workflow(code: problem, message: "the rating cannot be recorded: \(problem)", allowed: [])
            }
            try await db.insert(into: "ratings").columns("dossier_code", "citizen_id", "overall", "answers", "comment", "created_at")
                .values(SQLBind(code), SQLBind(citizenID), SQLBind(rating.overall.rawValue), SQLBind(try StoredJSON.encode(rating.answers)),
                        SQLBind(rating.comment), SQLBind(Int(now.timeIntervalSince1970)))
                .run()
            try await IndicatorCounters.add(db, key: CounterKey(agencyCode: s.agencyCode, procedureCode: s.procedureCode, channel: s.channel.rawValue),
                                            IndicatorBookings.rating(rating.overall, at: now))
            struct Detail: Encodable { let overall: String }
            try await AuditLog.append(db, chain: s.agencyCode, at: now, actor: "citizen:\(citizenID)", action: "dossier.rated", subject: code,
                                      detail: Detail(overall: rating.overall.rawValue))
        }
    }
}
