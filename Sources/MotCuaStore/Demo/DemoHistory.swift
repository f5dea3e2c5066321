import Foundation
import MotCuaCore

/// Some history for the demo province: dossiers received over the last weeks at phường Ninh Kiều
/// and the Sở Tư pháp, driven through the real workflow with a simulated clock — mostly on time,
/// some late (with an apology), a few supplements, withdrawals and refusals, and the most recent
/// ones still open. Deterministic (a fixed pseudo-random sequence), so every demo looks the same
/// relative to its start.
enum DemoHistory {
    /// A small deterministic generator (64-bit LCG).
    struct Dice {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
    }

    static let plan: [(agency: String, procedures: [String])] = [
        ("H13.41", ["1.001193", "1.000894", "1.000656", "2.000635", "1.001022"]),
        ("H13.01", ["2.000488"]),
    ]

    static func generate(_ database: Database, now: Date, calendar: WorkingCalendar) async throws {
        let deadlines = DeadlineCalculator(calendar: calendar)
        let catalog = CatalogRepository(database: database)
        let staff = try await StaffRepository(database: database).list()
        let repo = DossierRepository(database: database)
        var dice = Dice(state: 20_251_123)
        let names = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Thị Dung", "Huỳnh Văn Em", "Võ Thị Giang", "Đặng Minh Hải",
                     "Bùi Thị Hoa", "Đỗ Quang Khải", "Ngô Thị Lan", "Dương Văn Long", "Lý Thị Mai", "Trương Công Nghĩa", "Phan Thị Oanh"]
        func actor(_ role: StaffRole, _ agency: String) -> StaffMember? {
            staff.first { $0.agencyCode == agency && $0.role == role }
                ?? (role == .departmentLeader ? staff.first { $0.agencyCode == agency && $0.role == .agencyLeader } : nil)
        }
        for (agency, codes) in plan {
            guard let reception = actor(.reception, agency) else { continue }
            var procedures: [Procedure] = []
            for c in codes { if let p = try await catalog.procedure(code: c) { procedures.append(p) } }
            guard !procedures.isEmpty else { continue }
            // Receipts on working days over the last 30 working days, 3 a day on average.
            var day = DeadlineCalculator.localDate(of: now).julianDay - 45
            let today = DeadlineCalculator.localDate(of: now).julianDay
            while day < today {
                defer { day += 1 }
                guard calendar.isWorking(julianDay: day) else { continue }
                for _ in 0..<(1 + dice.next(4)) {
                    let p = procedures[dice.next(procedures.count)]
                    let c = p.cases[0]
                    let channel: Channel = p.channels.contains { $0.channel == .online } && dice.next(10) < 4 ? .online : .counter
                    let second = 7 * 3600 + 1800 + dice.next(8 * 3600)
                    var clock = Date(timeIntervalSince1970: TimeInterval((day - CivilDate.unixEpochJDN) * 86400 + second - DeadlineCalculator.utcOffset))
                    guard clock < now, let context = WorkflowContext(procedure: p, caseCode: c.code, channel: channel, deadlines: deadlines) else { continue }
                    let request = IntakeRequest(
                        procedureCode: p.code, caseCode: c.code, channel: channel,
                        applicant: Applicant(kind: .person, name: names[dice.next(names.count)], idNumber: "0920\(80 + dice.next(19))00\(1000 + dice.next(8999))",
                                             address: "Phường Ninh Kiều, thành phố Cần Thơ", phone: "09\(10_000_000 + dice.next(89_999_999))",
                                             email: channel == .online ? "congdan\(dice.next(999))@example.vn" : nil),
                        documents: c.components.filter(\.required).map { ReceivedDocument(component: $0.name, form: .original, count: max(1, $0.copies)) },
                        note: nil, receive: true)
                    let created = try await repo.intake(request, actor: reception, procedure: p, context: context, idempotencyKey: nil,
                                                        requestHash: "", now: clock) { $0.code }
                    guard var state = try await repo.state(code: created.body) else { continue }
                    let fate = dice.next(100)
                    // Advances the clock by a share of a working-hour budget (over 100% makes it late).
                    func spend(_ hours: Int, percent: Int) {
                        let t = deadlines.addWorkingSeconds(max(600, hours * 36 * percent), to: Int(clock.timeIntervalSince1970))
                        clock = Date(timeIntervalSince1970: TimeInterval(t))
                    }
                    func apply(_ action: DossierAction, _ who: StaffMember?) async throws -> Bool {
                        guard let who, clock < now else { return false }
                        guard let (next, _) = try? await repo.apply(code: state.code, action: action, expectedVersion: state.version, actor: who,
                                                                    now: clock, context: context) else { return false }
                        state = next
                        return true
                    }
                    if fate < 4 {
                        spend(2, percent: 50)
                        _ = try await apply(.withdraw(reason: "Công dân xin rút hồ sơ để bổ sung giấy tờ khác"), reception)
                        continue
                    }
                    if fate < 12 {
                        spend(1, percent: 80)
                        _ = try await apply(.requestSupplement(SupplementRequest(components: [c.components.last?.name ?? ""], note: "Bản sao có chứng thực")), reception)
                        spend(8, percent: 100 + dice.next(200))
                        guard try await apply(.supplementProvided, reception) else { continue }
                    }
                    let slow = fate > 88
                    var ok = true
                    while ok, state.status == .processing, state.stepIndex < context.steps.count {
                        let step = context.steps[state.stepIndex]
                        spend(step.hours, percent: slow ? 130 + dice.next(120) : 20 + dice.next(70))
                        let who = actor(step.role, state.handlingAgency)
                        switch step.role {
                        case .departmentLeader, .agencyLeader: ok = try await apply(.approve(note: "Đồng ý"), who)
                        case .clerk: ok = try await apply(.issue(number: "\(dice.next(900) + 100)/\(p.code)"), who)
                        default: ok = try await apply(.transfer(note: nil), who)
                        }
                    }
                    if state.status == .finished {
                        // The result step's owner records the result (the clerk's number counts too).
                        if !state.hasResult, let r = context.resultStepIndex {
                            _ = try await apply(.recordResult(electronic: dice.next(2) == 0, file: nil), actor(context.steps[r].role, agency))
                        }
                        spend(4, percent: 50)
                        if state.timeliness == .late || (state.dueAt.map { clock > $0 } ?? false) {
                            let leader = actor(.agencyLeader, agency)
                            _ = try await apply(.apologize(newDue: clock.addingTimeInterval(2 * 86400),
                                                           reason: "Hồ sơ cần xác minh thêm thông tin, xin lỗi ông/bà vì sự chậm trễ"), leader)
                        }
                        _ = try await apply(.returnResult, reception)
                    }
                }
            }
        }
    }
}
