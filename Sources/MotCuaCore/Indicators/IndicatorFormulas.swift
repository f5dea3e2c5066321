import Foundation

/// Every Decision 766 indicator from the inputs of one scope and period (pure). Populations, as
/// this platform counts them (each fixed by the events up to the period's end):
/// - 1.1, 1.2: procedures in scope published in the period; 1.3, 3.1, 3.5: procedures in scope.
/// - 1.4: no integration with the national portal yet: "chưa có dữ liệu".
/// - 2.1: dossiers whose processing ended in the period plus those open at its end (domain §7).
/// - 2.2: ended in the period, average working days (not scored).
/// - 3.2: procedures offered online; numerator those that received an online dossier in the period.
/// - 3.3: received in the period; numerator the online ones counted on the day they qualify.
/// - 3.6: fees paid in the period; 4.1, 4.2: results returned in the period; 4.4: of the digitised.
/// - 4.3, 4.5: received in the period. 5.x: feedback submitted in the period; 5.4 over 2.1's.
extension Indicators {
    public static func report(_ i: IndicatorInputs, catalog: IndicatorCatalog = .decision766) -> IndicatorReport {
        let c = i.counters
        var values: [IndicatorValue] = []
        func add(_ id: String, _ numerator: Int, _ denominator: Int, noData: Bool = false) {
            guard let d = catalog.definition(id) else { return }
            values.append(IndicatorValue(d, numerator: numerator, denominator: denominator, noData: noData))
        }
        // 1. Transparency.
        let published = i.procedures.filter(\.publishedInPeriod)
        let judged11 = published.compactMap(\.publishedOnTime), judged12 = published.compactMap(\.updatedOnTime)
        add("1.1", judged11.filter { $0 }.count, judged11.count, noData: !published.isEmpty && judged11.isEmpty)
        add("1.2", judged12.filter { $0 }.count, judged12.count, noData: !published.isEmpty && judged12.isEmpty)
        add("1.3", i.procedures.filter(\.complete).count, i.procedures.count)
        if let sync = i.portalSync {
            let larger = max(c[.received], sync.portalCount)
            add("1.4", sync.synced, larger > 0 ? larger : sync.lastYearTotal)
        } else {
            add("1.4", 0, 0, noData: true)
        }
        // 2. Progress.
        let population = c.ended + i.open.total
        let onTime = c[.endedEarly] + c[.endedOnTime] + i.open.onTime
        add("2.1", onTime, population)
        if let d = catalog.definition("2.2") {
            var v = IndicatorValue(d, numerator: c[.endedSeconds] / 3600, denominator: c.ended)
            v.unit = "ngày"
            v.rate = c.ended > 0 ? hundredths(ProcedureTime(procedureCode: "", ended: c.ended, seconds: c[.endedSeconds]).averageDaysHundredths ?? 0) : "N/A"
            var perProcedure: [String: Int] = [:]
            for t in i.procedureTimes { if let a = t.averageDaysHundredths { perProcedure[t.procedureCode] = a } }
            v.breakdown = perProcedure.isEmpty ? nil : perProcedure
            values.append(v)
        }
        // 3. Online service.
        let offered = i.procedures.filter { $0.onlineType != .none }
        add("3.1", offered.count, i.procedures.count)
        add("3.2", offered.filter { i.proceduresWithOnlineDossiers.contains($0.code) }.count, offered.count)
        add("3.3", c[.onlineCounted], c[.received])
        add("3.4", 0, 0, noData: true)
        let feeBearing = i.procedures.filter(\.feeBearing)
        add("3.5", i.onlinePayment ? feeBearing.filter { $0.onlineType != .none }.count : 0, feeBearing.count)
        add("3.6", c[.feePaidOnline], c[.feePaid])
        // 4. Digitisation.
        add("4.1", c[.returnedElectronicResult], c[.returnedPaperResult])
        add("4.2", c[.returnedDigitised], c[.returned])
        add("4.3", c[.receivedReused], c[.received])
        add("4.4", c[.returnedShared], c[.returnedDigitised])
        add("4.5", c[.receivedPopulationData], c[.receivedForCitizens])
        // 5. Satisfaction.
        let end = i.periodEnd
        let feedback = i.feedback.filter { $0.submittedAt <= end }
        if let d = catalog.definition("5.1") {
            var v = IndicatorValue(d, numerator: feedback.count, denominator: 0)
            v.unit = "phản ánh"
            v.rate = "\(feedback.count)"
            v.status = "ok"
            var byCategory: [String: Int] = [:]
            for f in feedback { byCategory[f.category.rawValue, default: 0] += 1 }
            v.breakdown = byCategory
            values.append(v)
        }
        let answeredBy = { (f: FeedbackFact) in f.answeredAt.map { $0 <= end } ?? false }
        let judged = feedback.filter { $0.dueAt <= end || answeredBy($0) }
        add("5.2", judged.filter { answeredBy($0) && ($0.answeredAt ?? end) <= $0.dueAt }.count, judged.count)
        let overdue = feedback.filter { f in f.dueAt <= end && !(answeredBy(f) && (f.answeredAt ?? end) <= f.dueAt) }.count
        let disliked = feedback.filter { $0.disliked == true }.count
        add("5.3", max(0, feedback.count - disliked - overdue), feedback.count)
        let complaints = feedback.filter(\.aboutDossier).count
        let late = c[.endedLate] + i.open.late
        add("5.4", max(0, population - late - c[.ratedDissatisfied] - complaints), population)
        return score(values, catalog: catalog)
    }

    /// Groups, total and grade of the values.
    static func score(_ values: [IndicatorValue], catalog: IndicatorCatalog) -> IndicatorReport {
        var groups: [GroupScore] = []
        var sum = 0, scoredMax = 0
        for g in catalog.groups {
            let scored = values.filter { $0.group == g.number && $0.pointsHundredths != nil }
            let points = scored.reduce(0) { $0 + ($1.pointsHundredths ?? 0) }, maxPoints = scored.reduce(0) { $0 + $1.maxPoints }
            groups.append(GroupScore(number: g.number, name: g.name, maxPoints: g.maxPoints, scoredMax: maxPoints, points: hundredths(points)))
            sum += points
            scoredMax += maxPoints
        }
        let total = scoredMax > 0 ? (sum * 100 + scoredMax / 2) / scoredMax : nil
        return IndicatorReport(indicators: values, groups: groups, points: hundredths(sum), scoredMax: scoredMax,
                               total: total.map(hundredths) ?? "N/A", grade: total.map { catalog.grade(totalHundredths: $0) } ?? "")
    }
}
