import Foundation
import Hummingbird
import MotCuaStore
import NIOCore

/// The request context of every MotCua route: the body limit and the peer's socket address.
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connected peer (nil in router tests without sockets).
    public let remoteAddress: SocketAddress?
    /// The authenticated staff member (set by `StaffTokenMiddleware` on the staff API).
    public var staff: StaffMember?
    /// When the request is handled (set with `staff`).
    public var requestTime: Date?
    /// Largest request body accepted (413 above it).
    public var maxUploadSize: Int { AppRequestContext.bodyLimit }
    nonisolated(unsafe) static var bodyLimit = 1024 * 1024

    public init(source: Source) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// Settings that protect logins and sessions (from `ServerConfig`).
public struct SecuritySettings: Sendable {
    /// Addresses of reverse proxies whose `X-Forwarded-For` / `X-Forwarded-Proto` are believed.
    public var trustedProxies: Set<String> = []
    /// Always mark the session cookie `Secure` (serve only over TLS or behind a TLS proxy).
    public var secureCookies = false

    public init(trustedProxies: Set<String> = [], secureCookies: Bool = false) {
        self.trustedProxies = trustedProxies
        self.secureCookies = secureCookies
    }

    /// The client's address: the socket peer, or — when the peer is a trusted proxy — the nearest
    /// address in `X-Forwarded-For` that is not itself a trusted proxy.
    public func clientAddress(_ request: Request, peer: SocketAddress?) -> String {
        let socket = Self.normalised(peer?.ipAddress ?? "local")
        guard isTrusted(socket) else { return socket }
        let forwarded = request.headers[values: .xForwardedFor].flatMap { $0.split(separator: ",") }
            .map { Self.normalised($0.trimmingCharacters(in: .whitespaces)) }.filter { !$0.isEmpty && $0.count <= 64 }
        return forwarded.reversed().first { !isTrusted($0) } ?? socket
    }

    /// An address in one spelling: an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, as a dual-stack
    /// listener reports IPv4 peers) becomes its IPv4 form; letters are lower-cased.
    static func normalised(_ address: String) -> String {
        let a = address.lowercased()
        return a.hasPrefix("::ffff:") && a.dropFirst(7).contains(".") ? String(a.dropFirst(7)) : a
    }

    func isTrusted(_ address: String) -> Bool { trustedProxies.contains { Self.normalised($0) == address } }

    /// Whether the request reached us over TLS (a trusted proxy says so with `X-Forwarded-Proto`).
    public func isSecure(_ request: Request, peer: SocketAddress?) -> Bool {
        if secureCookies { return true }
        guard let ip = peer?.ipAddress, isTrusted(Self.normalised(ip)) else { return false }
        return request.headers[.xForwardedProto]?.lowercased() == "https"
    }

    /// A `Set-Cookie` value with the attributes every MotCua cookie has.
    func cookie(_ name: String, _ value: String, path: String = "/", maxAge: Int, secure: Bool, sameSite: String = "Strict") -> String {
        "\(name)=\(value); Path=\(path); HttpOnly; SameSite=\(sameSite); Max-Age=\(maxAge)\(secure ? "; Secure" : "")"
    }
}
