import Foundation
import Hummingbird
import MotCuaCore
import MotCuaStore
import NIOCore

/// `POST /api/v1/dossiers/{code}/files` (raw body, any content type) and `GET /api/v1/files/{id}`.
struct FileAPI {
    let services: AppServices

    /// The response headers of a downloaded file: always an attachment, never sniffed, and sandboxed
    /// should a browser render it anyway.
    static func downloadHeaders(_ file: StoredFile) -> HTTPFields {
        let name = file.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "file"
        return [.contentType: file.contentType, .contentDisposition: "attachment; filename*=UTF-8''\(name)",
                .xContentTypeOptions: "nosniff", .contentSecurityPolicy: "sandbox; default-src 'none'", .cacheControl: "no-store"]
    }

    /// Refuses a file with the API's codes (415 for a type we do not take, 422 otherwise).
    static func check(_ content: Data, type: String) throws {
        guard let problem = FileRules.problem(content, type: type) else { return }
        throw error(problem, type: type)
    }

    /// The API error of a refused file.
    static func error(_ problem: FileRules.Problem, type: String) -> APIError {
        switch problem {
        case .unsupportedType:
            APIError(.unsupportedMediaType, code: problem.rawValue, "attachments must be one of \(FileRules.allowedTypes.sorted().joined(separator: ", "))")
        case .empty: APIError(.unprocessableContent, code: problem.rawValue, "the file is empty")
        case .contentMismatch: APIError(.unprocessableContent, code: problem.rawValue, "the file's bytes are not a valid \(type)")
        case .activeContent: APIError(.unprocessableContent, code: problem.rawValue, "XML with XHTML or SVG content is not accepted")
        }
    }

    func register(_ routes: inout RouteRegistry) {
        routes.staff(.post, "/api/v1/dossiers/:code/files") { request, context in
            let staff = context.staff
            let code = try context.parameters.require("code")
            guard let s = try await services.dossiers.state(code: code), try await services.dossiers.canSee(s, actor: staff) else {
                throw APIError.notFound("dossier \(code) not found")
            }
            guard AccessPolicy.canAttachFile(dossierAgency: s.agencyCode, handlingAgency: s.handlingAgency, actor: staff.actor) else {
                throw APIError(.forbidden, code: "forbidden", "only officers handling the dossier may attach files")
            }
            guard let type = MediaType(request.headers[.contentType])?.value, FileRules.allowedTypes.contains(type) else {
                throw APIError(.unsupportedMediaType, code: "unsupported_media_type", "attachments must be one of \(FileRules.allowedTypes.sorted().joined(separator: ", "))")
            }
            guard let name = request.query("name"), TextRules.problem(name, maxLength: TextRules.Limit.fileName) == nil,
                  !name.contains("/"), !name.contains("\\") else {
                throw APIError.invalid("name", "required: the file name, at most \(TextRules.Limit.fileName) characters, no slash or control character")
            }
            let body = try await request.body.collect(upTo: context.maxUploadSize)
            let content = Data(buffer: body)
            try Self.check(content, type: type)
            let file = try await services.files.store(dossierCode: code, chain: s.agencyCode, name: name, contentType: type,
                                                      content: content, by: staff.username, now: context.now)
            return try JSONResponse.make(file, status: .created)
        }
        routes.staff(.get, "/api/v1/files/:id") { request, context in
            let staff = context.staff
            let id = try context.parameters.require("id")
            guard let meta = try await services.files.metadata(id: id),
                  let s = try await services.dossiers.state(code: meta.dossierCode), try await services.dossiers.canSee(s, actor: staff),
                  let (file, content) = try await services.files.read(id: id, chain: s.agencyCode, by: staff.username, now: context.now) else {
                throw APIError.notFound("file \(id) not found")
            }
            return Response(status: .ok, headers: Self.downloadHeaders(file), body: .init(byteBuffer: ByteBuffer(bytes: content)))
        }
    }
}
