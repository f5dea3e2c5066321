import Foundation
import MotCuaCore
import SQLKit

/// A document in a citizen's store (kho dữ liệu): an earlier upload or an electronic result issued
/// to them. The bytes are in the blob store under `sha256`.
public struct CitizenDocument: Sendable, Hashable, Codable {
    public var id: String
    public var sha256: String
    public var name: String
    public var contentType: String
    public var size: Int
    /// "upload" or "result".
    public var source: String
    /// The component it was uploaded for, if any.
    public var component: String?
    /// The dossier it came from (a result) or was first attached to.
    public var dossierCode: String?
    public var createdAt: Date
}

/// A document attached to a draft, a dossier, or a supplement waiting to be sent.
public struct AttachedDocument: Sendable, Hashable, Codable {
    public var component: String
    public var document: CitizenDocument
    public var reused: Bool

    public var submission: SubmissionDocument { SubmissionDocument(component: component, documentID: document.id, reused: reused) }
}

/// An online dossier being prepared (hồ sơ nháp).
public struct Draft: Sendable, Hashable, Codable {
    public var id: String
    public var citizenID: String
    public var procedureCode: String
    public var caseCode: String
    public var agencyCode: String
    public var applicant: Applicant
    public var note: String?
    /// Result by post to this address (Channel 3 for the return), nil: collect or download.
    public var postalAddress: String?
    public var documents: [AttachedDocument]
    public var updatedAt: Date
}

/// Where attached documents hang: a draft, a dossier, or the supplement a citizen is preparing.
public enum AttachmentOwner: Sendable, Hashable {
    case draft(String), dossier(String), supplement(String)

    var key: String {
        switch self {
        case .draft(let id): "draft:\(id)"
        case .dossier(let code): "dossier:\(code)"
        case .supplement(let code): "supplement:\(code)"
        }
    }
}

/// The citizen's document store and drafts.
public struct CitizenDocumentRepository: Sendable {
    let database: Database
    let blobs: BlobStore

    public init(database: Database, blobs: BlobStore) {
        self.database = database
        self.blobs = blobs
    }

    static let documentColumns = ["id", "sha256", "name", "content_type", "size", "source", "component", "dossier_code", "created_at"]

    static func document(_ r: any SQLRow) throws -> CitizenDocument {
        func opt(_ c: String) throws -> String? { try r.decodeNil(column: c) ? nil : r.decode(column: c, as: String.self) }
        return CitizenDocument(id: try r.decode(column: "id", as: String.self), sha256: try r.decode(column: "sha256", as: String.self),
                               name: try r.decode(column: "name", as: String.self), contentType: try r.decode(column: "content_type", as: String.self),
                               size: try r.decode(column: "size", as: Int.self), source: try r.decode(column: "source", as: String.self),
                               component: try opt("component"), dossierCode: try opt("dossier_code"),
                               createdAt: Date(timeIntervalSince1970: TimeInterval(try r.decode(column: "created_at", as: Int.self))))
    }

    /// The citizen's store, newest first.
    public func documents(citizenID: String) async throws -> [CitizenDocument] {
        try await database.read { db in
            try await db.select().columns(Self.documentColumns).from("citizen_documents").where("citizen_id", .equal, citizenID)
                .orderBy("created_at", .descending).orderBy("id").limit(1000).all().map(Self.document)
        }
    }

    /// One document of the citizen's (nil when it is another's).
    public func document(id: String, citizenID: String) async throws -> CitizenDocument? {
        try await database.read { db in
            try await db.select().columns(Self.documentColumns).from("citizen_documents").where("id", .equal, id)
                .where("citizen_id", .equal, citizenID).first().map(Self.document)
        }
    }

    /// Documents attached to `owner`, in the order added.
    public func attachments(_ owner: AttachmentOwner) async throws -> [AttachedDocument] {
        try await database.read { db in try await Self.attachments(db, owner) }
    }

    static func attachments(_ db: any SQLDatabase, _ owner: AttachmentOwner) async throws -> [AttachedDocument] {
        try await db.select().columns(documentColumns.map { SQLColumn($0, table: "citizen_documents") })
            .column(SQLColumn("component", table: "submission_documents"), as: "attached_component").column(SQLColumn("reused", table: "submission_documents"))
            .from("submission_documents")
            .join("citizen_documents", on: SQLColumn("id", table: "citizen_documents"), .equal, SQLColumn("document_id", table: "submission_documents"))
            .where(SQLColumn("owner", table: "submission_documents"), .equal, SQLBind(owner.key))
            .orderBy(SQLColumn("added_at", table: "submission_documents")).orderBy(SQLColumn("id", table: "citizen_documents")).all()
            .map { r in
                AttachedDocument(component: try r.decode(column: "attached_component", as: String.self), document: try document(r),
                                 reused: try r.decode(column: "reused", as: Int.self) == 1)
            }
    }

    /// Stores an upload's metadata in the citizen's store and attaches it to `owner` (one
    /// transaction, audited). The blob is already in the blob store.
    public func addUpload(citizenID: String, owner: AttachmentOwner, component: String, name: String, contentType: String, sha256: String,
                          size: Int, now: Date) async throws -> CitizenDocument {
        let doc = CitizenDocument(id: UUID().uuidString.lowercased(), sha256: sha256, name: name, contentType: contentType, size: size,
                                  source: "upload", component: component, dossierCode: nil, createdAt: now)
        try await database.write { db in
            try await Self.insert(db, doc, citizenID: citizenID)
            try await Self.attach(db, owner: owner, component: component, documentID: doc.id, reused: false, now: now)
            struct Detail: Encodable { let document: String; let name: String; let size: Int; let sha256: String; let owner: String }
            try await AuditLog.append(db, chain: "citizens", at: now, actor: "citizen:\(citizenID)", action: "citizen.upload", subject: doc.id,
                                      detail: Detail(document: doc.id, name: name, size: size, sha256: sha256, owner: owner.key))
        }
        return doc
    }

    static func insert(_ db: any SQLDatabase, _ d: CitizenDocument, citizenID: String) async throws {
        try await db.insert(into: "citizen_documents")
            .columns("id", "citizen_id", "sha256", "name", "content_type", "size", "source", "component", "dossier_code", "created_at")
            .values(SQLBind(d.id), SQLBind(citizenID), SQLBind(d.sha256), SQLBind(d.name), SQLBind(d.contentType), SQLBind(d.size), SQLBind(d.source),
                    SQLBind(d.component), SQLBind(d.dossierCode), SQLBind(Int(d.createdAt.timeIntervalSince1970)))
            .run()
    }

    static func attach(_ db: any SQLDatabase, owner: AttachmentOwner, component: String, documentID: String, reused: Bool, now: Date) async throws {
        try await db.raw("""
            INSERT INTO submission_documents (owner, component, document_id, reused, added_at)
            VALUES (\(bind: owner.key), \(bind: component), \(bind: documentID), \(bind: reused ? 1 : 0), \(bind: Int(now.timeIntervalSince1970)))
            ON CONFLICT (owner, component, document_id) DO NOTHING
            """).run()
    }

    /// Attaches a document already in the citizen's store (once-only: not uploaded again).
    public func reuse(citizenID: String, owner: AttachmentOwner, component: String, documentID: String, now: Date) async throws {
        try await database.write { db in
            guard try await db.select().column("id").from("citizen_documents").where("id", .equal, documentID)
                .where("citizen_id", .equal, citizenID).first() != nil else { throw CitizenError.notFound }
            try await Self.attach(db, owner: owner, component: component, documentID: documentID, reused: true, now: now)
        }
    }

    /// Removes an attachment from a draft or a supplement being prepared (the document stays in the store).
    public func detach(owner: AttachmentOwner, component: String, documentID: String) async throws {
        try await database.write { db in
            try await db.delete(from: "submission_documents").where("owner", .equal, owner.key).where("component", .equal, component)
                .where("document_id", .equal, documentID).run()
        }
    }

    // MARK: drafts

    public func createDraft(citizenID: String, procedureCode: String, caseCode: String, agencyCode: String, applicant: Applicant, note: String?,
                            postalAddress: String?, now: Date) async throws -> Draft {
        let d = Draft(id: UUID().uuidString.lowercased(), citizenID: citizenID, procedureCode: procedureCode, caseCode: caseCode,
                      agencyCode: agencyCode, applicant: applicant, note: note, postalAddress: postalAddress, documents: [], updatedAt: now)
        try await database.write { db in
            let t = Int(now.timeIntervalSince1970)
            try await db.insert(into: "drafts")
                .columns("id", "citizen_id", "procedure_code", "case_code", "agency_code", "applicant", "note", "postal_address", "created_at", "updated_at")
                .values(SQLBind(d.id), SQLBind(citizenID), SQLBind(procedureCode), SQLBind(caseCode), SQLBind(agencyCode),
                        SQLBind(try StoredJSON.encode(applicant)), SQLBind(note), SQLBind(postalAddress), SQLBind(t), SQLBind(t))
                .run()
        }
        return d
    }

    /// Saves the applicant data, note and postal address of a draft.
    public func updateDraft(id: String, citizenID: String, applicant: Applicant, note: String?, postalAddress: String?, now: Date) async throws {
        try await database.write { db in
            guard try await db.select().column("id").from("drafts").where("id", .equal, id).where("citizen_id", .equal, citizenID)
                .where("submitted_dossier", .is, SQLLiteral.null).first() != nil else {
                throw CitizenError.notFound
            }
            try await db.update("drafts").set("applicant", to: try StoredJSON.encode(applicant)).set("note", to: SQLBind(note))
                .set("postal_address", to: SQLBind(postalAddress)).set("updated_at", to: Int(now.timeIntervalSince1970))
                .where("id", .equal, id).run()
        }
    }

    public func draft(id: String, citizenID: String) async throws -> Draft? {
        try await database.read { db in try await Self.draft(db, id: id, citizenID: citizenID) }
    }

    static func draft(_ db: any SQLDatabase, id: String, citizenID: String) async throws -> Draft? {
        guard let r = try await db.select().columns("id", "citizen_id", "procedure_code", "case_code", "agency_code", "applicant", "note",
                                                    "postal_address", "updated_at")
            .from("drafts").where("id", .equal, id).where("citizen_id", .equal, citizenID).where("submitted_dossier", .is, SQLLiteral.null)
            .first() else { return nil }
        func opt(_ c: String) throws -> String? { try r.decodeNil(column: c) ? nil : r.decode(column: c, as: String.self) }
        return Draft(id: id, citizenID: citizenID, procedureCode: try r.decode(column: "procedure_code", as: String.self),
                     caseCode: try r.decode(column: "case_code", as: String.self), agencyCode: try r.decode(column: "agency_code", as: String.self),
                     applicant: try StoredJSON.decode(Applicant.self, from: r.decode(column: "applicant", as: String.self)), note: try opt("note"),
                     postalAddress: try opt("postal_address"), documents: try await attachments(db, .draft(id)),
                     updatedAt: Date(timeIntervalSince1970: TimeInterval(try r.decode(column: "updated_at", as: Int.self))))
    }

    /// The citizen's drafts, newest first.
    public func drafts(citizenID: String) async throws -> [Draft] {
        try await database.read { db in
            var out: [Draft] = []
            for r in try await db.select().column("id").from("drafts").where("citizen_id", .equal, citizenID).where("submitted_dossier", .is, SQLLiteral.null)
                .orderBy("updated_at", .descending).limit(100).all() {
                if let d = try await Self.draft(db, id: try r.decode(column: "id", as: String.self), citizenID: citizenID) { out.append(d) }
            }
            return out
        }
    }

    /// The dossier a draft became, once submitted (so that a repeated submit lands on it).
    public func submittedDossier(draftID: String, citizenID: String) async throws -> String? {
        try await database.read { db in
            try await db.select().column("submitted_dossier").from("drafts").where("id", .equal, draftID).where("citizen_id", .equal, citizenID)
                .where("submitted_dossier", .isNot, SQLLiteral.null).first()?.decode(column: "submitted_dossier", as: String.self)
        }
    }

    public func deleteDraft(id: String, citizenID: String) async throws {
        try await database.write { db in
            guard try await db.select().column("id").from("drafts").where("id", .equal, id).where("citizen_id", .equal, citizenID)
                .where("submitted_dossier", .is, SQLLiteral.null).first() != nil else {
                throw CitizenError.notFound
            }
            try await db.delete(from: "submission_documents").where("owner", .equal, AttachmentOwner.draft(id).key).run()
            try await db.delete(from: "drafts").where("id", .equal, id).run()
        }
    }
}

extension CitizenDocumentRepository {
    /// Copies the electronic results of the citizen's finished online dossiers into their store
    /// (blob store + a `result` document), once each, so that a later submission can reuse them
    /// (once-only). Returns how many were added.
    @discardableResult
    public func syncResults(citizenID: String, now: Date) async throws -> Int {
        let pending = try await database.read { db -> [(code: String, file: String)] in
            var out: [(String, String)] = []
            for r in try await db.select().column(SQLColumn("state", table: "dossiers")).from("citizen_dossiers")
                .join("dossiers", on: SQLColumn("code", table: "dossiers"), .equal, SQLColumn("dossier_code", table: "citizen_dossiers"))
                .where(SQLColumn("citizen_id", table: "citizen_dossiers"), .equal, SQLBind(citizenID))
                .where(SQLColumn("status", table: "dossiers"), .in, SQLBind.group([DossierStatus.finished.rawValue, DossierStatus.returned.rawValue])).all() {
                let s = try StoredJSON.decode(DossierState.self, from: r.decode(column: "state", as: String.self))
                guard s.resultElectronic, let file = s.resultFile else { continue }
                let have = try await db.select().column("id").from("citizen_documents").where("citizen_id", .equal, citizenID)
                    .where("source", .equal, "result").where("dossier_code", .equal, s.code).first()
                if have == nil { out.append((s.code, file)) }
            }
            return out
        }
        var added = 0
        for (code, fileID) in pending {
            guard let row = try await database.read({ db in
                try await db.select().columns("name", "content_type", "content").from("files").where("id", .equal, fileID).first()
            }) else { continue }
            let type = try row.decode(column: "content_type", as: String.self)
            let writer = try blobs.writer(contentType: type, limit: Int.max)
            try writer.write(try row.decode(column: "content", as: Data.self))
            let (sha, size) = try writer.finish()
            let doc = CitizenDocument(id: UUID().uuidString.lowercased(), sha256: sha, name: try row.decode(column: "name", as: String.self), contentType: type,
                                      size: size, source: "result", component: nil, dossierCode: code, createdAt: now)
            try await database.write { db in
                // Another request may have copied it meanwhile: keep one.
                guard try await db.select().column("id").from("citizen_documents").where("citizen_id", .equal, citizenID)
                    .where("source", .equal, "result").where("dossier_code", .equal, code).first() == nil else { return }
                try await Self.insert(db, doc, citizenID: citizenID)
            }
            added += 1
        }
        return added
    }
}
