/// The facts about one procedure in scope that the procedure-level indicators (1.1–1.3, 3.1, 3.2,
/// 3.5) need, taken from the catalog's version in force at the period end.
public struct ProcedureFacts: Hashable, Sendable {
    public var code: String
    public var name: String
    public var onlineType: OnlineType
    public var feeBearing: Bool
    public var complete: Bool
    /// Published in the period (1.1 and 1.2 count those), and on time for each (nil: the dates are
    /// not in the catalog, so it cannot be judged).
    public var publishedInPeriod: Bool
    public var publishedOnTime: Bool?
    public var updatedOnTime: Bool?

    public init(code: String, name: String, onlineType: OnlineType, feeBearing: Bool, complete: Bool, publishedInPeriod: Bool,
                publishedOnTime: Bool?, updatedOnTime: Bool?) {
        self.code = code
        self.name = name
        self.onlineType = onlineType
        self.feeBearing = feeBearing
        self.complete = complete
        self.publishedInPeriod = publishedInPeriod
        self.publishedOnTime = publishedOnTime
        self.updatedOnTime = updatedOnTime
    }
}

/// Procedure-level rules of Decision 766 (pure).
public enum ProcedureIndicators {
    /// The parts a published procedure must have (1.3): name, steps, channels, components with
    /// their counts, the time limit, the target group, the implementing agency, the result and
    /// the legal basis.
    public static func missingParts(_ p: Procedure) -> [String] {
        var out: [String] = []
        if p.name.trimmed.isEmpty { out.append("name") }
        if p.steps.isEmpty { out.append("steps") }
        if p.channels.isEmpty { out.append("channels") }
        if p.cases.isEmpty || p.cases.contains(where: { $0.components.isEmpty || $0.components.contains { $0.copies < 1 } }) { out.append("components") }
        if p.cases.contains(where: { !$0.noDueDate && $0.limits.isEmpty }) { out.append("time_limit") }
        if p.targetGroups.isEmpty { out.append("target_group") }
        if p.agencies.isEmpty && p.agencyKinds.isEmpty { out.append("agency") }
        if p.result.name.trimmed.isEmpty { out.append("result") }
        if p.legalBasis.isEmpty { out.append("legal_basis") }
        return out
    }

    /// 1.1: the decision is dated at least 20 (ministry) or 5 (province) working days before the
    /// legal basis takes effect. Nil when either date is missing.
    public static func publishedOnTime(_ pub: Publication, calendar: WorkingCalendar) -> Bool? {
        guard let date = pub.date, let effective = pub.legalEffectiveDate else { return nil }
        let needed = (pub.byMinistry ?? false) ? 20 : 5
        return date <= effective && calendar.workingDays(fromJulianDay: date.julianDay, to: effective.julianDay) >= needed
    }

    /// 1.2: on the national procedure database within 10 (ministry) or 5 (province) working days
    /// after the decision. Nil when either date is missing.
    public static func updatedOnTime(_ pub: Publication, calendar: WorkingCalendar) -> Bool? {
        guard let date = pub.date, let national = pub.nationalDatabaseDate else { return nil }
        let allowed = (pub.byMinistry ?? false) ? 10 : 5
        return national >= date && calendar.workingDays(fromJulianDay: date.julianDay + 1, to: national.julianDay + 1) <= allowed
    }

    /// The facts of `p` for a period [from, to].
    public static func facts(_ p: Procedure, from: CivilDate, to: CivilDate, calendar: WorkingCalendar) -> ProcedureFacts {
        let pub = p.publication ?? Publication(decision: nil, date: nil)
        let inPeriod = pub.date.map { $0 >= from && $0 <= to } ?? false
        return ProcedureFacts(code: p.code, name: p.name, onlineType: p.onlineType,
                              feeBearing: Channel.allCases.contains { p.totalFees(for: $0) > 0 }, complete: missingParts(p).isEmpty,
                              publishedInPeriod: inPeriod, publishedOnTime: publishedOnTime(pub, calendar: calendar),
                              updatedOnTime: updatedOnTime(pub, calendar: calendar))
    }
}
