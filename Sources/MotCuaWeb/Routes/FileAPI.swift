import Foundation
import Hummingbird
import MotCuaCore
import MotCuaStore
import NIOCore

/// `POST /api/v1/dossiers/{code}/files` (raw body, any content type) and `GET /api/v1/files/{id}`.
enum FileAPI {
    /// Content types accepted for attachments.
    static let allowedTypes: Set<String> = ["application/pdf", "image/jpeg", "image/png", "application/xml", "text/xml",
                                            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"]

    /// Whether the bytes look like the declared type (PDF, PNG, JPEG, XML, DOCX): a file declared
    /// as a PDF must start like one.
    static func contentMatches(_ data: Data, type: String) -> Bool {
        let head = [UInt8](data.prefix(8))
        func starts(_ magic: [UInt8]) -> Bool { head.starts(with: magic) }
        switch type {
        case "application/pdf": return starts(Array("%PDF-".utf8))
        case "image/png": return starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        case "image/jpeg": return starts([0xFF, 0xD8, 0xFF])
        case "application/xml", "text/xml":
            let text = String(decoding: data.prefix(64), as: UTF8.self).drop { $0 == "\u{FEFF}" || $0.isWhitespace }
            return text.hasPrefix("<")
        case "application/vnd.openxmlformats-officedocument.wordprocessingml.document": return starts([0x50, 0x4B, 0x03, 0x04])
        default: return false
        }
    }

    static func register(_ routes: inout RouteRegistry, services: AppServices) {
        routes.post("/api/v1/dossiers/:code/files") { request, context in
            let staff = try await services.auth.requireAPI(request, now: services.now())
            let code = try context.parameters.require("code")
            guard let s = try await services.dossiers.state(code: code), DossierRepository.visible(s, to: staff) else {
                throw APIError.notFound("dossier \(code) not found")
            }
            let type = (request.headers[.contentType] ?? "").split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased()
            guard allowedTypes.contains(type) else {
                throw APIError(.unsupportedMediaType, code: "unsupported_media_type", "attachments must be one of \(allowedTypes.sorted().joined(separator: ", "))")
            }
            guard let name = request.query("name"), name.count <= 200, !name.contains("/") else {
                throw APIError.invalid("name", "required: the file name, at most 200 characters, no slash")
            }
            let body = try await request.body.collect(upTo: context.maxUploadSize)
            guard body.readableBytes > 0 else { throw APIError(.unprocessableContent, code: "empty_file", "the file is empty") }
            let content = Data(buffer: body)
            guard contentMatches(content, type: type) else {
                throw APIError(.unprocessableContent, code: "content_mismatch", "the file's bytes are not a valid \(type)")
            }
            let file = try await services.files.store(dossierCode: code, chain: s.agencyCode, name: name, contentType: type,
                                                      content: content, by: staff.username, now: services.now())
            return try JSONResponse.make(file, status: .created)
        }
        routes.get("/api/v1/files/:id") { request, context in
            let staff = try await services.auth.requireAPI(request, now: services.now())
            let id = try context.parameters.require("id")
            guard let meta = try await services.files.metadata(id: id),
                  let s = try await services.dossiers.state(code: meta.dossierCode), DossierRepository.visible(s, to: staff),
                  let (file, content) = try await services.files.read(id: id, chain: s.agencyCode, by: staff.username, now: services.now()) else {
                throw APIError.notFound("file \(id) not found")
            }
            let disposition = "attachment; filename*=UTF-8''\(file.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "file")"
            return Response(status: .ok, headers: [.contentType: file.contentType, .contentDisposition: disposition],
                            body: .init(byteBuffer: ByteBuffer(bytes: content)))
        }
    }
}
