import Foundation
import MotCuaCore
import MotCuaStore
import MotCuaTestSupport
import Testing

struct CatalogRepositoryTests {
    static func document() throws -> CatalogDocument {
        let agencies = """
        [{"code":"H13","name":"TP Cần Thơ","kind":"province","level":"province","parent":null,"validFrom":"2004-01-01","validTo":null},
         {"code":"H13.31","name":"Quận Ninh Kiều","kind":"district","level":"district","parent":"H13","validFrom":"2004-01-01","validTo":"2025-06-30"},
         {"code":"H13.41","name":"Phường Ninh Kiều","kind":"commune","level":"commune","parent":"H13","validFrom":"2025-07-01","validTo":null}]
        """
        let p = """
        {"code":"1.001193","name":"Đăng ký khai sinh","field":"Hộ tịch","level":"commune","agencyKinds":["commune"],"onlineType":"full",
         "channels":[{"channel":"counter","limit":{"amount":1,"unit":"workingDays"},"fees":[]},{"channel":"online","limit":{"amount":1,"unit":"workingDays"},"fees":[]}],
         "cases":[{"code":"TH1","name":"Đúng hạn","noDueDate":false,
                   "limits":[{"channel":"counter","amount":1,"unit":"workingDays"},{"channel":"online","amount":1,"unit":"workingDays"}],
                   "components":[{"name":"Tờ khai","template":null,"copies":1,"required":true}],
                   "workflow":[{"name":"Xử lý","role":"specialist","hours":8}]}],
         "result":{"name":"Giấy khai sinh","electronic":true,"mustSign":true},"legalBasis":["Luật Hộ tịch"]}
        """
        let d = JSONDecoder()
        return CatalogDocument(agencies: try d.decode([Agency].self, from: Data(agencies.utf8)),
                               reorganisations: [Reorganisation(kind: .split, effective: CivilDate(iso: "2025-07-01")!, from: ["H13.31"], to: ["H13.41"])],
                               procedures: [try d.decode(Procedure.self, from: Data(p.utf8))])
    }

    @Test(arguments: TestDatabases.kinds)
    func catalogRoundTripsAndEditsCreateVersions(kind: DatabaseKind) async throws {
        try await TestDatabases.with(kind) { db, _ in
            let repo = CatalogRepository(database: db)
            let doc = try Self.document()
            #expect(doc.problems().isEmpty)
            try await repo.replaceAll(agencies: doc.agencies, reorganisations: doc.reorganisations, procedures: doc.procedures, now: Date())
            let agencies = try await repo.agencies()
            #expect(agencies == doc.agencies.sorted { $0.code < $1.code })
            let reorganisations = try await repo.reorganisations()
            #expect(reorganisations == doc.reorganisations)
            let history = try await repo.history()
            #expect(history.predecessors(of: "H13.41") == ["H13.31"])

            // Saving the same procedure again keeps version 1; a change makes version 2.
            var p = doc.procedures[0]
            #expect(try await repo.save(p, now: Date()) == 1)
            p.name = "Thủ tục đăng ký khai sinh"
            #expect(try await repo.save(p, now: Date()) == 2)
            let current = try await repo.procedure(code: "1.001193")
            let first = try await repo.procedure(code: "1.001193", version: 1)
            #expect(current?.version == 2 && current?.name == "Thủ tục đăng ký khai sinh")
            #expect(first?.name == "Đăng ký khai sinh")
            let count = try await repo.procedureCount()
            #expect(count == 1)

            let found = try await repo.procedures(ProcedureFilter(query: "dang ky KHAI sinh"))
            #expect(found.map(\.code) == ["1.001193"])
            let byAgency = try await repo.procedures(ProcedureFilter(agency: "H13.41"))
            #expect(byAgency.count == 1)
            let none = try await repo.procedures(ProcedureFilter(query: "100%_"))
            #expect(none.isEmpty)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func calendarSchedulesAreStoredAndUsed(kind: DatabaseKind) async throws {
        try await TestDatabases.with(kind) { db, _ in
            let repo = CalendarRepository(database: db)
            let s = OfficialSchedule(year: 2031, source: "thử nghiệm", daysOff: [DatedReason(date: CivilDate(iso: "2031-03-03")!, reason: "Nghỉ thử")], workingDays: [])
            try await repo.save(s, now: Date())
            try await repo.save(s, now: Date())
            let schedules = try await repo.schedules()
            #expect(schedules == [s])
            let cal = try await repo.workingCalendar()
            #expect(!cal.isWorking(CivilDate(iso: "2031-03-03")!))
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func bundledDemoDataLoads(kind: DatabaseKind) async throws {
        try await TestDatabases.with(kind) { db, _ in
            let seeded = try await DemoSeeder.seedIfEmpty(db, now: Date(), logger: TestDatabases.logger, hashPassword: { "test:" + $0 })
            #expect(seeded)
            let again = try await DemoSeeder.seedIfEmpty(db, now: Date(), logger: TestDatabases.logger, hashPassword: { "test:" + $0 })
            #expect(!again)
            let repo = CatalogRepository(database: db)
            let count = try await repo.procedureCount()
            #expect(count >= 40)
            let birth = try await repo.procedure(code: "1.001193")
            let criminal = try await repo.procedure(code: "2.000488")
            #expect(birth != nil && criminal != nil)
            let fields = try await repo.fields()
            #expect(fields.count >= 10)
            let agencies = try await repo.agencies()
            let today = CivilDate(iso: "2026-11-23")!
            #expect(agencies.filter { $0.kind == .commune && $0.existed(from: today, to: today) && $0.code.hasPrefix("H13") }.count >= 10)
            let staff = try await StaffRepository(database: db).list()
            #expect(staff.count == DemoSeeder.demoStaff.count)
            // The demo history went through the workflow: counters rebuilt from the dossiers equal
            // the incremental ones, and the audit chains verify.
            let indicators = IndicatorService(database: db)
            let now = Date()
            let closed = try await indicators.dayClose.closeDays(now: now)
            let stored = try await indicators.indicators.snapshot()
            let read = try await indicators.rebuild.run(from: nil, now: now, progress: { _, _ in })
            let rebuilt = try await indicators.indicators.snapshot()
            #expect(!closed.isEmpty && read > 50 && !stored.daily.isEmpty && !stored.openDays.isEmpty)
            #expect(rebuilt == stored)
            if rebuilt != stored {
                for (k, v) in stored.daily where rebuilt.daily[k] != v { Issue.record("daily \(k): incremental \(v), rebuilt \(rebuilt.daily[k] ?? 0)") }
                for (k, v) in rebuilt.daily where stored.daily[k] == nil { Issue.record("daily \(k): only rebuilt \(v)") }
                for (k, v) in stored.openDays where rebuilt.openDays[k] != v { Issue.record("open \(k): incremental \(v), rebuilt \(rebuilt.openDays[k] ?? "-")") }
                for (k, v) in rebuilt.openDays where stored.openDays[k] == nil { Issue.record("open \(k): only rebuilt \(v)") }
            }
            let audit = try await AuditLog.verify(db)
            guard case .intact(let entries, _) = audit else { Issue.record("audit: \(audit)"); return }
            #expect(entries > 100)
            // --reset recreates everything, even with staff and dossiers referencing the agencies.
            try await DemoSeeder.reset(db, now: Date(), logger: TestDatabases.logger, hashPassword: { "test:" + $0 })
            let staffAfterReset = try await StaffRepository(database: db).list()
            #expect(staffAfterReset.count == DemoSeeder.demoStaff.count)
            let schedules = try await CalendarRepository(database: db).schedules()
            #expect(schedules.map(\.year) == Array(2020...2026))
        }
    }
}
