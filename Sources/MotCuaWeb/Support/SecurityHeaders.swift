import Hummingbird
import HTTPTypes

/// Adds security headers to every response: a strict CSP (no scripts needed: pages work without
/// JavaScript), no MIME sniffing, no framing, no referrer leaks, and a request id.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[HTTPField.Name("X-Request-Id")!] = context.id
        return response
    }
}

/// Requires `Content-Type: application/json` on API requests that carry a body (415 otherwise).
struct JSONContentTypeMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // File uploads carry their own content type (checked by the route).
        if [.post, .put, .patch].contains(request.method), request.uri.path.hasPrefix("/api/"), !request.uri.path.hasSuffix("/files") {
            let type = request.headers[.contentType] ?? ""
            if !type.lowercased().hasPrefix("application/json") {
                throw APIError(.unsupportedMediaType, code: "unsupported_media_type", "send the body as application/json")
            }
        }
        return try await next(request, context)
    }
}
