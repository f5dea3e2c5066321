import Foundation
import MotCuaCore
import PropertyBased
import Testing

struct DeadlineTests {
    /// 2024 with its official changes (Tết 8–14/2, 29/4 swapped, Saturday 4/5 worked).
    static let schedule2024 = OfficialSchedule(
        year: 2024, source: "Thông báo 5015/TB-LĐTBXH; Công văn 2450/VPCP-KGVX",
        daysOff: ["2024-01-01", "2024-02-08", "2024-02-09", "2024-02-12", "2024-02-13", "2024-02-14", "2024-04-18",
                  "2024-04-29", "2024-04-30", "2024-05-01", "2024-09-02", "2024-09-03"].map { DatedReason(date: CivilDate(iso: $0)!, reason: "nghỉ") },
        workingDays: [DatedReason(date: CivilDate(iso: "2024-05-04")!, reason: "làm bù")])
    static let calc = DeadlineCalculator(calendar: WorkingCalendar(officialSchedules: [schedule2024], years: 2020...2035))

    /// An instant in Vietnam's time.
    static func vn(_ s: String) -> Date {
        let f = ISO8601DateFormatter()
        return f.date(from: s + "+07:00")!
    }

    func due(_ from: String, _ amount: Int, _ unit: TimeLimitUnit = .workingDays) -> Date {
        Self.calc.due(from: Self.vn(from), limit: TimeLimit(amount: amount, unit: unit))
    }

    @Test func birthRegistrationReceivedMorningIsDueNextMorning() {
        // 1 working day from Tuesday 09:00 → Wednesday 09:00.
        #expect(due("2026-03-10T09:00:00", 1) == Self.vn("2026-03-11T09:00:00"))
    }

    @Test func receiptAfterClosingStartsNextMorning() {
        // Friday 18:30 + 1 working day → Monday 17:00 (whole Monday counted).
        #expect(due("2026-03-13T18:30:00", 1) == Self.vn("2026-03-16T17:00:00"))
        // Received during lunch break: counts from 13:30.
        #expect(due("2026-03-10T12:00:00", 3, .workingHours) == Self.vn("2026-03-10T16:30:00"))
        // 4 hours from 12:00: 3.5 h in the afternoon, the last half hour the next morning.
        #expect(due("2026-03-10T12:00:00", 4, .workingHours) == Self.vn("2026-03-11T07:30:00"))
    }

    @Test func criminalRecordCertificateAcrossTet2024() {
        // Lý lịch tư pháp, 10 working days, received Monday 5/2/2024 10:00. Working days: 5, 6, 7/2,
        // (Tết 8–14/2 off), 15, 16, 19, 20, 21, 22, 23/2 → due Monday 26/2 10:00.
        #expect(due("2024-02-05T10:00:00", 10) == Self.vn("2024-02-26T10:00:00"))
    }

    @Test func makeUpSaturdayCountsAndSwappedDayDoesNot() {
        // Friday 26/4/2024 09:00 + 2 working days: 29/4, 30/4, 1/5 off; Saturday 4/5 worked →
        // 2/5 09:00 is 1 day, 3/5 09:00 is 2 days.
        #expect(due("2024-04-26T09:00:00", 2) == Self.vn("2024-05-03T09:00:00"))
        #expect(due("2024-04-26T09:00:00", 3) == Self.vn("2024-05-04T09:00:00"))
    }

    @Test func calendarDaysEndAtCloseMovedToWorkingDay() {
        // 5 calendar days from Tuesday 10/3/2026 → Sunday 15/3 → moved to Monday 16/3 17:00.
        #expect(due("2026-03-10T09:00:00", 5, .calendarDays) == Self.vn("2026-03-16T17:00:00"))
    }

    @Test func sameDayCutoff() {
        #expect(Self.calc.sameDayDue(receivedAt: Self.vn("2026-03-10T14:59:00")) == Self.vn("2026-03-10T17:00:00"))
        #expect(Self.calc.sameDayDue(receivedAt: Self.vn("2026-03-10T15:30:00")) == Self.vn("2026-03-11T17:00:00"))
        #expect(Self.calc.sameDayDue(receivedAt: Self.vn("2026-03-13T16:00:00")) == Self.vn("2026-03-16T17:00:00"))
    }

    @Test func classification() {
        let due = Self.vn("2026-03-16T10:00:00")
        #expect(DeadlineCalculator.classify(end: Self.vn("2026-03-13T16:00:00"), due: due) == .early)
        #expect(DeadlineCalculator.classify(end: Self.vn("2026-03-16T09:00:00"), due: due) == .onTime)
        #expect(DeadlineCalculator.classify(end: due, due: due) == .onTime)
        #expect(DeadlineCalculator.classify(end: Self.vn("2026-03-16T10:00:01"), due: due) == .late)
    }

    @Test func workingTimeBetweenInstantsSkipsNightsWeekendsAndLunch() {
        let s = Self.calc.workingSeconds(from: Self.vn("2026-03-13T16:00:00"), to: Self.vn("2026-03-16T08:00:00"))
        #expect(s == 2 * 3600)
        #expect(Self.calc.workingSeconds(from: Self.vn("2026-03-10T11:00:00"), to: Self.vn("2026-03-10T14:00:00")) == 3600)
        #expect(Self.calc.isDueSoon(due: Self.vn("2026-03-12T09:00:00"), now: Self.vn("2026-03-10T09:00:00"), workingDays: 2))
        #expect(!Self.calc.isDueSoon(due: Self.vn("2026-03-13T09:00:00"), now: Self.vn("2026-03-10T09:00:00"), workingDays: 2))
    }

    @Test func dueSoonLimitAgreesWithIsDueSoon() {
        // Around a weekend and the lunch break, every 7 minutes over 6 days, for 0…3 working days.
        for now in [Self.vn("2026-03-12T16:59:30"), Self.vn("2026-03-13T11:29:59"), Self.vn("2026-03-14T10:00:00")] {
            for days in 0...3 {
                let limit = Self.calc.dueSoonLimit(now: now, workingDays: days)
                var due = now.addingTimeInterval(-3600).timeIntervalSince1970.rounded(.down)
                while due < now.timeIntervalSince1970 + 6 * 86_400 {
                    let d = Date(timeIntervalSince1970: due)
                    #expect(Self.calc.isDueSoon(due: d, now: now, workingDays: days) == (d >= now && d < limit), "\(d) \(days)")
                    due += 420
                }
                #expect(Self.calc.isDueSoon(due: limit.addingTimeInterval(-1), now: now, workingDays: days) || limit.addingTimeInterval(-1) < now)
                #expect(!Self.calc.isDueSoon(due: limit, now: now, workingDays: days))
            }
        }
    }

    // MARK: Properties

    static let instants = Gen.int(in: 1_577_836_800...1_893_456_000) // 2020–2029
    static let hours = Gen.int(in: 0...400)

    @Test func dueLiesInsideOfficeHoursOfAWorkingDay() async {
        await propertyCheck(count: 2000, input: Self.instants, Self.hours) { start, h in
            guard h > 0 else { return }
            let due = Self.calc.addWorkingSeconds(h * 3600, to: start)
            let local = DeadlineCalculator.localDate(of: Date(timeIntervalSince1970: TimeInterval(due)))
            #expect(Self.calc.calendar.isWorking(local))
            let second = ((due + 7 * 3600) % 86400 + 86400) % 86400
            #expect(OfficeHours.standard.intervals.contains { second > $0.start && second <= $0.end })
        }
    }

    @Test func addingAThenBEqualsAddingASumB() async {
        await propertyCheck(count: 2000, input: Self.instants, Self.hours, Self.hours) { start, a, b in
            let once = Self.calc.addWorkingSeconds((a + b) * 1800, to: start)
            let twice = Self.calc.addWorkingSeconds(b * 1800, to: Self.calc.addWorkingSeconds(a * 1800, to: start))
            #expect(once == twice || a == 0 || b == 0)
        }
    }

    @Test func workingTimeFromStartToDueEqualsTheLimit() async {
        await propertyCheck(count: 2000, input: Self.instants, Self.hours) { start, h in
            let due = Self.calc.addWorkingSeconds(h * 3600, to: start)
            #expect(Self.calc.workingSeconds(from: start, to: due) == h * 3600)
        }
    }
}

struct OfficeHoursTests {
    @Test func agencyOfficeHoursChangeTheDueInstant() throws {
        let hours = try #require(OfficeHours.parse("07:30-11:30,13:00-17:00", cutoff: "16:00"))
        #expect(hours.secondsPerDay == 8 * 3600)
        let calc = DeadlineCalculator(calendar: WorkingCalendar(years: 2026...2026), hours: hours)
        // 4 working hours from 10:30: 1 h before lunch, 3 h from 13:00 → 16:00.
        let due = calc.due(from: DeadlineTests.vn("2026-03-10T10:30:00"), limit: TimeLimit(amount: 4, unit: .workingHours))
        #expect(due == DeadlineTests.vn("2026-03-10T16:00:00"))
        #expect(calc.sameDayDue(receivedAt: DeadlineTests.vn("2026-03-10T15:30:00")) == DeadlineTests.vn("2026-03-10T17:00:00"))
    }

    @Test func badOfficeHoursAreRejected() {
        #expect(OfficeHours.parse("13:30-17:00,07:00-11:30") == nil)
        #expect(OfficeHours.parse("07:00-25:00") == nil)
        #expect(OfficeHours.parse("07:00-11:30", cutoff: "18:00") == nil)
        let a = Agency(code: "X", name: "Thử", kind: .commune, level: .commune, parent: nil, validFrom: CivilDate(iso: "2025-07-01")!)
        var bad = a
        bad.officeHours = "sáng"
        #expect(CatalogValidation.problems(agencies: [bad], reorganisations: []).map(\.field) == ["officeHours"])
        #expect(CatalogValidation.problems(agencies: [a], reorganisations: []).isEmpty)
    }
}
