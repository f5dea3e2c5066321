import Hummingbird

/// The request context of every MotCua route.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Largest request body accepted (413 above it).
    public var maxUploadSize: Int { AppRequestContext.bodyLimit }
    nonisolated(unsafe) static var bodyLimit = 1024 * 1024

    public init(source: Source) {
        coreContext = .init(source: source)
    }
}
