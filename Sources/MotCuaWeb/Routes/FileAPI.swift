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
            let file = try await services.files.store(dossierCode: code, chain: s.agencyCode, name: name, contentType: type,
                                                      content: Data(buffer: body), by: staff.username, now: services.now())
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
