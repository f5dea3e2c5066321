import Hummingbird
import HTTPTypes

/// Adds security headers to every response: a strict CSP (no scripts needed: pages work without
/// JavaScript), no MIME sniffing, no framing, no referrer leaks, and a request id.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var privatePrefixes: [String] { ["/can-bo", "/api/v1/dossiers", "/api/v1/files", "/api/v1/auth", "/api/v1/indicators"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        // A route may set a stricter policy (downloads are sandboxed).
        if response.headers[.contentSecurityPolicy] == nil { response.headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'" }
        response.headers[.xContentTypeOptions] = "nosniff"
        // Pages and answers with personal data are never kept by a browser or a proxy (Back after
        // logout shows nothing).
        let path = request.uri.path
        if Self.privatePrefixes.contains(where: { path.hasPrefix($0) }) { response.headers[.cacheControl] = "no-store" }
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[HTTPField.Name("X-Request-Id")!] = context.id
        return response
    }
}

