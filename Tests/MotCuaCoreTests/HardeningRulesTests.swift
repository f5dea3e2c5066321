import Foundation
import MotCuaCore
import Testing

/// The pure rules behind the hardening: text normalisation and limits, the login throttle, the
/// access policy, the liên thông partner's rights, files, and which agencies serve a procedure.
struct HardeningRulesTests {
    // MARK: Text

    @Test func textIsNormalisedToNFCAndControlAndBidiCharactersAreRefused() {
        let nfd = "Nguye\u{0302}\u{0303}n Va\u{0306}n An"
        #expect(nfd != "Nguyễn Văn An" || nfd.unicodeScalars.count != "Nguyễn Văn An".unicodeScalars.count)
        #expect(TextRules.normalized(nfd).unicodeScalars.elementsEqual("Nguyễn Văn An".unicodeScalars))
        #expect(TextRules.problem("Nguyễn\u{0000}An", maxLength: 200) == .controlCharacter)
        #expect(TextRules.problem("Trần\u{202E}nA", maxLength: 200) == .bidiOverride)
        #expect(TextRules.problem("Lê\u{2066}x", maxLength: 200) == .bidiOverride)
        #expect(TextRules.problem("dòng 1\ndòng 2", maxLength: 200) == .controlCharacter)
        #expect(TextRules.problem("dòng 1\ndòng 2", maxLength: 200, multiline: true) == nil)
        #expect(TextRules.problem(String(repeating: "ư", count: 201), maxLength: 200) == .tooLong)
        #expect(TextRules.problem(String(repeating: "ư", count: 200), maxLength: 200) == nil)
    }

    @Test func intakeRefusesOverlongTextsAndTooManyDocuments() throws {
        let p = try JSONDecoder().decode(Procedure.self, from: Data(CatalogTests.birth.utf8))
        var r = IntakeRequest(procedureCode: p.code, caseCode: nil, channel: .counter,
                              applicant: Applicant(kind: .person, name: String(repeating: "A", count: 201), idNumber: "092095001234",
                                                   address: String(repeating: "đ", count: 501)),
                              documents: [], note: "ghi chú\u{0007}", receive: true)
        r.documents = Array(repeating: ReceivedDocument(component: "x", form: .original, count: 1), count: 101)
        let fields = Set(Intake.problems(r, procedure: p).map(\.field))
        #expect(fields.isSuperset(of: ["applicant.name", "applicant.address", "note", "documents"]))
        let n = Intake.normalized(IntakeRequest(procedureCode: p.code, caseCode: nil, channel: .counter,
                                                applicant: Applicant(kind: .person, name: "  Nguye\u{0302}\u{0303}n Thị Bình ", idNumber: "092095001234"),
                                                documents: [], note: nil, receive: true))
        #expect(n.applicant.name.unicodeScalars.elementsEqual("Nguyễn Thị Bình".unicodeScalars))
        #expect(Intake.isCitizenID("000095001234") == false && Intake.isCitizenID("097095001234") == false && Intake.isCitizenID("092095001234"))
    }

    // MARK: Login throttle

    static let t0 = Date(timeIntervalSince1970: 1_780_000_000)

    @Test func delaysGrowAndAnOfficerCannotBeLockedOutFromElsewhere() {
        var t = LoginThrottle()
        // The officer logs in from the office.
        #expect(t.check(username: "tiepnhan.ninhkieu", address: "10.0.0.5", now: Self.t0) == .allowed)
        t.recordSuccess(username: "tiepnhan.ninhkieu", address: "10.0.0.5")
        // An attacker guesses from outside: free tries, then growing waits.
        var now = Self.t0
        for _ in 0..<5 { #expect(t.check(username: "tiepnhan.ninhkieu", address: "203.0.113.9", now: now) == .allowed)
            t.recordFailure(username: "tiepnhan.ninhkieu", address: "203.0.113.9", now: now) }
        #expect(t.check(username: "tiepnhan.ninhkieu", address: "203.0.113.9", now: now) == .wait(seconds: 2))
        now += 2
        t.recordFailure(username: "tiepnhan.ninhkieu", address: "203.0.113.9", now: now)
        #expect(t.check(username: "tiepnhan.ninhkieu", address: "203.0.113.9", now: now) == .wait(seconds: 4))
        // Another address (a rotated X-Forwarded-For would look like this) is slowed too: the
        // per-username counter does not depend on the client.
        #expect(t.check(username: "tiepnhan.ninhkieu", address: "198.51.100.1", now: now) == .wait(seconds: 4))
        // The officer's usual address is not.
        #expect(t.check(username: "tiepnhan.ninhkieu", address: "10.0.0.5", now: now) == .allowed)
        // Delays are capped at 15 minutes and forgotten after the window.
        #expect(LoginThrottle.delay(failures: 40, free: 5, max: 900) == 900)
        #expect(t.check(username: "tiepnhan.ninhkieu", address: "203.0.113.9", now: now + 901) == .allowed)
    }

    @Test func parallelGuessesCannotAllPassTheCheck() {
        var t = LoginThrottle()
        // Ten guesses in flight at once (none has finished its bcrypt yet): the sixth waits.
        let decisions = (0..<10).map { i in t.attempt(username: "giamdoc.sotuphap", address: "203.0.113.\(i)", now: Self.t0) }
        #expect(decisions.prefix(5).allSatisfy { $0 == .allowed } && decisions.dropFirst(5).allSatisfy { $0 != .allowed })
        // A success takes back the failure its attempt presumed.
        var u = LoginThrottle()
        for _ in 0..<20 {
            #expect(u.attempt(username: "tiepnhan.ninhkieu", address: "10.0.0.5", now: Self.t0) == .allowed)
            u.recordSuccess(username: "tiepnhan.ninhkieu", address: "10.0.0.5")
        }
    }

    @Test func oneAddressTryingManyUsernamesIsSlowedAndTheTablesStayBounded() {
        var t = LoginThrottle()
        t.capacity = 100
        for i in 0..<20 { t.recordFailure(username: "u\(i)", address: "203.0.113.9", now: Self.t0) }
        #expect(t.check(username: "u999", address: "203.0.113.9", now: Self.t0) == .wait(seconds: 2))
        for i in 0..<5_000 { t.recordFailure(username: "flood\(i)", address: "198.51.100.\(i % 250)", now: Self.t0 + Double(i)) }
        #expect(t.size <= 400)
    }

    // MARK: Access

    @Test func accessPolicyByRoleAndAgency() {
        let parents = ["H13.01": "H13", "H13.05": "H13", "H13.41": "H13", "H13.41.1": "H13.41"]
        let belowCity = AccessPolicy.agencies(below: "H13", parents: parents)
        #expect(belowCity == ["H13.01", "H13.05", "H13.41", "H13.41.1"])
        let cityMonitor = Actor(username: "theodoi.tinh", role: .monitor, agencyCode: "H13")
        let deptMonitor = Actor(username: "theodoi.sonoivu", role: .monitor, agencyCode: "H13.05")
        let admin = Actor(username: "quantri", role: .admin, agencyCode: "H13")
        let ward = Actor(username: "chuyenvien.ninhkieu", role: .specialist, agencyCode: "H13.41")
        let police = Actor(username: "chuyenvien.congan", role: .specialist, agencyCode: "H13.08")
        #expect(AccessPolicy.canSee(dossierAgency: "H13.41", handlingAgency: "H13.41", actor: cityMonitor, below: belowCity))
        #expect(!AccessPolicy.canSee(dossierAgency: "H13.41", handlingAgency: "H13.41", actor: deptMonitor, below: []))
        #expect(!AccessPolicy.canSee(dossierAgency: "H13", handlingAgency: "H13", actor: admin, below: belowCity))
        #expect(AccessPolicy.canSee(dossierAgency: "H13.41", handlingAgency: "H13.08", actor: police, below: []))
        #expect(!AccessPolicy.canSee(dossierAgency: "H13.41", handlingAgency: "H13.12", actor: police, below: []))
        #expect(AccessPolicy.canAttachFile(dossierAgency: "H13.41", handlingAgency: "H13.41", actor: ward))
        #expect(!AccessPolicy.canAttachFile(dossierAgency: "H13.41", handlingAgency: "H13.41", actor: cityMonitor))
        #expect(!AccessPolicy.canAttachFile(dossierAgency: "H13", handlingAgency: "H13", actor: admin))
        #expect(AccessPolicy.canReadIndicators(scope: "H13.41", actor: cityMonitor, below: belowCity))
        #expect(!AccessPolicy.canReadIndicators(scope: "H13.41", actor: deptMonitor, below: []))
        #expect(AccessPolicy.canReadIndicators(scope: "H13.41", actor: ward, below: []))
        #expect(!AccessPolicy.canReadIndicators(scope: "H13", actor: ward, below: []))
        #expect(!AccessPolicy.canReadIndicators(scope: "H13", actor: admin, below: belowCity))
        #expect(AccessPolicy.canOpenDossiers(Actor(username: "t", role: .reception, agencyCode: "H13.41")) && !AccessPolicy.canOpenDossiers(ward))
    }

    @Test func aLienThongPartnerOnlyCompletesOrSendsBackItsOwnStep() throws {
        let steps = [WorkflowStep(name: "Tiếp nhận", role: .reception, hours: 2, agency: nil),
                     WorkflowStep(name: "Thẩm định", role: .specialist, hours: 2, agency: nil),
                     WorkflowStep(name: "Đăng ký thường trú", role: .specialist, hours: 4, agency: "H13.08"),
                     WorkflowStep(name: "Ký", role: .agencyLeader, hours: 2, agency: nil)]
        let context = WorkflowContext(steps: steps, limit: TimeLimit(amount: 1, unit: .workingDays), deadlines: WorkflowTests.deadlines)
        let police = Actor(username: "congan", role: .specialist, agencyCode: "H13.08")
        let policeLeader = Actor(username: "giamdoc.congan", role: .agencyLeader, agencyCode: "H13.08")
        var s = try Workflow.apply(WorkflowTests.newDossier(), .receive, actor: WorkflowTests.reception, now: WorkflowTests.vn("2026-03-02T08:00:00"), context: context).get().0
        s = try Workflow.apply(s, .transfer(note: nil), actor: WorkflowTests.reception, now: WorkflowTests.vn("2026-03-02T08:30:00"), context: context).get().0
        s = try Workflow.apply(s, .transfer(note: nil), actor: WorkflowTests.specialist, now: WorkflowTests.vn("2026-03-02T09:00:00"), context: context).get().0
        #expect(s.handlingAgency == "H13.08")
        #expect(Workflow.allowedActions(s, actor: police, context: context) == ["transfer", "send-back"])
        #expect(Workflow.allowedActions(s, actor: policeLeader, context: context).isEmpty)
        for action in [DossierAction.requestSupplement(SupplementRequest(components: ["x"])), .stop(reason: "x"), .recordResult(electronic: true, file: nil),
                       .apologize(newDue: WorkflowTests.vn("2026-03-09T08:00:00"), reason: "x")] {
            let r = Workflow.apply(s, action, actor: action.name == "stop" || action.name == "apologize" ? policeLeader : police,
                                   now: WorkflowTests.vn("2026-03-02T10:00:00"), context: context)
            guard case .failure = r else { Issue.record("the partner could \(action.name)"); continue }
        }
        // The receiving unit keeps its rights (a supplement request, a stop) while the step is away.
        #expect(Workflow.allowedActions(s, actor: WorkflowTests.reception, context: context).contains("request-supplement"))
        s = try Workflow.apply(s, .transfer(note: nil), actor: police, now: WorkflowTests.vn("2026-03-02T11:00:00"), context: context).get().0
        #expect(Workflow.allowedActions(s, actor: police, context: context).isEmpty)
    }

    // MARK: Files and agencies

    @Test func filesMustBeWhatTheySayAndXMLMustNotCarryPages() {
        #expect(FileRules.problem(Data("%PDF-1.4 x".utf8), type: "application/pdf") == nil)
        #expect(FileRules.problem(Data("<html>".utf8), type: "application/pdf") == .contentMismatch)
        #expect(FileRules.problem(Data("%PDF-1.4".utf8), type: "text/html") == .unsupportedType)
        #expect(FileRules.problem(Data(), type: "application/pdf") == .empty)
        #expect(FileRules.problem(Data("<?xml version=\"1.0\"?><hoSo><ten>An</ten></hoSo>".utf8), type: "application/xml") == nil)
        #expect(FileRules.problem(Data("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".utf8), type: "application/xml") == .activeContent)
        #expect(FileRules.problem(Data("<x:a xmlns:x=\"http://www.w3.org/1999/xhtml\"/>".utf8), type: "text/xml") == .activeContent)
    }

    @Test func aProvinceDepartmentCannotOpenACommuneProcedure() throws {
        let birth = try JSONDecoder().decode(Procedure.self, from: Data(CatalogTests.birth.utf8))
        func agency(_ code: String, _ kind: AgencyKind, _ level: AdministrativeLevel) -> Agency {
            Agency(code: code, name: code, shortName: nil, kind: kind, level: level, parent: "H13", validFrom: CivilDate(iso: "2025-07-01")!, validTo: nil)
        }
        #expect(birth.level == .commune)
        #expect(Intake.isServed(by: agency("H13.41", .commune, .commune), procedure: birth))
        #expect(!Intake.isServed(by: agency("H13.01", .department, .province), procedure: birth))
        #expect(!Intake.isServed(by: agency("H13", .province, .province), procedure: birth))
    }
}
