import Foundation
import Logging
import MotCuaCore
import MotCuaStore
import Prometheus

/// Sends SMS (an interface; the default writes to the log).
public protocol SMSGateway: Sendable {
    func send(to phone: String, text: String) async throws
}

/// The default SMS gateway: logs the message (no provider configured).
public struct LogSMSGateway: SMSGateway {
    let logger: Logger
    public init(logger: Logger) { self.logger = logger }
    public func send(to phone: String, text: String) async throws {
        logger.info("sms (log only)", metadata: ["to": "\(phone)", "text": "\(text)"])
    }
}

/// Delivers the outbox at least once: e-mail over SMTP (or to the log without a server), SMS
/// through the gateway. A message is marked sent only after the server accepted it, so a crash in
/// between sends it again on restart (with the same Message-ID, which lets a receiver drop the
/// duplicate) and never loses it. Failures are retried with exponential backoff (30 s, 1, 2, 4 …
/// minutes, at most an hour) and dead-lettered after `maxAttempts`. The age of the oldest pending
/// message is the gauge `motcua_outbox_oldest_pending_seconds`.
public struct NotificationSender: Sendable {
    let outbox: Outbox
    let settings: MailSettings
    let smtp: SMTPClient?
    let sms: any SMSGateway
    let baseURL: String
    let logger: Logger
    let age: Gauge
    let delivered: Counter
    let failed: Counter

    public init(outbox: Outbox, settings: MailSettings, sms: any SMSGateway, baseURL: String, metrics: PrometheusCollectorRegistry, logger: Logger) {
        self.outbox = outbox
        self.settings = settings
        self.smtp = SMTPClient(settings: settings)
        self.sms = sms
        self.baseURL = baseURL
        self.logger = logger
        self.age = metrics.makeGauge(name: "motcua_outbox_oldest_pending_seconds")
        self.delivered = metrics.makeCounter(name: "motcua_notifications_sent_total")
        self.failed = metrics.makeCounter(name: "motcua_notifications_failed_total")
    }

    /// The backoff before try `attempts + 1`.
    public static func backoff(attempts: Int) -> TimeInterval { min(30 * pow(2, Double(max(0, attempts))), 3600) }

    /// Delivers what is due now; returns how many were confirmed.
    @discardableResult
    public func deliverDue(now: @Sendable () -> Date = { Date() }) async throws -> Int {
        var sent = 0
        for m in try await outbox.due(now: now()) {
            let rendered = NotificationTemplates.render(form: m.form, dossierCode: m.dossierCode, message: m.message, baseURL: baseURL)
            let subject = m.subject ?? rendered.subject
            let body = m.subject == nil ? rendered.body : m.message
            do {
                if m.recipient.contains("@") {
                    if let smtp {
                        try await smtp.send(to: m.recipient, subject: subject, body: body, messageID: m.id, date: m.createdAt)
                    } else {
                        logger.info("e-mail (no SMTP server configured)", metadata: ["to": "\(m.recipient)", "subject": "\(subject)", "id": "\(m.id)"])
                    }
                } else {
                    try await sms.send(to: m.recipient, text: m.subject == nil ? rendered.sms : subject)
                }
                try await outbox.markSent(id: m.id, now: now())
                delivered.increment()
                sent += 1
            } catch {
                failed.increment()
                logger.warning("notification not delivered", metadata: ["id": "\(m.id)", "attempt": "\(m.attempts + 1)", "error": "\(error)"])
                try await outbox.markFailed(id: m.id, error: "\(error)", now: now(), retryAfter: Self.backoff(attempts: m.attempts),
                                            maxAttempts: settings.maxAttempts)
            }
        }
        age.set(Double(try await outbox.oldestPendingAge(now: now())))
        return sent
    }
}
