import Hummingbird
import Prometheus

/// Records requests by route, method and status, and their latency, in the app's Prometheus
/// registry (no process-wide metrics bootstrap, so several apps can live in one test process).
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let registry: PrometheusCollectorRegistry
    static var buckets: [Duration] {
        [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
         .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5)]
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var status = 500
        defer {
            let route = context.endpointPath ?? "unmatched"
            registry.makeCounter(name: "motcua_http_requests_total",
                                 labels: [("route", route), ("method", request.method.rawValue), ("status", String(status))],
                                 help: "HTTP requests by route, method and status").increment()
            registry.makeDurationHistogram(name: "motcua_http_request_duration_seconds", labels: [("route", route)],
                                           buckets: Self.buckets, help: "HTTP request latency").record(ContinuousClock.now - start)
        }
        do {
            let response = try await next(request, context)
            status = Int(response.status.code)
            return response
        } catch let error as any HTTPResponseError {
            status = Int(error.status.code)
            throw error
        }
    }
}
