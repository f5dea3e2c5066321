import Foundation
import Logging
import MotCuaStore
import MotCuaTestSupport
import MotCuaWeb
import Prometheus
import Testing

/// The outbox sender: retries with backoff and a dead letter after the last try, delivery without
/// an SMTP server goes to the log, SMS through the gateway. (Delivery to a real SMTP server, and a
/// kill -9 between send and confirm, are tested by Tests/notifications/smtp_delivery.py.)
struct NotificationSenderTests {
    final class RecordingSMS: SMSGateway, @unchecked Sendable {
        let lock = NSLock()
        var sent: [(String, String)] = []
        func send(to phone: String, text: String) async throws { lock.withLock { sent.append((phone, text)) } }
    }

    @Test func backoffGrowsAndIsBounded() {
        #expect(NotificationSender.backoff(attempts: 0) == 30 && NotificationSender.backoff(attempts: 1) == 60 && NotificationSender.backoff(attempts: 3) == 240)
        #expect(NotificationSender.backoff(attempts: 20) == 3600)
    }

    @Test(arguments: TestDatabases.kinds)
    func failedDeliveriesAreRetriedThenDeadLettered(kind: DatabaseKind) async throws {
        try await DemoApp.run(kind, start: "2026-12-03T08:00:00+07:00") { app in
            _ = try await CitizenPortalTests.register(app, email: "binh@example.vn", id: "092195004321")
            var settings = MailSettings()
            settings.smtpHost = "127.0.0.1"
            settings.smtpPort = 1  // nothing listens there
            settings.security = .none
            settings.maxAttempts = 2
            let sender = NotificationSender(outbox: app.services.outbox, settings: settings, sms: RecordingSMS(), baseURL: "http://h",
                                            metrics: PrometheusCollectorRegistry(), logger: TestDatabases.logger)
            let clock = app.clock
            #expect(try await sender.deliverDue(now: { clock.now }) == 0)
            #expect(try await app.services.outbox.counts() == (1, 0, 0))
            // Not due again before the backoff.
            #expect(try await app.services.outbox.due(now: clock.now.addingTimeInterval(10)).isEmpty)
            clock.advance(hours: 0.1)
            #expect(try await sender.deliverDue(now: { clock.now }) == 0)
            #expect(try await app.services.outbox.counts() == (0, 0, 1))
            #expect(try await app.services.outbox.oldestPendingAge(now: clock.now) == 0)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func withoutAServerMailIsLoggedAndSMSGoesToTheGateway(kind: DatabaseKind) async throws {
        try await DemoApp.run(kind, start: "2026-12-03T08:00:00+07:00") { app in
            _ = try await CitizenPortalTests.register(app, email: "binh@example.vn", id: "092195004321")
            // A dossier for an applicant with only a phone: its notices go by SMS.
            let body = DemoApp.intake("2.000488", case: "TH1", channel: "online", documents: DossierLifecycleTests.criminalRecordDocs)
                .replacingOccurrences(of: #","email":"an@example.vn""#, with: "")
            let (status, d, _) = try await app.send(.post, "/api/v1/dossiers", as: "tiepnhan.sotuphap", json: body)
            #expect(status == .created, "\(d)")
            let sms = RecordingSMS()
            let sender = NotificationSender(outbox: app.services.outbox, settings: MailSettings(), sms: sms, baseURL: "http://h",
                                            metrics: PrometheusCollectorRegistry(), logger: TestDatabases.logger)
            let clock = app.clock
            let pending = try await app.services.outbox.counts().pending
            #expect(try await sender.deliverDue(now: { clock.now }) == pending)
            #expect(try await app.services.outbox.counts() == (0, pending, 0))
            #expect(pending == 2)  // the confirmation e-mail (logged) and the receipt SMS
            #expect(sms.sent.count == 1 && sms.sent.first?.0 == "0912345678" && sms.sent.first?.1.contains("đã được tiếp nhận") == true)
            // Nothing is delivered twice.
            #expect(try await sender.deliverDue(now: { clock.now }) == 0)
        }
    }
}
