import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1

/// An error with a stable code, rendered as `{"error":{"code":"…","message":"…"}}` for the API and as
/// a Vietnamese page for the web.
public struct APIError: Error, HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    /// Stable machine-readable code, e.g. `not_found`, `invalid_parameter`.
    public let code: String
    public let message: String
    public var details: [String] = []
    /// For a refused workflow action: the actions allowed instead.
    public var allowedActions: [String]? = nil
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, _ message: String, details: [String] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
    }

    public static func notFound(_ what: String) -> APIError { APIError(.notFound, code: "not_found", what) }
    public static func invalid(_ parameter: String, _ reason: String) -> APIError {
        APIError(.badRequest, code: "invalid_parameter", "\(parameter): \(reason)")
    }

    struct Body: Encodable {
        struct Inner: Encodable {
            let code: String
            let message: String
            let details: [String]?
            let allowedActions: [String]?
        }
        let error: Inner
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var h = headers
        h[.contentType] = "application/json; charset=utf-8"
        let body = Body(error: .init(code: code, message: message, details: details.isEmpty ? nil : details, allowedActions: allowedActions))
        let data = try JSONEncoder().encode(body)
        return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Turns every error into the JSON error shape (API and system routes) or an HTML error page.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let pages: PageRenderer
    let services: AppServices

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let redirect as DeskRedirect {
            return try redirect.response(from: request, context: context)
        } catch {
            let apiError = Self.translate(error)
            if apiError.status.code >= 500 {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            let path = request.uri.path
            let wantsHTML = path.hasPrefix("/can-bo") || (!path.hasPrefix("/api/") && request.headers[.accept].map { $0.contains("text/html") } ?? false)
            if wantsHTML {
                // A logged-in officer keeps the staff header on an error page.
                let session = path.hasPrefix("/can-bo") ? try? await DeskSession.current(request, services) : nil
                return pages.errorPage(apiError, layout: session?.layoutContext ?? [:])
            }
            return try apiError.response(from: request, context: context)
        }
    }

    static func translate(_ error: any Error) -> APIError {
        switch error {
        case let e as APIError:
            return e
        case let e as HTTPError:
            switch e.status {
            case .notFound: return APIError(.notFound, code: "not_found", "no such resource")
            case .contentTooLarge: return APIError(.contentTooLarge, code: "payload_too_large", "request body is larger than \(AppRequestContext.bodyLimit) bytes")
            case .unsupportedMediaType: return APIError(.unsupportedMediaType, code: "unsupported_media_type", e.body ?? "unsupported content type")
            case .badRequest: return APIError(.unprocessableContent, code: "invalid_body", e.body ?? "the request body is not valid JSON for this operation")
            default: return APIError(e.status, code: "http_\(e.status.code)", e.body ?? e.status.reasonPhrase)
            }
        case is NIOTooManyBytesError:
            return APIError(.contentTooLarge, code: "payload_too_large", "request body is larger than \(AppRequestContext.bodyLimit) bytes")
        case is HTTPParserError:
            return APIError(.badRequest, code: "malformed_request", "the request is not valid HTTP/1.1 (malformed chunked body or headers)")
        case is DecodingError:
            return APIError(.unprocessableContent, code: "invalid_body", "the request body is not valid JSON for this operation")
        default:
            return APIError(.internalServerError, code: "internal_error", "internal error")
        }
    }
}
