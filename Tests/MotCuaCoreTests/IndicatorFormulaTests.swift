import Foundation
import MotCuaCore
import Testing

/// Decision 766 formulas with the cases a monitor at phường Ninh Kiều checks by hand.
struct IndicatorFormulaTests {
    static func day(_ d: Int) -> CivilDate { CivilDate(year: 2026, month: 3, day: d)! }
    static func at(_ d: Int, _ hour: Int) -> Date { DeadlineCalculator.startOfDay(day(d)).addingTimeInterval(TimeInterval(hour * 3600)) }

    @Test func ratesAndPointsAreIntegerHundredths() {
        #expect(Indicators.rate(1, 3) == "33.33" && Indicators.rate(0, 0) == "N/A" && Indicators.rate(2, 2) == "100.00")
        // 3.3: 45% online against a 50% threshold earns 45 × 6 ÷ 50 = 5.40 points; 60% earns all 6.
        #expect(Indicators.points(45, 100, maxPoints: 6, threshold: 50) == 540)
        #expect(Indicators.points(60, 100, maxPoints: 6, threshold: 50) == 600)
        #expect(Indicators.points(1, 0, maxPoints: 6, threshold: 50) == 0)
        let c = IndicatorCatalog.decision766
        #expect(c.grade(totalHundredths: 9000) == "Tốt" && c.grade(totalHundredths: 8999) == "Khá" && c.grade(totalHundredths: 4999) == "Yếu")
        #expect(c.groups.map(\.maxPoints).reduce(0, +) == 100)
        for g in c.groups { #expect(c.definitions.filter { $0.group == g.number }.map(\.maxPoints).reduce(0, +) == g.maxPoints, "group \(g.number)") }
    }

    @Test func emptyPeriodIsNotApplicableAndMissingDataIsSaid() {
        let r = Indicators.report(IndicatorInputs(counters: CounterSums(), open: OpenCounts(), periodEnd: Self.at(31, 17)))
        #expect(r.indicators.count == 21)
        #expect(r.value("2.1")?.status == "na" && r.value("2.1")?.rate == "N/A" && r.value("2.1")?.points == nil)
        #expect(r.value("1.4")?.status == "no_data" && r.value("3.4")?.status == "no_data")
        #expect(r.total == "N/A" && r.grade == "" && r.scoredMax == 0)
    }

    @Test func onTimeOnlineAndSatisfactionScore() {
        var c = CounterSums()
        c[.endedEarly] = 3
        c[.endedOnTime] = 5
        c[.endedLate] = 2
        c[.received] = 10
        c[.onlineCounted] = 6
        c[.ratedDissatisfied] = 1
        let complaint = FeedbackFact(category: .lateness, submittedAt: Self.at(10, 9), dueAt: Self.at(31, 9), answeredAt: Self.at(12, 9), aboutDossier: true)
        let r = Indicators.report(IndicatorInputs(counters: c, open: OpenCounts(onTime: 1, late: 1), feedback: [complaint], periodEnd: Self.at(31, 17)))
        // 2.1: (3 + 5 + 1) ÷ (10 + 2) = 75.00% → 15.00 of 20 points.
        #expect(r.value("2.1")?.numerator == 9 && r.value("2.1")?.denominator == 12 && r.value("2.1")?.rate == "75.00" && r.value("2.1")?.points == "15.00")
        #expect(r.value("3.3")?.rate == "60.00" && r.value("3.3")?.points == "6.00")
        // 5.4: 100% − late 3/12 − (1 dissatisfied + 1 complaint)/12 = 7/12 = 58.33% → 58.33 × 10 ÷ 90 = 6.48.
        #expect(r.value("5.4")?.numerator == 7 && r.value("5.4")?.rate == "58.33" && r.value("5.4")?.points == "6.48")
        #expect(r.value("5.1")?.breakdown == ["lateness": 1] && r.value("5.2")?.rate == "100.00")
        #expect(r.scoredMax > 0 && r.total != "N/A" && !r.grade.isEmpty)
    }

    @Test func feedbackIsJudgedAsOfThePeriodEnd() {
        // Due on 20/3, answered on 2/4: at the end of March it is overdue, and stays so.
        let f = FeedbackFact(category: .papers, submittedAt: Self.at(10, 9), dueAt: Self.at(20, 17), answeredAt: DeadlineCalculator.startOfDay(CivilDate(year: 2026, month: 4, day: 2)!).addingTimeInterval(9 * 3600),
                             aboutDossier: false)
        let r = Indicators.report(IndicatorInputs(counters: CounterSums(), open: OpenCounts(), feedback: [f], periodEnd: Self.at(31, 17)))
        #expect(r.value("5.2")?.numerator == 0 && r.value("5.2")?.denominator == 1)
        #expect(r.value("5.3")?.numerator == 0 && r.value("5.3")?.denominator == 1)
    }

    @Test func openSetIsClassifiedWithTheStateItHadAtEachDaysEnd() {
        // Received 2/3 at 08:00, due 4/3 17:00; a supplement asked on 4/3 at 09:00 (waiting: the
        // request instant is its end, on time), supplied on 9/3 with the appointment moved to 11/3.
        let due = Int(Self.at(4, 17).timeIntervalSince1970), asked = Int(Self.at(4, 9).timeIntervalSince1970)
        let received = Int(Self.at(2, 8).timeIntervalSince1970)
        let events: [(at: Int, hot: IndicatorHotState)] = [
            (received, IndicatorHotState(dueAt: due, supplementCount: 0, waitingSince: nil)),
            (asked, IndicatorHotState(dueAt: due, supplementCount: 1, waitingSince: asked)),
            (Int(Self.at(9, 10).timeIntervalSince1970), IndicatorHotState(dueAt: Int(Self.at(11, 17).timeIntervalSince1970), supplementCount: 1, waitingSince: nil)),
        ]
        var h = OpenSetHistory(firstDay: Self.day(1), lastDay: Self.day(12))
        let key = CounterKey(agencyCode: "H13.41", procedureCode: "1.001193", channel: "counter")
        h.add(key: key, receivedAt: received, endedAt: nil, events: events)
        func counts(_ d: Int) -> OpenCounts? { h.days[OpenSetHistory.DayKey(day: Self.day(d), key: key)] }
        #expect(counts(1) == nil)
        #expect(counts(2) == OpenCounts(onTime: 1, late: 0) && counts(4) == OpenCounts(onTime: 1, late: 0))
        #expect(counts(8) == OpenCounts(onTime: 1, late: 0) && counts(10) == OpenCounts(onTime: 1, late: 0))
        #expect(counts(12) == OpenCounts(onTime: 0, late: 1))
        // A second supplement request makes it late whatever the dates.
        #expect(IndicatorHotState(dueAt: due, supplementCount: 2, waitingSince: nil).isLate(at: received))
    }

    @Test func aSplitUnitGoesToTheSuccessorThatTookItOver() {
        let from = CivilDate(year: 2004, month: 1, day: 1)!
        let agencies = [
            Agency(code: "H13", name: "Thành phố Cần Thơ", kind: .province, level: .province, parent: nil, validFrom: from),
            Agency(code: "H13.40", name: "Phường cũ", kind: .commune, level: .commune, parent: "H13", validFrom: from, validTo: CivilDate(year: 2025, month: 6, day: 30)!),
            Agency(code: "H13.41", name: "Phường Ninh Kiều", kind: .commune, level: .commune, parent: "H13", validFrom: CivilDate(year: 2025, month: 7, day: 1)!),
            Agency(code: "H13.42", name: "Phường Cái Khế", kind: .commune, level: .commune, parent: "H13", validFrom: CivilDate(year: 2025, month: 7, day: 1)!),
        ]
        let history = AgencyHistory(agencies: agencies, reorganisations: [
            Reorganisation(kind: .split, effective: CivilDate(year: 2025, month: 7, day: 1)!, from: ["H13.40"], to: ["H13.41", "H13.42"]),
        ])
        let a = CivilDate(year: 2025, month: 1, day: 1)!, b = CivilDate(year: 2025, month: 12, day: 31)!
        #expect(history.scope(of: "H13.41", from: a, to: b) == ["H13.41", "H13.40"])
        #expect(history.scope(of: "H13.42", from: a, to: b) == ["H13.42"])
        #expect(history.scope(of: "H13", from: a, to: b).isSuperset(of: ["H13.40", "H13.41", "H13.42"]))
    }
}
