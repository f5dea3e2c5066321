import Hummingbird

/// Registers routes and remembers them, so that a path called with a method it does not support
/// answers 405 with `Allow`, and so that a test can compare the API routes with `/openapi.yaml`.
struct RouteRegistry {
    typealias Handler = @Sendable (Request, AppRequestContext) async throws -> Response
    typealias StaffHandler = @Sendable (Request, StaffRequestContext) async throws -> Response
    let router: Router<AppRequestContext>
    /// The staff API: its middleware authenticates the bearer token, its handlers get the staff member.
    let staffRoutes: RouterGroup<StaffRequestContext>
    private(set) var entries: [(method: HTTPRequest.Method, path: String)] = []

    init(router: Router<AppRequestContext>, services: AppServices) {
        self.router = router
        staffRoutes = router.group().add(middleware: StaffTokenMiddleware(services: services)).group(context: StaffRequestContext.self)
    }

    /// A route of the staff API (authenticated; POST bodies must be JSON except file uploads).
    mutating func staff(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping StaffHandler) {
        Self.on(staffRoutes, method, path, handler)
        entries.append((method, path))
    }

    mutating func get(_ path: String, _ handler: @escaping Handler) { add(.get, path, handler) }
    mutating func post(_ path: String, _ handler: @escaping Handler) { add(.post, path, handler) }

    mutating func add(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler) {
        Self.on(router, method, path, handler)
        entries.append((method, path))
    }

    /// Registers on a router or a group; API bodies are JSON, except file uploads, which carry
    /// their own type (checked by the route).
    static func on<C: RequestContext>(_ routes: some RouterMethods<C>, _ method: HTTPRequest.Method, _ path: String,
                                      _ handler: @escaping @Sendable (Request, C) async throws -> Response) {
        if method == .post && path.hasPrefix("/api/") && !path.hasSuffix("/files") {
            routes.on(RouterPath(path), method: method) { request, context in
                try requireJSON(request)
                return try await handler(request, context)
            }
        } else {
            routes.on(RouterPath(path), method: method, use: handler)
        }
    }

    /// 415 unless a request that has a body declares it `application/json`.
    static func requireJSON(_ request: Request) throws {
        let hasBody = request.headers[.transferEncoding] != nil || (request.headers[.contentLength].flatMap { Int($0) } ?? 0) > 0
        guard hasBody else { return }
        guard MediaType(request.headers[.contentType])?.value == "application/json" else {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type", "send the body as application/json")
        }
    }

    /// For every known path, answers the other methods with 405 Method Not Allowed.
    func installMethodNotAllowed() {
        var byPath: [String: [HTTPRequest.Method]] = [:]
        for e in entries { byPath[e.path, default: []].append(e.method) }
        let all: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options, .trace]
        for (path, methods) in byPath {
            var allowed = methods
            if methods.contains(.get) { allowed.append(.head) }
            let served = Set(allowed)
            let allow = allowed.map(\.rawValue).joined(separator: ", ")
            for m in all where !served.contains(m) {
                router.on(RouterPath(path), method: m) { _, _ -> Response in
                    var e = APIError(.methodNotAllowed, code: "method_not_allowed", "allowed methods: \(allow)")
                    e.headers[.allow] = allow
                    throw e
                }
            }
        }
    }

    /// `/a/:b` → `/a/{b}`.
    static func openAPIPath(_ path: String) -> String { path.replacing(/:(\w+)/) { "{\($0.1)}" } }

    /// The API routes in OpenAPI form (`{param}` instead of `:param`).
    var apiOperations: [String] {
        entries.filter { $0.path.hasPrefix("/api/") }
            .map { "\($0.method.rawValue.lowercased()) \(Self.openAPIPath($0.path))" }
            .sorted()
    }
}
