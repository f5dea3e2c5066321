import Foundation
import MotCuaCore
import SQLKit

/// An online dossier as its owner sees it: the state, its history, the documents attached, the
/// tracking secret (printed on the online receipt) and the postal return address.
public struct OwnedDossier: Sendable {
    public let state: DossierState
    public let history: [Transition]
    public let documents: [AttachedDocument]
    /// Documents uploaded for the supplement asked for, not yet sent.
    public let pendingSupplement: [AttachedDocument]
    public let trackingSecret: String
    public let postalAddress: String?
}

/// Online dossiers: submission of a draft (status 1, waiting for the one-stop desk), the owner's
/// reads, the applicant's own actions, public tracking. Each write is one unit of group commit with
/// its history, counters, outbox and audit, like the desk's.
public struct OnlineDossierRepository: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// Submits a draft: the dossier gets its code at the chosen agency, the draft's documents become
    /// the dossier's (reused ones marked), the draft is deleted, the applicant is notified. Throws
    /// `CitizenError.rejected` for a submission the rules refuse.
    public func submit(draftID: String, account: CitizenAccount, procedure: Procedure, agency: Agency?, trackingSecret: String, now: Date,
                       notification: @escaping @Sendable (DossierState) -> (subject: String, body: String)) async throws -> DossierState {
        try await database.write { db in
            guard let draft = try await CitizenDocumentRepository.draft(db, id: draftID, citizenID: account.id) else { throw CitizenError.notFound }
            let docs = draft.documents.map(\.submission)
            if let problem = OnlineSubmission.problems(procedure, caseCode: draft.caseCode, agency: agency, documents: docs, account: account).first {
                throw CitizenError.rejected(problem)
            }
            let request = Intake.normalized(OnlineSubmission.intakeRequest(procedure, caseCode: draft.caseCode, applicant: draft.applicant,
                                                                            documents: docs, note: draft.note))
            let textProblems = Intake.problems(request, procedure: procedure)
            guard textProblems.isEmpty else { throw CitizenError.invalid(textProblems.map { FieldProblem($0.field, $0.reason) }) }
            let code = try await DossierRepository.nextCode(db, agency: draft.agencyCode, now: now)
            var state = Intake.newDossier(code: code, agency: draft.agencyCode, request: request, procedure: procedure, now: now)
            state.applicantEIdentified = account.eIdentification != nil
            try await DossierRepository.insert(db, state)
            try await DossierEffects.persist(db, state: state, transitions: [Workflow.onlineSubmission(of: state, accountID: account.id, at: now)])
            try await db.insert(into: "citizen_dossiers").columns("dossier_code", "citizen_id", "tracking_secret", "postal_address", "created_at")
                .values(SQLBind(code), SQLBind(account.id), SQLBind(trackingSecret), SQLBind(draft.postalAddress), SQLBind(Int(now.timeIntervalSince1970)))
                .run()
            try await db.update("submission_documents").set("owner", to: AttachmentOwner.dossier(code).key)
                .where("owner", .equal, AttachmentOwner.draft(draftID).key).run()
            try await db.update("citizen_documents").set("dossier_code", to: code)
                .where("id", .in, draft.documents.filter { !$0.reused }.map(\.document.id)).run()
            // Kept, marked with its dossier: a repeated submit (a double click, Back) lands on the dossier.
            try await db.update("drafts").set("submitted_dossier", to: code).where("id", .equal, draftID).run()
            if let recipient = draft.applicant.email ?? account.email {
                let mail = notification(state)
                try await Outbox.enqueue(db, id: "\(code)#0#submitted", dossierCode: code, recipient: recipient, form: "submitted",
                                         subject: mail.subject, message: mail.body, at: now)
            }
            return state
        }
    }

    /// The owner's dossiers, newest first.
    public func dossiers(citizenID: String, limit: Int = 200) async throws -> [DossierState] {
        try await database.read { db in
            try await db.select().column(SQLColumn("state", table: "dossiers")).from("citizen_dossiers")
                .join("dossiers", on: SQLColumn("code", table: "dossiers"), .equal, SQLColumn("dossier_code", table: "citizen_dossiers"))
                .where(SQLColumn("citizen_id", table: "citizen_dossiers"), .equal, SQLBind(citizenID))
                .orderBy(SQLOrderBy(expression: SQLColumn("created_at", table: "citizen_dossiers"), direction: SQLDirection.descending)).limit(limit).all()
                .map { try StoredJSON.decode(DossierState.self, from: $0.decode(column: "state", as: String.self)) }
        }
    }

    /// One dossier of the owner's, with history and documents (nil for anyone else's: a stranger
    /// cannot tell a foreign dossier from a missing one).
    public func owned(code: String, citizenID: String) async throws -> OwnedDossier? {
        try await database.read { db in
            guard let link = try await db.select().columns("tracking_secret", "postal_address").from("citizen_dossiers")
                .where("dossier_code", .equal, code).where("citizen_id", .equal, citizenID).first(),
                  let state = try await DossierRepository.load(db, code: code, lock: false) else { return nil }
            let history = try await db.select().column("event").from("dossier_events").where("dossier_code", .equal, code).orderBy("seq").all()
                .map { try StoredJSON.decode(Transition.self, from: $0.decode(column: "event", as: String.self)) }
            return OwnedDossier(state: state, history: history, documents: try await CitizenDocumentRepository.attachments(db, .dossier(code)),
                                pendingSupplement: try await CitizenDocumentRepository.attachments(db, .supplement(code)),
                                trackingSecret: try link.decode(column: "tracking_secret", as: String.self),
                                postalAddress: try link.decodeNil(column: "postal_address") ? nil : link.decode(column: "postal_address", as: String.self))
        }
    }

    /// The owner's account id of an online dossier (nil for counter dossiers).
    public func owner(of code: String) async throws -> String? {
        try await database.read { db in
            try await db.select().column("citizen_id").from("citizen_dossiers").where("dossier_code", .equal, code).first()?
                .decode(column: "citizen_id", as: String.self)
        }
    }

    /// The documents of a dossier and the postal address, for the officer's page.
    public func deskView(code: String) async throws -> (documents: [AttachedDocument], postalAddress: String?)? {
        try await database.read { db in
            guard let link = try await db.select().column("postal_address").from("citizen_dossiers").where("dossier_code", .equal, code).first() else {
                return nil
            }
            return (try await CitizenDocumentRepository.attachments(db, .dossier(code)),
                    try link.decodeNil(column: "postal_address") ? nil : link.decode(column: "postal_address", as: String.self))
        }
    }

    /// A document of the dossier for a staff download, with the read audited on the dossier's chain.
    public func staffDocument(code: String, documentID: String, chain: String, by username: String, now: Date) async throws -> CitizenDocument? {
        try await database.write { db in
            guard let d = try await CitizenDocumentRepository.attachments(db, .dossier(code)).first(where: { $0.document.id == documentID })?.document else {
                return nil
            }
            struct Detail: Encodable { let document: String; let sha256: String }
            try await AuditLog.append(db, chain: chain, at: now, actor: username, action: "file.read", subject: code,
                                      detail: Detail(document: documentID, sha256: d.sha256))
            return d
        }
    }

    /// The applicant's own action (supplement provided, withdrawal before receipt) if
    /// `expectedVersion` is current. A supplement moves the documents prepared for it to the
    /// dossier in the same transaction; it needs at least one.
    public func act(code: String, account: CitizenAccount, action: DossierAction, expectedVersion: Int, now: Date,
                    context: WorkflowContext) async throws -> DossierState {
        try await database.write { db in
            guard try await db.select().column("citizen_id").from("citizen_dossiers").where("dossier_code", .equal, code)
                .where("citizen_id", .equal, account.id).first() != nil,
                  let current = try await DossierRepository.load(db, code: code, lock: true) else { throw CitizenError.notFound }
            guard current.version == expectedVersion else { throw CitizenError.versionConflict(current: current.version) }
            if case .supplementProvided = action,
               !Workflow.supplementIsReady(preparedDocuments: try await CitizenDocumentRepository.attachments(db, .supplement(code)).count) {
                throw CitizenError.limit("attach at least one document for the supplement")
            }
            let (next, t): (DossierState, Transition)
            switch Workflow.applyByApplicant(current, action, accountID: account.id, now: now, context: context) {
            case .success(let r): (next, t) = r
            case .failure(let r): throw CitizenError.workflow(code: r.code.rawValue, message: r.message, allowed: r.allowed)
            }
            try await DossierRepository.update(db, next, expected: current.version)
            try await DossierEffects.persist(db, state: next, transitions: [t])
            if case .supplementProvided = action {
                try await db.update("submission_documents").set("owner", to: AttachmentOwner.dossier(code).key)
                    .where("owner", .equal, AttachmentOwner.supplement(code).key).run()
            }
            return next
        }
    }

    /// The dossier behind a public tracking query, or nil when the code is unknown or the check
    /// value does not match (the two cases are not told apart).
    public func track(code: String, check: String) async throws -> DossierState? {
        try await database.read { db in
            guard let state = try await DossierRepository.load(db, code: code, lock: false) else { return nil }
            let secret = try await db.select().column("tracking_secret").from("citizen_dossiers").where("dossier_code", .equal, code).first()?
                .decode(column: "tracking_secret", as: String.self)
            return TrackingCheck.matches(check, idNumber: state.applicant.idNumber, secret: secret) ? state : nil
        }
    }
}
