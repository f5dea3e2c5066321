import Foundation
import Hummingbird
import MotCuaStore

/// The request context of the staff API: the authenticated staff member and the request's time,
/// set by `StaffTokenMiddleware` before any handler runs (handlers never authenticate themselves).
public struct StaffRequestContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let staff: StaffMember
    /// The instant the request is handled at (the services' clock, frozen for the request).
    public let now: Date
    public var maxUploadSize: Int { AppRequestContext.bodyLimit }

    public init(context: AppRequestContext) throws {
        guard let staff = context.staff, let now = context.requestTime else {
            throw APIError(.unauthorized, code: "unauthorized", "send Authorization: Bearer <token> from POST /api/v1/auth/token")
        }
        self.coreContext = context.coreContext
        self.staff = staff
        self.now = now
    }
}

/// Authenticates the bearer token of a staff API request (401 without a valid one) and records the
/// staff member and the request time in the context, for `StaffRequestContext`.
struct StaffTokenMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let services: AppServices

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        let now = services.now()
        var context = context
        context.staff = try await services.auth.requireAPI(request, now: now)
        context.requestTime = now
        return try await next(request, context)
    }
}
