import Foundation
import MotCuaCore
import Testing

/// The workflow rules with real cases: a criminal-record certificate in Cần Thơ, a birth
/// registration in phường Tân An with a liên thông step at the police.
struct WorkflowTests {
    static let deadlines = DeadlineCalculator(calendar: WorkingCalendar(years: 2025...2027))
    static let steps = [
        WorkflowStep(name: "Tiếp nhận hồ sơ", role: .reception, hours: 4, agency: nil),
        WorkflowStep(name: "Thẩm định", role: .specialist, hours: 60, agency: nil),
        WorkflowStep(name: "Phê duyệt", role: .departmentLeader, hours: 8, agency: nil),
        WorkflowStep(name: "Trả kết quả", role: .reception, hours: 8, agency: nil),
    ]
    static let components = ["Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "Bản sao Căn cước", "Giấy tờ chứng minh nơi cư trú"]
    static let context = WorkflowContext(steps: steps, limit: TimeLimit(amount: 10, unit: .workingDays), deadlines: deadlines, components: components)
    static func missing(_ i: Int) -> DossierAction { .requestSupplement(SupplementRequest(components: [components[i]])) }
    static let reception = Actor(username: "tiepnhan", role: .reception, agencyCode: "H13.01")
    static let specialist = Actor(username: "chuyenvien", role: .specialist, agencyCode: "H13.01")
    static let leader = Actor(username: "truongphong", role: .departmentLeader, agencyCode: "H13.01")
    static let otherAgency = Actor(username: "khac", role: .specialist, agencyCode: "H13.02")

    static func vn(_ s: String) -> Date { ISO8601DateFormatter().date(from: s + "+07:00")! }

    static func newDossier(at: String = "2026-03-02T08:00:00") -> DossierState {
        let request = IntakeRequest(procedureCode: "2.000488", caseCode: nil, channel: .counter,
                                    applicant: Applicant(kind: .person, name: "Nguyễn Văn An", idNumber: "092095001234"),
                                    documents: [], note: nil, receive: true)
        var p = try! JSONDecoder().decode(Procedure.self, from: Data(CatalogTests.birth.utf8))
        p.code = "2.000488"
        return Intake.newDossier(code: "H13.01-260302-0001", agency: "H13.01", request: request, procedure: p, now: vn(at))
    }

    func run(_ s: DossierState, _ a: DossierAction, _ actor: Actor, _ at: String) throws -> (DossierState, Transition) {
        try Workflow.apply(s, a, actor: actor, now: Self.vn(at), context: Self.context).get()
    }

    @Test func normalPathIsOnTimeAndEveryStepIsRecorded() throws {
        var (s, t) = try run(Self.newDossier(), .receive, Self.reception, "2026-03-02T08:00:00")
        #expect(s.status == .processing && s.dueAt == Self.vn("2026-03-16T08:00:00"))
        #expect(t.effects.contains(.received))
        (s, t) = try run(s, .transfer(note: "Chuyển phòng chuyên môn"), Self.reception, "2026-03-02T09:00:00")
        #expect(t.stepName == "Tiếp nhận hồ sơ" && t.stepTimeliness == .onTime)
        (s, t) = try run(s, .transfer(note: nil), Self.specialist, "2026-03-09T10:00:00")
        (s, t) = try run(s, .approve(note: "Đồng ý"), Self.leader, "2026-03-10T10:00:00")
        // Entering the final reception step ends processing (status 9).
        #expect(s.status == .finished && s.timeliness == .early)
        #expect(t.effects.contains(.processingEnded(.early)))
        // No return without a result; the leader whose step produces it records it.
        let early = Workflow.apply(s, .returnResult, actor: Self.reception, now: Self.vn("2026-03-11T08:00:00"), context: Self.context)
        guard case .failure(let missing) = early else { Issue.record("returned without a result"); return }
        #expect(missing.code == .resultMissing)
        #expect(!Workflow.allowedActions(s, actor: Self.specialist, context: Self.context).contains("record-result"))
        (s, t) = try run(s, .recordResult(electronic: false, file: "tep-1"), Self.leader, "2026-03-10T11:00:00")
        #expect(s.resultElectronic && s.version == 5)
        (s, t) = try run(s, .returnResult, Self.reception, "2026-03-11T08:00:00")
        #expect(s.status == .returned && s.status.portalCode == 10)
        #expect(s.version == 6)
        #expect(Workflow.allowedActions(s, actor: Self.reception, context: Self.context).isEmpty)
    }

    @Test func actionsBelongToRolesAndAgencies() throws {
        let (s, _) = try run(Self.newDossier(), .receive, Self.reception, "2026-03-02T08:00:00")
        // The reception step is completed by reception, not by a specialist.
        let r = Workflow.apply(s, .transfer(note: nil), actor: Self.specialist, now: Self.vn("2026-03-02T09:00:00"), context: Self.context)
        guard case .failure(let e) = r else { Issue.record("specialist completed the reception step"); return }
        #expect(e.code == .wrongRole)
        #expect(e.allowed == ["request-supplement"])
        // Nobody may approve while the dossier is at the reception step.
        let r1 = Workflow.apply(s, .approve(note: nil), actor: Self.leader, now: Self.vn("2026-03-02T09:00:00"), context: Self.context)
        guard case .failure(let e1) = r1 else { Issue.record("approved at the reception step"); return }
        #expect(e1.code == .notAllowed && e1.allowed.contains("stop"))
        let r2 = Workflow.apply(s, .transfer(note: nil), actor: Self.otherAgency, now: Self.vn("2026-03-02T09:00:00"), context: Self.context)
        guard case .failure(let e2) = r2 else { Issue.record("another agency acted"); return }
        #expect(e2.code == .wrongAgency && e2.allowed.isEmpty)
    }

    @Test func supplementOnlyOnceAndTheClockStops() throws {
        var (s, _) = try run(Self.newDossier(), .receive, Self.reception, "2026-03-02T08:00:00")
        (s, _) = try run(s, Self.missing(1), Self.reception, "2026-03-02T10:00:00")
        #expect(s.status == .supplementRequested && s.status.portalCode == 5)
        // Two full working days later (4/3 10:00) the applicant brings the paper: due moves by 16 h.
        (s, _) = try run(s, .supplementProvided, Self.reception, "2026-03-04T10:00:00")
        #expect(s.status == .processing)
        #expect(s.dueAt == Self.vn("2026-03-18T08:00:00"))
        let again = Workflow.apply(s, Self.missing(2), actor: Self.reception, now: Self.vn("2026-03-05T10:00:00"), context: Self.context)
        guard case .failure(let e) = again else { Issue.record("second supplement accepted"); return }
        #expect(e.code == .supplementOnce)
    }

    @Test func lateDossierNeedsAnApologyBeforeReturn() throws {
        var (s, _) = try run(Self.newDossier(), .receive, Self.reception, "2026-03-02T08:00:00")
        (s, _) = try run(s, .transfer(note: nil), Self.reception, "2026-03-02T09:00:00")
        (s, _) = try run(s, .transfer(note: nil), Self.specialist, "2026-03-16T10:00:00")
        (s, _) = try run(s, .approve(note: nil), Self.leader, "2026-03-17T10:00:00")
        #expect(s.timeliness == .late)
        (s, _) = try run(s, .recordResult(electronic: false, file: nil), Self.leader, "2026-03-17T10:30:00")
        let r = Workflow.apply(s, .returnResult, actor: Self.reception, now: Self.vn("2026-03-17T11:00:00"), context: Self.context)
        guard case .failure(let e) = r else { Issue.record("late dossier returned without apology"); return }
        #expect(e.code == .apologyRequired && e.allowed.contains("apologize"))
        // Offered actions (with the clock) leave out a return that would be refused.
        #expect(!Workflow.allowedActions(s, actor: Self.reception, context: Self.context, now: Self.vn("2026-03-17T11:00:00")).contains("return"))
        var t: Transition
        (s, t) = try run(s, .apologize(newDue: Self.vn("2026-03-18T16:00:00"), reason: "Cần xác minh thêm tại địa phương"), Self.leader, "2026-03-17T11:00:00")
        #expect(t.note?.contains("tính là trễ") == true)
        #expect(t.effects.contains { if case .notifyApplicant(let form, _) = $0 { form == "04" } else { false } })
        #expect(Workflow.allowedActions(s, actor: Self.reception, context: Self.context, now: Self.vn("2026-03-18T09:00:00")).contains("return"))
        (s, _) = try run(s, .returnResult, Self.reception, "2026-03-18T09:00:00")
        #expect(s.status == .returned && s.timeliness == .late)
    }

    @Test func lienThongStepIsHandledByTheOtherAgency() throws {
        let steps = [WorkflowStep(name: "Tiếp nhận", role: .reception, hours: 2, agency: nil),
                     WorkflowStep(name: "Đăng ký thường trú", role: .specialist, hours: 4, agency: "H13.08"),
                     WorkflowStep(name: "Ký", role: .agencyLeader, hours: 2, agency: nil)]
        let context = WorkflowContext(steps: steps, limit: TimeLimit(amount: 1, unit: .workingDays), deadlines: Self.deadlines)
        let police = Actor(username: "congan", role: .specialist, agencyCode: "H13.08")
        let leader = Actor(username: "chutich", role: .agencyLeader, agencyCode: "H13.01")
        var s = try Workflow.apply(Self.newDossier(), .receive, actor: Self.reception, now: Self.vn("2026-03-02T08:00:00"), context: context).get().0
        s = try Workflow.apply(s, .transfer(note: nil), actor: Self.reception, now: Self.vn("2026-03-02T09:00:00"), context: context).get().0
        #expect(s.handlingAgency == "H13.08")
        #expect(s.stepDueAt == Self.vn("2026-03-02T15:00:00"))
        #expect(Workflow.allowedActions(s, actor: Self.specialist, context: context).contains("transfer") == false)
        var t: Transition
        (s, t) = try Workflow.apply(s, .transfer(note: "Đã đăng ký thường trú"), actor: police, now: Self.vn("2026-03-02T15:30:00"), context: context).get()
        #expect(t.stepTimeliness == .late && t.agencyCode == "H13.08")
        #expect(s.handlingAgency == "H13.01")
        (s, _) = try Workflow.apply(s, .approve(note: nil), actor: leader, now: Self.vn("2026-03-02T16:00:00"), context: context).get()
        #expect(s.status == .finished && s.timeliness == .early)
    }

    @Test func withdrawStopRefuseAndFees() throws {
        let (received, _) = try run(Self.newDossier(), .receive, Self.reception, "2026-03-02T08:00:00")
        let (withdrawn, w) = try run(received, .withdraw(reason: "Công dân xin rút"), Self.reception, "2026-03-03T08:00:00")
        #expect(withdrawn.status == .withdrawn && w.effects.contains(.processingEnded(.early)))
        let (stopped, _) = try run(received, .stop(reason: "Không thuộc thẩm quyền"), Self.leader, "2026-03-03T08:00:00")
        #expect(stopped.status == .stopped && stopped.status.portalCode == 8)
        let (refused, r) = try run(Self.newDossier(), .refuse(reason: "Không thuộc thẩm quyền giải quyết"), Self.reception, "2026-03-02T08:00:00")
        #expect(refused.status == .refused && r.effects.contains(.processingEnded(nil)))
        // The test case lists no fee: a fee needs its legal reason.
        let noReason = Workflow.apply(received, .requireFee(amount: 200_000, reason: nil), actor: Self.reception, now: Self.vn("2026-03-02T08:30:00"), context: Self.context)
        guard case .failure(let fe) = noReason else { Issue.record("fee without listed fee or reason"); return }
        #expect(fe.code == .feeReasonRequired)
        var feeContext = Self.context
        feeContext.listedFees = 200_000
        var (s, ft) = try Workflow.apply(received, .requireFee(amount: 200_000, reason: nil), actor: Self.reception, now: Self.vn("2026-03-02T08:30:00"), context: feeContext).get()
        #expect(ft.note == "200.000 đ")
        #expect(s.status == .feeDue && s.status.portalCode == 6)
        (s, _) = try run(s, .payFee, Self.reception, "2026-03-02T09:00:00")
        #expect(s.status == .processing && s.feePaid)
        let blank = Workflow.apply(received, .stop(reason: "  "), actor: Self.leader, now: Self.vn("2026-03-03T08:00:00"), context: Self.context)
        guard case .failure(let e) = blank else { Issue.record("stop without reason"); return }
        #expect(e.code == .reasonRequired)
    }

    @Test func intakeValidation() throws {
        let p = try JSONDecoder().decode(Procedure.self, from: Data(CatalogTests.birth.utf8))
        let ok = IntakeRequest(procedureCode: p.code, caseCode: "TH1", channel: .online,
                               applicant: Applicant(kind: .person, name: "Trần Thị Bình", idNumber: "092195004321", phone: "+84 912 345 678", email: "binh@example.vn"),
                               documents: [ReceivedDocument(component: "Tờ khai", form: .original, count: 1)], note: nil, receive: true)
        #expect(Intake.problems(ok, procedure: p).isEmpty)
        var bad = ok
        bad.applicant.idNumber = "12345"
        bad.applicant.email = "khong-phai-email"
        bad.channel = .postal
        bad.documents = [ReceivedDocument(component: "Sổ hộ khẩu", form: .photocopy, count: 1)]
        let fields = Intake.problems(bad, procedure: p).map(\.field)
        #expect(fields == ["applicant.idNumber", "applicant.email", "channel", "documents[0].component"])
        #expect(Intake.dossierCode(agency: "H13.43", date: CivilDate(iso: "2026-11-23")!, sequence: 7) == "H13.43-261123-0007")
        #expect(Intake.missingRequiredComponents(ok, procedure: p).isEmpty)
        var incomplete = ok
        incomplete.documents = []
        #expect(Intake.missingRequiredComponents(incomplete, procedure: p) == ["Tờ khai"])
    }

    @Test func lateAndDueSoonFlags() throws {
        let (s, _) = try run(Self.newDossier(), .receive, Self.reception, "2026-03-02T08:00:00")
        // Due 16/3 08:00 (10 working days).
        #expect(!s.isLate(at: Self.vn("2026-03-12T08:00:00")))
        #expect(!s.isDueSoon(at: Self.vn("2026-03-11T08:00:00"), deadlines: Self.deadlines, workingDays: 2))
        #expect(s.isDueSoon(at: Self.vn("2026-03-12T08:00:00"), deadlines: Self.deadlines, workingDays: 2))
        #expect(s.isLate(at: Self.vn("2026-03-16T08:00:01")))
        #expect(!s.isDueSoon(at: Self.vn("2026-03-16T08:00:01"), deadlines: Self.deadlines, workingDays: 2))
        // A dossier that is not received yet is neither.
        #expect(!Self.newDossier().isLate(at: Self.vn("2027-01-01T08:00:00")))
    }
}

/// Rules corrected against domain.md: guidance before receipt, apologies only when late, the
/// stopped clock while waiting for a supplement.
struct WorkflowRuleFixesTests {
    typealias W = WorkflowTests
    func run(_ s: DossierState, _ a: DossierAction, _ actor: Actor, _ at: String) throws -> (DossierState, Transition) {
        try Workflow.apply(s, a, actor: actor, now: W.vn(at), context: W.context).get()
    }

    /// An online dossier waiting in status 1 for reception.
    static func waiting() -> DossierState {
        var s = W.newDossier()
        s.channel = .online
        return s
    }

    @Test func guidanceBeforeReceiptDoesNotUseUpTheSupplement() throws {
        var (s, _) = try run(Self.waiting(), W.missing(0), W.reception, "2026-03-02T08:00:00")
        #expect(s.guidanceCount == 1 && s.supplementCount == 0)
        (s, _) = try run(s, .supplementProvided, W.reception, "2026-03-02T10:00:00")
        (s, _) = try run(s, .receive, W.reception, "2026-03-02T10:05:00")
        (s, _) = try run(s, .transfer(note: nil), W.reception, "2026-03-02T11:00:00")
        // The one supplement allowed during processing is still there.
        #expect(Workflow.allowedActions(s, actor: W.specialist, context: W.context).contains("request-supplement"))
        (s, _) = try run(s, W.missing(1), W.specialist, "2026-03-03T09:00:00")
        (s, _) = try run(s, .supplementProvided, W.reception, "2026-03-03T10:00:00")
        (s, _) = try run(s, .transfer(note: nil), W.specialist, "2026-03-04T09:00:00")
        (s, _) = try run(s, .approve(note: nil), W.leader, "2026-03-04T10:00:00")
        // One supplement during processing: not late by the "more than one" rule.
        #expect(s.timeliness == .early)
    }

    @Test func aResultFinishedOnTimeAndCollectedLateNeedsNoApology() throws {
        var (s, _) = try run(W.newDossier(), .receive, W.reception, "2026-03-02T08:00:00")
        (s, _) = try run(s, .transfer(note: nil), W.reception, "2026-03-02T09:00:00")
        (s, _) = try run(s, .transfer(note: nil), W.specialist, "2026-03-09T10:00:00")
        (s, _) = try run(s, .approve(note: nil), W.leader, "2026-03-10T10:00:00")
        #expect(s.status == .finished && s.timeliness == .early)
        (s, _) = try run(s, .recordResult(electronic: true, file: nil), W.leader, "2026-03-10T11:00:00")
        // Collected a month later, after the appointment: returned without an apology.
        (s, _) = try run(s, .returnResult, W.reception, "2026-04-15T09:00:00")
        #expect(s.status == .returned && s.apologyAt == nil && s.timeliness == .early)
    }

    @Test func waitingForASupplementIsNeverLateAndAWithdrawalThenCountsAtTheRequest() throws {
        var (s, _) = try run(W.newDossier(), .receive, W.reception, "2026-03-02T08:00:00")
        (s, _) = try run(s, .transfer(note: nil), W.reception, "2026-03-02T09:00:00")
        (s, _) = try run(s, W.missing(2), W.specialist, "2026-03-12T09:00:00")
        // Weeks later, past the appointment: the clock is stopped, so not late.
        #expect(!s.isLate(at: W.vn("2026-04-20T09:00:00")))
        var t: Transition
        (s, t) = try run(s, .withdraw(reason: "Công dân rút hồ sơ"), W.reception, "2026-04-20T09:00:00")
        // Timeliness is judged at the request (12/3, before the 16/3 appointment), not at the withdrawal.
        #expect(s.status == .withdrawn && (s.timeliness == .early || s.timeliness == .onTime))
        #expect(t.effects.contains { if case .notifyApplicant(let form, _) = $0 { form == "withdrawn" } else { false } })
    }
}

struct MoneyAndApologyTests {
    @Test func vietnameseMoney() {
        #expect(Money.vnd(15_000) == "15.000 đ" && Money.vnd(1_200_000) == "1.200.000 đ" && Money.vnd(500) == "500 đ" && Money.vnd(0) == "0 đ")
    }

    @Test func everyApologyIsKeptAndALateOneCountsAsMissing() throws {
        typealias W = WorkflowTests
        func run(_ s: DossierState, _ a: DossierAction, _ actor: Actor, _ at: String) throws -> DossierState {
            try Workflow.apply(s, a, actor: actor, now: W.vn(at), context: W.context).get().0
        }
        var s = try run(W.newDossier(), .receive, W.reception, "2026-03-02T08:00:00")
        s = try run(s, .transfer(note: nil), W.reception, "2026-03-02T09:00:00")
        // Due 16/3 08:00; apologised on 13/3, before the appointment: in time.
        s = try run(s, .apologize(newDue: W.vn("2026-03-18T16:00:00"), reason: "Cần xác minh tại địa phương"), W.leader, "2026-03-13T10:00:00")
        // Still not done: a second apology after the first new appointment is kept too.
        s = try run(s, .apologize(newDue: W.vn("2026-03-25T16:00:00"), reason: "Chờ kết quả xác minh"), W.leader, "2026-03-19T10:00:00")
        #expect(s.apologies?.count == 2 && s.apologies?.map(\.late) == [false, true])
        #expect(s.apologisedInTime(at: W.vn("2026-03-19T11:00:00")) == true)
        // Another dossier apologised for only after its appointment: counts as missing.
        var t = try run(W.newDossier(), .receive, W.reception, "2026-03-02T08:00:00")
        t = try run(t, .transfer(note: nil), W.reception, "2026-03-02T09:00:00")
        t = try run(t, .apologize(newDue: W.vn("2026-03-20T16:00:00"), reason: "Trễ"), W.leader, "2026-03-17T10:00:00")
        #expect(t.apologies?.first?.late == true && t.apologisedInTime(at: W.vn("2026-03-17T11:00:00")) == false)
        #expect(W.newDossier().apologisedInTime(at: W.vn("2026-03-03T08:00:00")) == nil)
    }
}

struct SupplementRequestTests {
    typealias W = WorkflowTests

    @Test func aSupplementNamesPublishedComponentsAndAnythingElseNeedsItsLegalBasis() throws {
        let (received, _) = try Workflow.apply(W.newDossier(), .receive, actor: W.reception, now: W.vn("2026-03-02T08:00:00"), context: W.context).get()
        func ask(_ r: SupplementRequest) -> Result<(DossierState, Transition), WorkflowRejection> {
            Workflow.apply(received, .requestSupplement(r), actor: W.reception, now: W.vn("2026-03-02T09:00:00"), context: W.context)
        }
        for bad in [SupplementRequest(components: []), SupplementRequest(components: ["Sổ hộ khẩu"]),
                    SupplementRequest(components: [], other: "Giấy xác nhận tình trạng hôn nhân")] {
            guard case .failure(let e) = ask(bad) else { Issue.record("accepted \(bad)"); continue }
            #expect(e.code.isInputProblem)
        }
        let ok = SupplementRequest(components: ["Bản sao Căn cước"], other: "Giấy xác nhận tình trạng hôn nhân",
                                   legalBasis: "Điều 18 Nghị định 123/2015/NĐ-CP", note: "Nộp tại Bộ phận Một cửa")
        let (s, t) = try ask(ok).get()
        #expect(s.supplementRequests?.last?.request == ok && s.supplementRequests?.last?.beforeReceipt == false)
        #expect(t.note == "Bản sao Căn cước; Giấy xác nhận tình trạng hôn nhân (căn cứ: Điều 18 Nghị định 123/2015/NĐ-CP). Nộp tại Bộ phận Một cửa")
    }
}
