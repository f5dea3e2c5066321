import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// How the SMTP connection is protected: plain, upgraded with STARTTLS, or TLS from the start.
public enum SMTPSecurity: String, Sendable, Hashable, CaseIterable {
    case none, starttls, tls
}

/// Where and how notifications are delivered.
public struct MailSettings: Sendable, Equatable {
    /// nil: no SMTP server; e-mails are written to the log instead of being sent.
    public var smtpHost: String? = nil
    public var smtpPort: Int? = nil
    public var security = SMTPSecurity.starttls
    public var username: String? = nil
    public var password: String? = nil
    public var from = "motcua@localhost"
    public var maxAttempts = 8
    public var intervalSeconds = 5

    public init() {}

    public var port: Int { smtpPort ?? (security == .tls ? 465 : security == .starttls ? 587 : 25) }
}

/// Why a message could not be delivered.
public struct SMTPError: Error, CustomStringConvertible {
    public let description: String
    /// A 5xx answer: retrying will not help (the sender still retries up to its limit).
    public let permanent: Bool
}

/// A small SMTP client (RFC 5321) over SwiftNIO: EHLO, optional STARTTLS (RFC 3207) or implicit
/// TLS, AUTH PLAIN (RFC 4954), one message per connection, dot-stuffed, UTF-8 headers encoded as
/// RFC 2047 words and the body as quoted-printable-free base64.
public struct SMTPClient: Sendable {
    let settings: MailSettings
    let host: String

    public init?(settings: MailSettings) {
        guard let host = settings.smtpHost else { return nil }
        self.settings = settings
        self.host = host
    }

    /// Sends one message and returns after the server accepted it (250 after the data).
    public func send(to recipient: String, subject: String, body: String, messageID: String, date: Date) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: host, port: settings.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if settings.security == .tls { try channel.pipeline.syncOperations.addHandler(try Self.tlsHandler(host)) }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            var lines = LineReader(inbound.makeAsyncIterator())
            func expect(_ code: Int) async throws -> [String] {
                let reply = try await lines.reply()
                guard reply.code == code else {
                    throw SMTPError(description: "expected \(code), got \(reply.code) \(reply.lines.joined(separator: " "))", permanent: reply.code >= 500)
                }
                return reply.lines
            }
            func say(_ line: String) async throws { try await outbound.write(ByteBuffer(string: line + "\r\n")) }
            _ = try await expect(220)
            try await say("EHLO motcua.local")
            var capabilities = try await expect(250)
            if settings.security == .starttls {
                try await say("STARTTLS")
                _ = try await expect(220)
                try await channel.channel.pipeline.addHandler(try Self.tlsHandler(host), position: .first).get()
                try await say("EHLO motcua.local")
                capabilities = try await expect(250)
            }
            if let user = settings.username, let password = settings.password {
                guard capabilities.contains(where: { $0.uppercased().contains("AUTH") }) else {
                    throw SMTPError(description: "the server offers no AUTH", permanent: true)
                }
                let token = Data("\u{0}\(user)\u{0}\(password)".utf8).base64EncodedString()
                try await say("AUTH PLAIN \(token)")
                _ = try await expect(235)
            }
            try await say("MAIL FROM:<\(settings.from)>")
            _ = try await expect(250)
            try await say("RCPT TO:<\(recipient)>")
            _ = try await expect(250)
            try await say("DATA")
            _ = try await expect(354)
            try await outbound.write(ByteBuffer(string: Self.message(from: settings.from, to: recipient, subject: subject, body: body,
                                                                     messageID: messageID, date: date)))
            _ = try await expect(250)
            try? await say("QUIT")
        }
    }

    static func tlsHandler(_ host: String) throws -> NIOSSLClientHandler {
        let context = try NIOSSLContext(configuration: .makeClientConfiguration())
        return try NIOSSLClientHandler(context: context, serverHostname: host)
    }

    /// The message as sent after DATA: headers, a base64 UTF-8 body, the terminating dot.
    static func message(from: String, to: String, subject: String, body: String, messageID: String, date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        f.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")
        let encodedBody = Data(body.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        let headers = [
            "From: \(from)", "To: \(to)", "Subject: \(encodedWord(subject))", "Date: \(f.string(from: date))",
            "Message-ID: <\(messageIDToken(messageID))@motcua>", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64", "X-MotCua-Message: \(messageIDToken(messageID))",
        ]
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + encodedBody + "\r\n.\r\n"
    }

    /// An RFC 2047 encoded word for a non-ASCII header.
    static func encodedWord(_ s: String) -> String {
        s.allSatisfy { $0.isASCII } ? s : "=?UTF-8?B?\(Data(s.utf8).base64EncodedString())?="
    }

    /// The outbox id as a Message-ID local part (letters, digits, `.-_` and `=XX` for the rest).
    static func messageIDToken(_ id: String) -> String {
        id.unicodeScalars.map { c in
            (c.properties.isAlphabetic && c.isASCII) || ("0"..."9").contains(c) || ".-_".unicodeScalars.contains(c)
                ? String(c) : String(format: "=%02X", c.value & 0xFF)
        }.joined()
    }
}

/// Reads SMTP replies ("250-…" continuation lines, then "250 …") from the inbound stream.
struct LineReader {
    var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    var buffer = ByteBuffer()

    init(_ iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) { self.iterator = iterator }

    mutating func line() async throws -> String {
        while true {
            let view = buffer.readableBytesView
            if let i = view.firstIndex(of: UInt8(ascii: "\n")) {
                let length = i - view.startIndex + 1
                let text = buffer.readString(length: length) ?? ""
                return text.trimmingCharacters(in: .newlines)
            }
            guard buffer.readableBytes < 64 * 1024, var chunk = try await iterator.next() else {
                throw SMTPError(description: "the SMTP connection closed", permanent: false)
            }
            buffer.writeBuffer(&chunk)
        }
    }

    mutating func reply() async throws -> (code: Int, lines: [String]) {
        var lines: [String] = []
        while true {
            let l = try await line()
            guard l.count >= 3, let code = Int(l.prefix(3)) else { throw SMTPError(description: "not an SMTP reply: \(l.prefix(80))", permanent: false) }
            lines.append(String(l.dropFirst(4)))
            if l.count == 3 || l[l.index(l.startIndex, offsetBy: 3)] == " " { return (code, lines) }
        }
    }
}
