import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MotCuaCore
import MotCuaStore
import MotCuaTestSupport
import MotCuaWeb
import NIOCore
import Testing

/// The desk inbox pages 50 dossiers at a time, late ones first, and its counts come from SQL over
/// the hot columns: they must equal what the pure rules (`isLate`, `isDueSoon`) say of every open
/// dossier, on both databases.
struct InboxPagingTests {
    @Test(arguments: TestDatabases.kinds)
    func countsAgreeWithTheRulesAndPagesFollowTheOrder(kind: DatabaseKind) async throws {
        try await DemoApp.run(kind) { app in
            let body = DemoApp.intake("2.000488", case: "TH1")
            // 30 received on 2 March (due 16 March), 26 on 11 March (due 25 March); one waits for a supplement.
            for (day, n) in [("2026-03-02T09:00:00", 30), ("2026-03-11T09:00:00", 26)] {
                app.at(day)
                let token = try await app.token("tiepnhan.sotuphap")
                for _ in 0..<n { #expect(try await ConcurrentWritesTests.post(app, "/api/v1/dossiers", token: token, json: body).status == 201) }
            }
            app.at("2026-03-23T10:00:00")
            let member = try #require(try await StaffRepository(database: app.database).list().first { $0.username == "tiepnhan.sotuphap" })
            var all = DossierFilter(limit: 1000)
            all.openOnly = true
            let open = try await app.services.dossiers.unauditedList(all, actor: member)
            let now = app.services.now()
            let deadlines = app.services.deadlines(for: member.agencyCode)
            let late = open.filter { !$0.status.endsProcessing && $0.isLate(at: now) }.count
            let soon = open.filter { !$0.status.endsProcessing && $0.isDueSoon(at: now, deadlines: deadlines, workingDays: app.services.dueSoonDays) }.count
            #expect(late == 30 && soon > 0, "late \(late), due soon \(soon)")
            let counts = try await app.services.dossiers.inboxCounts(all, actor: member, now: now,
                                                                      dueSoonBefore: deadlines.dueSoonLimit(now: now, workingDays: app.services.dueSoonDays))
            #expect(counts == .init(open: open.count, dueSoon: soon, late: late))

            let (cookie, _) = try await DeskPagesTests().login(app, "tiepnhan.sotuphap")
            let page1 = try await app.client.execute(uri: "/can-bo", method: .get, headers: [.cookie: cookie]) { $0.text }
            #expect(page1.contains(#"<span class="num">\#(open.count)</span> hồ sơ đang xử lý"#))
            #expect(page1.contains(#"<span class="num">30</span> <span class="badge badge-late">"#))
            #expect(page1.components(separatedBy: "<tr").count - 2 == 50, "50 rows on the first page")
            #expect(page1.contains(#"<a href="/can-bo?trang=2" rel="next">Trang sau</a>"#) && !page1.contains("Trang trước"))
            let page2 = try await app.client.execute(uri: "/can-bo?trang=2", method: .get, headers: [.cookie: cookie]) { $0.text }
            #expect(page2.components(separatedBy: "<tr").count - 2 == open.count - 50)
            #expect(page2.contains(#"rel="prev">Trang trước</a>"#) && !page2.contains("Trang sau"))
            // Late dossiers first: every late one is on page 1, before any that is not.
            let lateBadge = #"<span class="badge badge-late">Quá hạn</span></td>"#
            #expect(page1.components(separatedBy: lateBadge).count - 1 == 30 && !page2.contains(lateBadge))
            for bad in ["0", "abc", "-1", "9999999"] {
                try await app.client.execute(uri: "/can-bo?trang=\(bad)", method: .get, headers: [.cookie: cookie]) { r in
                    #expect(r.status == .badRequest && r.text.contains("Trang: số trang không hợp lệ."), "trang=\(bad)")
                }
            }
        }
    }
}
