import Foundation
import HTTPTypes
import Hummingbird
import MotCuaCore
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Refuses requests whose target cannot be used safely, before any route sees them: an over-long
/// URL (414), a path or query that does not percent-decode, or one that decodes to control
/// characters or bidirectional overrides (400). All with the JSON error shape.
struct RequestLimitsMiddleware<Context: RequestContext>: RouterMiddleware {
    static var maxURILength: Int { 8 * 1024 }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let uri = request.uri.description
        guard uri.utf8.count <= Self.maxURILength else {
            throw APIError(.uriTooLong, code: "uri_too_long", "the URL is longer than \(Self.maxURILength) bytes")
        }
        for (part, text) in [("path", request.uri.path), ("query", request.uri.query ?? "")] where text.contains("%") || part == "path" {
            guard let decoded = text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding else {
                throw APIError(.badRequest, code: "invalid_parameter", "the \(part) of the URL is not valid percent-encoded UTF-8")
            }
            if TextRules.problem(decoded, maxLength: Int.max) != nil {
                throw APIError(.badRequest, code: "invalid_parameter", "the \(part) of the URL contains control or bidirectional override characters")
            }
        }
        return try await next(request, context)
    }
}

/// Guards each connection below the router:
/// - closes a connection that has not delivered a complete request head within `timeout` of being
///   opened or of its previous response (slow or half-open clients; the idle timeout of the HTTP
///   channel closes connections that stop sending altogether);
/// - answers a request that is not valid HTTP/1.1 (a garbage request line, an over-long URL or
///   header, a malformed chunked body) with 400 and the JSON error shape, then closes.
final class RequestHeadTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let timeout: TimeAmount
    private var scheduled: Scheduled<Void>?
    private var answered = false

    init(timeout: TimeAmount) { self.timeout = timeout }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { disarm() }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError, !answered else {
            context.fireErrorCaught(error)
            return
        }
        answered = true
        disarm()
        let body = ByteBuffer(string: #"{"error":{"code":"malformed_request","message":"the request is not valid HTTP/1.1"}}"#)
        let head = HTTPResponse(status: .badRequest, headerFields: [.contentType: "application/json; charset=utf-8", .connection: "close",
                                                                   .contentLength: String(body.readableBytes)])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in loopBound.value.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { disarm() }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { arm(context) }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext) {
        disarm()
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        scheduled = context.eventLoop.scheduleTask(in: timeout) { loopBound.value.close(promise: nil) }
    }

    private func disarm() {
        scheduled?.cancel()
        scheduled = nil
    }
}
