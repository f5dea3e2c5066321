import Foundation
import MotCuaCore
import Testing

/// The citizens' portal rules with real cases: Trần Thị Bình registers and submits a birth
/// registration (1.001193, toàn trình) online at phường Ninh Kiều; a criminal-record certificate
/// (2.000488) offered "một phần" lets her bring a paper later.
struct CitizenPortalRulesTests {
    static func registration(_ change: (inout CitizenRegistration) -> Void = { _ in }) -> CitizenRegistration {
        var r = CitizenRegistration(kind: .person, fullName: " Trần Thị Bình ", idNumber: "092195004321", email: " Binh@Example.VN ", phone: "+84 912 345 678",
                                    password: "mat-khau-rat-dai")
        change(&r)
        return CitizenRules.normalized(r)
    }

    static let account = CitizenAccount(id: "c1", kind: .person, fullName: "Trần Thị Bình", idNumber: "092195004321", email: "binh@example.vn",
                                        phone: nil, address: nil, emailVerified: true, eIdentification: nil, active: true)
    static let ninhKieu = Agency(code: "H13.41", name: "Ủy ban nhân dân phường Ninh Kiều", kind: .commune, level: .commune, parent: "H13",
                                 validFrom: CivilDate(year: 2025, month: 7, day: 1)!)
    static let soTuPhap = Agency(code: "H13.01", name: "Sở Tư pháp", kind: .department, level: .province, parent: "H13",
                                 validFrom: CivilDate(year: 2004, month: 1, day: 1)!)

    static func birth(components: [(String, Bool)] = [("Tờ khai đăng ký khai sinh", true), ("Giấy chứng sinh", true), ("Văn bản ủy quyền", false)],
                      online: OnlineType = .full) throws -> Procedure {
        var p = try JSONDecoder().decode(Procedure.self, from: Data(CatalogTests.birth.utf8))
        p.cases[0].components = components.map { Component(name: $0.0, template: nil, copies: 1, required: $0.1) }
        p.onlineType = online
        return p
    }

    @Test func aValidRegistrationIsNormalised() {
        let r = Self.registration()
        #expect(r.fullName == "Trần Thị Bình" && r.email == "binh@example.vn" && r.phone == "0912345678")
        #expect(CitizenRules.problems(r).isEmpty)
        #expect(CitizenRules.loginKey("+84 912.345.678") == "0912345678" && CitizenRules.loginKey(" Binh@Example.VN") == "binh@example.vn")
    }

    @Test func registrationProblemsAreCodes() {
        let codes = { (r: CitizenRegistration) in Set(CitizenRules.problems(r).map(\.code)) }
        #expect(codes(Self.registration { $0.idNumber = "099195004321" }) == ["invalid_citizen_id"])  // no province 099
        #expect(codes(Self.registration { $0.password = "123456789012" }) == ["password_only_digits"])
        #expect(codes(Self.registration { $0.password = "ngan" }) == ["password_too_short"])
        #expect(codes(Self.registration { $0.password = "toi-092195004321" }) == ["password_contains_id"])
        #expect(codes(Self.registration { $0.password = "binh-2026-abc" }) == ["password_contains_email"])
        #expect(codes(Self.registration { $0.email = nil; $0.phone = nil }) == ["email_or_phone_required"])
        #expect(codes(Self.registration { $0.email = "binh@" }) == ["invalid_email"])
        #expect(codes(Self.registration { $0.fullName = "Bình\u{202E}" }).contains("bidi_override"))
        #expect(codes(Self.registration { $0.kind = .organisation; $0.fullName = "Công ty TNHH Gạo Ngon"; $0.idNumber = "1801234567-001" }).isEmpty)
        #expect(codes(Self.registration { $0.kind = .organisation; $0.idNumber = "18012345" }) == ["invalid_tax_code"])
    }

    @Test func fullyOnlineNeedsEveryRequiredComponent() throws {
        let p = try Self.birth()
        let one = [SubmissionDocument(component: "Tờ khai đăng ký khai sinh", documentID: "d1", reused: false)]
        #expect(OnlineSubmission.isOffered(p))
        #expect(OnlineSubmission.missing(p, caseCode: "TH1", documents: one) == ["Giấy chứng sinh"])
        #expect(OnlineSubmission.problems(p, caseCode: "TH1", agency: Self.ninhKieu, documents: one, account: Self.account) == [.missingComponents])
        let both = one + [SubmissionDocument(component: "Giấy chứng sinh", documentID: "d2", reused: true)]
        #expect(OnlineSubmission.problems(p, caseCode: "TH1", agency: Self.ninhKieu, documents: both, account: Self.account).isEmpty)
        #expect(OnlineSubmission.mustBring(p, caseCode: "TH1", documents: one).isEmpty)
        // The intake request: online, waiting for reception, one electronic line per component.
        let r = OnlineSubmission.intakeRequest(p, caseCode: "TH1", applicant: Self.account.applicant, documents: both + [both[1]], note: nil)
        #expect(r.channel == .online && r.receive == false)
        #expect(r.documents.map(\.count) == [1, 2] && r.documents.allSatisfy { $0.form == .electronic })
    }

    @Test func partlyOnlineListsWhatMustBeBrought() throws {
        let p = try Self.birth(online: .partial)
        let one = [SubmissionDocument(component: "Tờ khai đăng ký khai sinh", documentID: "d1", reused: false)]
        #expect(OnlineSubmission.problems(p, caseCode: "TH1", agency: Self.ninhKieu, documents: one, account: Self.account).isEmpty)
        #expect(OnlineSubmission.mustBring(p, caseCode: "TH1", documents: one) == ["Giấy chứng sinh"])
    }

    @Test func submissionRefusals() throws {
        var p = try Self.birth()
        var unverified = Self.account
        unverified.emailVerified = false
        #expect(OnlineSubmission.problems(p, caseCode: "TH1", agency: Self.ninhKieu, documents: [], account: unverified).contains(.accountNotVerified))
        var eid = unverified
        eid.eIdentification = "2"
        #expect(eid.maySubmit)
        #expect(OnlineSubmission.problems(p, caseCode: "TH1", agency: Self.soTuPhap, documents: [], account: Self.account).contains(.agencyNotServing))
        #expect(OnlineSubmission.problems(p, caseCode: "TH9", agency: Self.ninhKieu, documents: [], account: Self.account) == [.unknownCase])
        let stray = [SubmissionDocument(component: "Sổ hộ khẩu", documentID: "d1", reused: false)]
        #expect(OnlineSubmission.problems(p, caseCode: "TH1", agency: Self.ninhKieu, documents: stray, account: Self.account).contains(.unknownComponent))
        p.onlineType = .none
        #expect(!OnlineSubmission.isOffered(p))
        #expect(OnlineSubmission.problems(p, caseCode: "TH1", agency: Self.ninhKieu, documents: [], account: Self.account) == [.notOffered])
    }

    @Test func trackingNeedsTheLastFourDigitsOrTheSecret() {
        #expect(TrackingCheck.matches("4321", idNumber: "092195004321", secret: nil))
        #expect(TrackingCheck.matches(" v8bcr9v3 ", idNumber: "092195004321", secret: "V8BCR9V3"))
        #expect(!TrackingCheck.matches("0000", idNumber: "092195004321", secret: "V8BCR9V3"))
        #expect(!TrackingCheck.matches("", idNumber: "092195004321", secret: nil))
        #expect(!TrackingCheck.matches("21", idNumber: "092195004321", secret: nil))
        let s = TrackingCheck.secret(from: Array(0..<8))
        #expect(s.count == 8 && s.allSatisfy { TrackingCheck.alphabet.contains($0) } && !s.contains("0") && !s.contains("O"))
    }

    static func onlineDossier(status: DossierStatus) throws -> DossierState {
        let p = try Self.birth()
        var s = Intake.newDossier(code: "H13.41-261203-0001", agency: "H13.41",
                                  request: OnlineSubmission.intakeRequest(p, caseCode: "TH1", applicant: Self.account.applicant, documents: [], note: nil),
                                  procedure: p, now: WorkflowTests.vn("2026-12-03T08:00:00"))
        s.status = status
        return s
    }

    @Test func theApplicantSupplementsOnlineAndTheClockResumes() throws {
        let context = WorkflowContext(steps: WorkflowTests.steps, limit: TimeLimit(amount: 1, unit: .workingDays), deadlines: WorkflowTests.deadlines,
                                      components: ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"])
        let reception = Actor(username: "tiepnhan.ninhkieu", role: .reception, agencyCode: "H13.41")
        var s = try Self.onlineDossier(status: .submitted)
        #expect(Workflow.applicantActions(s) == ["withdraw"])
        (s, _) = try Workflow.apply(s, .receive, actor: reception, now: WorkflowTests.vn("2026-12-03T09:00:00"), context: context).get()
        #expect(Workflow.applicantActions(s).isEmpty)
        let due = try #require(s.dueAt)
        (s, _) = try Workflow.apply(s, .requestSupplement(SupplementRequest(components: ["Giấy chứng sinh"])), actor: reception,
                                    now: WorkflowTests.vn("2026-12-03T10:00:00"), context: context).get()
        #expect(Workflow.applicantActions(s) == ["supplement-provided"])
        // Not the applicant's to act on anything else.
        guard case .failure(let refusal) = Workflow.applyByApplicant(s, .withdraw(reason: "Không cần nữa"), accountID: "c1",
                                                                     now: WorkflowTests.vn("2026-12-03T11:00:00"), context: context) else {
            Issue.record("a withdrawal while waiting for a supplement online is the desk's")
            return
        }
        #expect(refusal.allowed == ["supplement-provided"])
        let (after, t) = try Workflow.applyByApplicant(s, .supplementProvided, accountID: "c1", now: WorkflowTests.vn("2026-12-04T10:00:00"),
                                                       context: context).get()
        #expect(after.status == .processing && t.byApplicant == true && t.actor == "citizen:c1")
        // One working day paused (10:00 → 10:00 the next working day): the appointment moves by it.
        #expect(after.pausedSeconds == 8 * 3600)
        #expect(after.dueAt == WorkflowTests.vn("2026-12-07T09:00:00") && due == WorkflowTests.vn("2026-12-04T09:00:00"))
    }

    @Test func counterDossiersHaveNoApplicantActions() throws {
        var s = try Self.onlineDossier(status: .supplementRequested)
        s.channel = .counter
        #expect(Workflow.applicantActions(s).isEmpty)
    }

    @Test func notificationsAreVietnameseWithLinks() {
        let m = NotificationTemplates.render(form: "02", dossierCode: "H13.41-261203-0001", message: "Hồ sơ cần bổ sung: Giấy chứng sinh",
                                             baseURL: "https://dichvucong.cantho.gov.vn")
        #expect(m.subject == "Hồ sơ H13.41-261203-0001 cần bổ sung, hoàn thiện")
        #expect(m.body.contains("https://dichvucong.cantho.gov.vn/ho-so-cua-toi/H13.41-261203-0001") && m.body.contains("Mẫu 02"))
        #expect(m.body.contains("Giấy chứng sinh"))
        for form in ["submitted", "01", "03", "04", "05", "fee", "10", "withdrawn"] {
            #expect(NotificationTemplates.render(form: form, dossierCode: "X", message: "", baseURL: "http://h").subject.contains("X"))
        }
        let c = NotificationTemplates.accountConfirmation(name: "Trần Thị Bình", link: "http://h/xac-nhan-email?ma=abc")
        #expect(c.subject == "Xác nhận địa chỉ thư điện tử" && c.body.contains("http://h/xac-nhan-email?ma=abc"))
    }
}

/// The payment gateway's callback rules and the rating rule.
struct PaymentRulesTests {
    static let payment = PaymentRecord(reference: "TT1", dossierCode: "H13.41-261203-0001", amount: 8000, state: .pending, transactionID: nil)

    static func callback(amount: Int = 8000, status: String = "00", txn: String = "N1") -> PaymentCallback {
        PaymentCallback(reference: "TT1", amount: amount, status: status, transactionID: txn, paidAt: "20261203091500", signature: "abc")
    }

    @Test func callbacksAreDecidedBySignatureAmountAndState() {
        #expect(PaymentRules.signingInput(Self.callback().signedFields, secret: "s") == "TT1|8000|00|N1|20261203091500|s")
        #expect(PaymentRules.decide(Self.callback(), expectedSignature: "ABC", payment: Self.payment) == .success(.accept))
        #expect(PaymentRules.decide(Self.callback(), expectedSignature: "abd", payment: Self.payment) == .failure(.badSignature))
        #expect(PaymentRules.decide(Self.callback(), expectedSignature: "abc", payment: nil) == .failure(.unknownReference))
        #expect(PaymentRules.decide(Self.callback(amount: 7999), expectedSignature: "abc", payment: Self.payment) == .failure(.amountMismatch))
        #expect(PaymentRules.decide(Self.callback(status: "24"), expectedSignature: "abc", payment: Self.payment) == .success(.failed))
        var paid = Self.payment
        paid.state = .paid
        paid.transactionID = "N1"
        #expect(PaymentRules.decide(Self.callback(), expectedSignature: "abc", payment: paid) == .success(.duplicate))
        #expect(PaymentRules.decide(Self.callback(txn: "N2"), expectedSignature: "abc", payment: paid) == .failure(.conflictingTransaction))
        #expect(PaymentRules.receiptNumber(year: 2026, sequence: 12) == "BL2026-000012")
    }

    @Test func paymentBeforeReceiptKeepsTheStatusAndAFeeDueResumes() throws {
        let context = WorkflowContext(steps: WorkflowTests.steps, limit: TimeLimit(amount: 1, unit: .workingDays), deadlines: WorkflowTests.deadlines,
                                      listedFees: 8000, components: [])
        var s = try CitizenPortalRulesTests.onlineDossier(status: .submitted)
        s.feeAmount = 8000
        let (paid, t) = try Workflow.recordOnlinePayment(s, accountID: "c1", receipt: "BL2026-000001", now: WorkflowTests.vn("2026-12-03T09:00:00"),
                                                         context: context).get()
        #expect(paid.status == .submitted && paid.feePaid && paid.feePaidOnline == true && t.byApplicant == true && t.note?.contains("8.000 đ") == true)
        #expect(!PaymentRules.payable(paid))
        guard case .failure = Workflow.recordOnlinePayment(paid, accountID: "c1", receipt: "x", now: WorkflowTests.vn("2026-12-03T09:01:00"), context: context) else {
            Issue.record("a paid dossier cannot be paid again")
            return
        }
        var due = s
        due.status = .feeDue
        due.resumeStatus = .processing
        #expect(try Workflow.recordOnlinePayment(due, accountID: "c1", receipt: "y", now: WorkflowTests.vn("2026-12-03T09:00:00"), context: context).get().0.status == .processing)
    }

    @Test func oneCompleteRatingAfterTheResult() throws {
        var s = try CitizenPortalRulesTests.onlineDossier(status: .processing)
        let all = Dictionary(uniqueKeysWithValues: Rating.questions.map { ($0.key, Rating.Level.satisfied) })
        #expect(Rating.problem(Rating(answers: all, comment: nil), dossier: s, alreadyRated: false) == "not_returned")
        s.status = .returned
        #expect(Rating.problem(Rating(answers: all, comment: nil), dossier: s, alreadyRated: false) == nil)
        #expect(Rating.problem(Rating(answers: ["overall": .satisfied], comment: nil), dossier: s, alreadyRated: false) == "answers_incomplete")
        #expect(Rating.problem(Rating(answers: all, comment: nil), dossier: s, alreadyRated: true) == "already_rated")
        #expect(Rating(answers: all.merging(["overall": .dissatisfied]) { $1 }, comment: nil).overall == .dissatisfied)
    }
}

/// The rules of feedback (phản ánh, kiến nghị).
struct FeedbackRulesTests {
    @Test func submissionRulesAndDeadline() throws {
        let f = FeedbackRules.normalized(FeedbackSubmission(name: " Lê Văn Tám ", email: "", phone: "0912 345 678", agencyCode: "H13.41", dossierCode: " ",
                                                            category: .lateness, content: "  Hồ sơ khai sinh của con tôi trễ hẹn 3 ngày.  "))
        #expect(f.email == nil && f.dossierCode == nil && f.name == "Lê Văn Tám" && FeedbackRules.problems(f).isEmpty)
        var short = f
        short.content = "Chậm"
        short.phone = nil
        #expect(Set(FeedbackRules.problems(short).map(\.code)) == ["content_too_short", "email_or_phone_required"])
        let d = WorkflowTests.deadlines
        let due = FeedbackRules.answerDue(submittedAt: WorkflowTests.vn("2026-12-03T09:00:00"), workingDays: 15, deadlines: d)
        #expect(due == WorkflowTests.vn("2026-12-24T09:00:00"))
        #expect(!FeedbackRules.isLate(due: due, answeredAt: nil, now: WorkflowTests.vn("2026-12-24T09:00:00")))
        #expect(FeedbackRules.isLate(due: due, answeredAt: nil, now: WorkflowTests.vn("2026-12-24T09:00:01")))
        #expect(FeedbackRules.reference(date: CivilDate(year: 2026, month: 12, day: 3)!, sequence: 7) == "PAKN-261203-0007")
    }
}
