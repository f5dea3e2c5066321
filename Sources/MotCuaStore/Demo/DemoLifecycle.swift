import Foundation
import MotCuaCore

/// One generated dossier's life, through the pure workflow rules with a simulated clock: intake at
/// the counter or online, then a fate drawn from the dice — withdrawn, refused, a supplement, a
/// slow (late, apologised-for) or a normal path through every step (liên thông steps at their
/// agencies), the result recorded and returned. Whatever would happen after `now` does not.
enum DemoLifecycle {
    static let names = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Thị Dung", "Huỳnh Văn Em", "Võ Thị Giang", "Đặng Minh Hải",
                        "Bùi Thị Hoa", "Đỗ Quang Khải", "Ngô Thị Lan", "Dương Văn Long", "Lý Thị Mai", "Trương Công Nghĩa", "Phan Thị Oanh"]

    static func run(code: String, agency: String, procedure p: Procedure, caseCode: String, channel: Channel, context: WorkflowContext,
                    deadlines: DeadlineCalculator, receivedAt: Date, now: Date, dice: inout DemoHistory.Dice) -> DemoBulk.Generated? {
        let components = p.cases.first { $0.code == caseCode }?.components ?? []
        let online = channel == .online
        let request = IntakeRequest(
            procedureCode: p.code, caseCode: caseCode, channel: channel,
            applicant: Applicant(kind: .person, name: names[dice.next(names.count)], idNumber: "0920\(80 + dice.next(19))00\(1000 + dice.next(8999))",
                                 address: nil, phone: "09\(10_000_000 + dice.next(89_999_999))",
                                 email: online ? "congdan\(dice.next(999))@example.vn" : nil),
            documents: components.filter(\.required).map { ReceivedDocument(component: $0.name, form: .original, count: max(1, $0.copies)) },
            note: nil, receive: true)
        var clock = receivedAt
        var state = Intake.newDossier(code: code, agency: agency, request: request, procedure: p, now: clock)
        let submission = Transition.submission(of: state, by: Actor(username: "congdan", role: .reception, agencyCode: agency), at: clock)
        var events: [(seq: Int, transition: Transition, hot: IndicatorHotState)] = []
        func actor(_ role: StaffRole, _ at: String) -> Actor { Actor(username: "demo.\(role.rawValue)", role: role, agencyCode: at) }
        @discardableResult
        func apply(_ action: DossierAction, _ role: StaffRole, at: String? = nil) -> Bool {
            guard clock < now, case .success(let (next, t)) = Workflow.apply(state, action, actor: actor(role, at ?? state.handlingAgency),
                                                                               now: clock, context: context) else { return false }
            state = next
            events.append((state.version, t, IndicatorHotState(state)))
            return true
        }
        func spend(_ hours: Int, percent: Int) {
            clock = Date(timeIntervalSince1970: TimeInterval(deadlines.addWorkingSeconds(max(600, hours * 36 * percent), to: Int(clock.timeIntervalSince1970))))
        }
        let fate = dice.next(100)
        if (4..<6).contains(fate) {
            // Refused at the counter instead of received (an online submission outside the agency's competence).
            guard apply(.refuse(reason: "Không thuộc thẩm quyền giải quyết"), .reception, at: agency) else { return nil }
            events.insert((0, submission, events[0].hot), at: 0)
            return DemoBulk.Generated(state: state, events: events)
        }
        guard apply(.receive, .reception, at: agency) else { return nil }
        events.insert((0, submission, events[0].hot), at: 0)
        if fate < 4 {
            spend(2, percent: 50)
            apply(.withdraw(reason: "Công dân xin rút hồ sơ"), .reception, at: agency)
            return DemoBulk.Generated(state: state, events: events)
        }
        if fate < 14 {
            spend(1, percent: 80)
            apply(.requestSupplement(SupplementRequest(components: [components.last?.name ?? "Giấy tờ"], note: "Bản sao có chứng thực")), .reception, at: agency)
            spend(8, percent: 100 + dice.next(300))
            guard apply(.supplementProvided, .reception, at: agency) else { return DemoBulk.Generated(state: state, events: events) }
        }
        let slow = fate >= 90
        var ok = true
        while ok, state.status == .processing, state.stepIndex < context.steps.count {
            let step = context.steps[state.stepIndex]
            spend(step.hours, percent: slow ? 130 + dice.next(150) : 20 + dice.next(70))
            switch step.role {
            case .departmentLeader, .agencyLeader: ok = apply(.approve(note: "Đồng ý"), step.role)
            case .clerk: ok = apply(.issue(number: "\(dice.next(900) + 100)/\(p.code)"), step.role)
            default: ok = apply(.transfer(note: nil), step.role)
            }
        }
        if state.status == .finished {
            if !state.hasResult, let r = context.resultStepIndex {
                apply(.recordResult(electronic: online || dice.next(3) == 0, file: nil), context.steps[r].role, at: agency)
            }
            spend(4, percent: 50)
            if state.timeliness == .late || (state.dueAt.map { clock > $0 } ?? false) {
                apply(.apologize(newDue: clock.addingTimeInterval(2 * 86400), reason: "Hồ sơ cần xác minh thêm, xin lỗi ông/bà vì sự chậm trễ"), .agencyLeader, at: agency)
            }
            apply(.returnResult, .reception, at: agency)
        }
        return DemoBulk.Generated(state: state, events: events)
    }
}
