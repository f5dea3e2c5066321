import Foundation
import MotCuaCore
import MotCuaStore
@testable import MotCuaWeb
import Testing

/// The desk's view models are pure: from states, a clock and an officer to what the page shows.
struct ViewModelTests {
    static let deadlines = DeadlineCalculator(calendar: WorkingCalendar(years: 2025...2027))
    static let steps = [WorkflowStep(name: "Tiếp nhận", role: .reception, hours: 4, agency: nil),
                        WorkflowStep(name: "Thẩm định", role: .specialist, hours: 28, agency: nil),
                        WorkflowStep(name: "Trả kết quả", role: .reception, hours: 8, agency: nil)]
    static let context = WorkflowContext(steps: steps, limit: TimeLimit(amount: 5, unit: .workingDays), deadlines: deadlines, components: ["Tờ khai"])
    static let reception = Actor(username: "tiepnhan", role: .reception, agencyCode: "H13.41")
    static let specialist = Actor(username: "chuyenvien", role: .specialist, agencyCode: "H13.41")
    static func vn(_ s: String) -> Date { ISO8601DateFormatter().date(from: s + "+07:00")! }

    /// The birth registration of the small test catalog.
    static func birth() throws -> Procedure {
        try JSONDecoder().decode(CatalogDocument.self, from: Data(TestApp.catalogJSON.utf8)).procedures[0]
    }

    static func dossier(_ n: Int, receivedAt: String) throws -> DossierState {
        let request = IntakeRequest(procedureCode: "1.001193", caseCode: nil, channel: .counter,
                                    applicant: Applicant(kind: .person, name: "Người \(n)", idNumber: "092095001234"), documents: [], note: nil, receive: true)
        let s = Intake.newDossier(code: "H13.41-260302-000\(n)", agency: "H13.41", request: request, procedure: try birth(), now: vn(receivedAt))
        return try Workflow.apply(s, .receive, actor: reception, now: vn(receivedAt), context: context).get().0
    }

    @Test func theInboxCountsWhatIsOpenAndPutsLateDossiersFirst() throws {
        let now = Self.vn("2026-03-10T09:00:00")
        let late = try Self.dossier(1, receivedAt: "2026-03-02T08:00:00")          // due 9/3: late on 10/3
        let soon = try Self.dossier(2, receivedAt: "2026-03-06T08:00:00")          // due 13/3
        var withdrawn = try Self.dossier(3, receivedAt: "2026-03-02T09:00:00")
        withdrawn = try Workflow.apply(withdrawn, .withdraw(reason: "Rút"), actor: Self.reception, now: Self.vn("2026-03-03T09:00:00"), context: Self.context).get().0
        let items = [soon, withdrawn, late].map { InboxPage.Item(state: $0, context: Self.context, procedureName: "Khai sinh") }
        let m = InboxPage.model(items, actor: Self.specialist, now: now, dueSoonDays: 3, status: nil, everything: true)
        #expect(m.counts.open == 2 && m.counts.late == 1 && m.counts.dueSoon == 1)
        #expect(m.rows.map(\.code) == [late.code, soon.code, withdrawn.code])
        #expect(m.rows.first?.late == true && m.rows.last?.dueSoon == false)
        // At the reception step, the dossiers wait on reception, not on the specialist.
        #expect(m.rows.allSatisfy { !$0.mine })
        #expect(InboxPage.model(items, actor: Self.reception, now: now, dueSoonDays: 3, status: nil, everything: true).rows.filter(\.mine).count == 2)
    }

    @Test func theDossierPageOffersOnlyWorkingActionsAndFormsOfEventsThatHappened() throws {
        let s = try Self.dossier(1, receivedAt: "2026-03-02T08:00:00")
        let procedure = try Self.birth()
        let input = DossierPage.Input(state: s, history: [Transition.submission(of: s, by: Self.reception, at: Self.vn("2026-03-02T08:00:00"))],
                                      procedure: procedure, context: Self.context, names: ["tiepnhan": "Võ Thị Mai"],
                                      agencyName: "Ủy ban nhân dân phường Ninh Kiều", handlingAgencyName: "Ủy ban nhân dân phường Ninh Kiều", resultFile: nil)
        let m = DossierPage.model(input, actor: Self.reception, now: Self.vn("2026-03-02T09:00:00"), dueSoonDays: 2)
        #expect(m.actions.map(\.name) == ["transfer", "request-supplement", "withdraw", "fee-due", "apologize"])
        #expect(m.actions.first { $0.name == "withdraw" }?.destructive == true && m.actions.first { $0.name == "request-supplement" }?.components.count == 1)
        // Only the control sheet: no receipt event in this history, no refusal, no apology.
        #expect(m.forms.map(\.number) == ["06"])
        #expect(m.history.first?.changed == false && m.d.fee == "Không")
    }
}
