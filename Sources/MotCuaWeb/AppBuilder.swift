import Hummingbird
import Logging
import MotCuaStore

/// Builds the HTTP application: middleware, then every route group.
public enum AppBuilder {
    /// The router with all routes, and the list of API operations it serves.
    public static func router(services: AppServices) -> (router: Router<AppRequestContext>, apiOperations: [String]) {
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: RequestMetricsMiddleware(registry: services.metrics))
        router.add(middleware: LogRequestsMiddleware(.info))
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: ErrorMiddleware(pages: services.pages))
        router.add(middleware: JSONContentTypeMiddleware())
        var routes = RouteRegistry(router: router)
        SystemRoutes.register(&routes, services: services)
        CatalogAPI.register(&routes, services: services)
        CalendarAPI.register(&routes, services: services)
        DossierAPI.register(&routes, services: services)
        IndicatorAPI.register(&routes, services: services)
        FileAPI.register(&routes, services: services)
        PublicPages.register(&routes, services: services)
        DeskPages.register(&routes, services: services)
        DeskForms.register(&routes, services: services)
        routes.installMethodNotAllowed()
        return (router, routes.apiOperations)
    }

    /// The application listening on host:port.
    public static func application(services: AppServices, host: String, port: Int, bodyLimit: Int = 1024 * 1024,
                                   logger: Logger) -> some ApplicationProtocol {
        AppRequestContext.bodyLimit = bodyLimit
        return Application(router: router(services: services).router,
                           configuration: .init(address: .hostname(host, port: port), serverName: "MotCua"),
                           logger: logger)
    }
}
