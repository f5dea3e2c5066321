import Hummingbird
import Logging
import MotCuaStore
import NIOCore

/// Builds the HTTP application: middleware, then every route group.
public enum AppBuilder {
    /// The router with all routes, and the list of API operations it serves.
    public static func router(services: AppServices) -> (router: Router<AppRequestContext>, apiOperations: [String]) {
        let (router, registry) = build(services: services)
        return (router, registry.apiOperations)
    }

    /// Every route as (method, path in OpenAPI form), for `motcua routes` and the security probes.
    public static func routeTable(services: AppServices) -> [(method: String, path: String)] {
        build(services: services).registry.entries.map { ($0.method.rawValue, RouteRegistry.openAPIPath($0.path)) }
    }

    static func build(services: AppServices) -> (router: Router<AppRequestContext>, registry: RouteRegistry) {
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: RequestMetricsMiddleware(registry: services.metrics))
        router.add(middleware: LogRequestsMiddleware(.info))
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: ErrorMiddleware(pages: services.pages, services: services))
        router.add(middleware: RequestLimitsMiddleware())
        var routes = RouteRegistry(router: router, services: services)
        SystemRoutes.register(&routes, services: services)
        CatalogAPI.register(&routes, services: services)
        CalendarAPI.register(&routes, services: services)
        DossierAPI(services: services).register(&routes)
        IndicatorAPI(services: services).register(&routes)
        FileAPI(services: services).register(&routes)
        PublicPages.register(&routes, services: services)
        DeskPages.register(&routes, services: services)
        DeskForms.register(&routes, services: services)
        DeskOnlineDocuments.register(&routes, services: services)
        CitizenAPI(services: services).register(&routes)
        CitizenAccountPages.register(&routes, services: services)
        PortalSubmissionPages.register(&routes, services: services)
        PortalDossierPages.register(&routes, services: services)
        TrackingPages.register(&routes, services: services)
        PortalPayments.register(&routes, services: services)
        FeedbackPages.register(&routes, services: services)
        DeskIndicators.register(&routes, services: services)
        OIDCLoginPages.register(&routes, services: services)
        routes.installMethodNotAllowed()
        return (router, routes)
    }

    /// Connection limits: how long a client may take to send a request head, and how long an idle
    /// connection stays open.
    public struct Timeouts: Sendable {
        public var requestHead: TimeAmount = .seconds(20)
        public var idle: TimeAmount = .seconds(60)
        public init(requestHead: TimeAmount = .seconds(20), idle: TimeAmount = .seconds(60)) {
            self.requestHead = requestHead
            self.idle = idle
        }
    }

    /// The application listening on host:port.
    public static func application(services: AppServices, host: String, port: Int, bodyLimit: Int = 1024 * 1024,
                                   timeouts: Timeouts = Timeouts(), logger: Logger) -> some ApplicationProtocol {
        AppRequestContext.bodyLimit = bodyLimit
        let head = timeouts.requestHead
        return Application(router: router(services: services).router,
                           server: .http1(configuration: .init(additionalChannelHandlers: [RequestHeadTimeoutHandler(timeout: head)],
                                                               idleTimeout: timeouts.idle)),
                           configuration: .init(address: .hostname(host, port: port), serverName: "MotCua"),
                           logger: logger)
    }
}
