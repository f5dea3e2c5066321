import Crypto
import Foundation
import SQLKit

/// A file attached to a dossier (a scanned input, a signed electronic result).
public struct StoredFile: Hashable, Sendable, Codable {
    public var id: String
    public var dossierCode: String
    public var name: String
    public var contentType: String
    public var size: Int
    public var sha256: String
    public var uploadedBy: String
    public var uploadedAt: Date

    public init(id: String, dossierCode: String, name: String, contentType: String, size: Int, sha256: String, uploadedBy: String, uploadedAt: Date) {
        self.id = id
        self.dossierCode = dossierCode
        self.name = name
        self.contentType = contentType
        self.size = size
        self.sha256 = sha256
        self.uploadedBy = uploadedBy
        self.uploadedAt = uploadedAt
    }
}

/// Files kept in the database itself (BLOB on SQLite, BYTEA on PostgreSQL), so that every app node
/// sees them and a backup of the database is a backup of everything. Uploads and reads are audited.
public struct FileRepository: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// Stores a file for a dossier in one transaction with its audit entry.
    public func store(dossierCode: String, chain: String, name: String, contentType: String, content: Data, by username: String,
                      now: Date) async throws -> StoredFile {
        let digest = CivilHex.string(SHA256.hash(data: content))
        let file = StoredFile(id: UUID().uuidString.lowercased(), dossierCode: dossierCode, name: name, contentType: contentType,
                              size: content.count, sha256: digest, uploadedBy: username, uploadedAt: now)
        try await database.write { db in
            try await db.insert(into: "files")
                .columns("id", "dossier_code", "name", "content_type", "size", "sha256", "content", "uploaded_by", "uploaded_at")
                .values(SQLBind(file.id), SQLBind(dossierCode), SQLBind(name), SQLBind(contentType), SQLBind(file.size), SQLBind(digest),
                        SQLBind(content), SQLBind(username), SQLBind(Int(now.timeIntervalSince1970)))
                .run()
            struct Detail: Encodable { let file: String; let name: String; let size: Int; let sha256: String }
            try await AuditLog.append(db, chain: chain, at: now, actor: username, action: "file.upload", subject: dossierCode,
                                      detail: Detail(file: file.id, name: name, size: file.size, sha256: digest))
        }
        return file
    }

    /// The file's description (no content).
    public func metadata(id: String) async throws -> StoredFile? {
        try await database.read { db in
            try await db.select().columns("id", "dossier_code", "name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at")
                .from("files").where("id", .equal, id).first().map(Self.file)
        }
    }

    /// The file and its content; the read is audited.
    public func read(id: String, chain: String, by username: String, now: Date) async throws -> (StoredFile, Data)? {
        try await database.write { db in
            guard let row = try await db.select().columns("id", "dossier_code", "name", "content_type", "size", "sha256", "uploaded_by",
                                                          "uploaded_at", "content")
                .from("files").where("id", .equal, id).first() else { return nil }
            let file = try Self.file(row)
            struct Detail: Encodable { let file: String }
            try await AuditLog.append(db, chain: chain, at: now, actor: username, action: "file.read", subject: file.dossierCode,
                                      detail: Detail(file: id))
            return (file, try row.decode(column: "content", as: Data.self))
        }
    }

    static func file(_ r: any SQLRow) throws -> StoredFile {
        StoredFile(id: try r.decode(column: "id", as: String.self), dossierCode: try r.decode(column: "dossier_code", as: String.self),
                   name: try r.decode(column: "name", as: String.self), contentType: try r.decode(column: "content_type", as: String.self),
                   size: try r.decode(column: "size", as: Int.self), sha256: try r.decode(column: "sha256", as: String.self),
                   uploadedBy: try r.decode(column: "uploaded_by", as: String.self),
                   uploadedAt: Date(timeIntervalSince1970: TimeInterval(try r.decode(column: "uploaded_at", as: Int.self))))
    }
}
