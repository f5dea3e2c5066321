import Foundation

/// One indicator's value: numerator, denominator, the rate with two decimals ("N/A" for a zero
/// denominator) and its points. `status` says why there is no number: "na" (nothing to count in
/// the period) or "no_data" (the platform does not yet produce the data: chưa có dữ liệu).
public struct IndicatorValue: Hashable, Sendable, Codable {
    public var id: String
    public var name: String
    public var group: Int
    public var numerator: Int
    public var denominator: Int
    public var rate: String
    public var status: String
    /// Points with two decimals, nil when not scored (N/A, no data, or an indicator shown only).
    public var points: String?
    public var maxPoints: Int
    public var threshold: Int
    /// "%" for rates, "ngày" for 2.2's average time, "phản ánh" for 5.1's count.
    public var unit: String
    /// Counts by a sub-key (5.1 by category, 2.2 by procedure in hundredths of a day).
    public var breakdown: [String: Int]?
    var pointsHundredths: Int?

    public init(id: String, name: String, numerator: Int, denominator: Int) {
        self.init(IndicatorDefinition(id, name, group: 0, maxPoints: 0), numerator: numerator, denominator: denominator)
    }

    init(_ d: IndicatorDefinition, numerator: Int, denominator: Int, noData: Bool = false) {
        id = d.id
        name = d.name
        group = d.group
        self.numerator = numerator
        self.denominator = denominator
        maxPoints = d.maxPoints
        threshold = d.threshold
        unit = "%"
        rate = noData ? "N/A" : Indicators.rate(numerator, denominator)
        status = noData ? "no_data" : denominator > 0 ? "ok" : "na"
        if status == "ok", d.maxPoints > 0 {
            pointsHundredths = Indicators.points(numerator, denominator, maxPoints: d.maxPoints, threshold: d.threshold)
            points = Indicators.hundredths(pointsHundredths ?? 0)
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, name, group, numerator, denominator, rate, status, points, maxPoints, threshold, unit, breakdown
    }
}

/// A group's points: the sum over its scored indicators, out of the maximum of those that could
/// be scored (indicators without data or without dossiers are left out, not given zero).
public struct GroupScore: Hashable, Sendable, Codable {
    public var number: Int
    public var name: String
    public var maxPoints: Int
    public var scoredMax: Int
    public var points: String
}

/// Every indicator of a scope and period, the groups, the total out of 100 and the grade.
public struct IndicatorReport: Hashable, Sendable, Codable {
    public var indicators: [IndicatorValue]
    public var groups: [GroupScore]
    /// Points earned and the maximum of the indicators that could be scored.
    public var points: String
    public var scoredMax: Int
    /// `points` scaled to 100 over `scoredMax` ("N/A" when nothing could be scored), and its grade.
    public var total: String
    public var grade: String

    public func value(_ id: String) -> IndicatorValue? { indicators.first { $0.id == id } }
}

/// A dossier still being processed at the end of a period, in the state it had then.
public struct OpenDossier: Hashable, Sendable {
    public var dueAt: Date?
    public var supplementCount: Int
    /// Set while it waits for a supplement requested once.
    public var waitingSupplementSince: Date?

    public init(dueAt: Date?, supplementCount: Int, waitingSupplementSince: Date?) {
        self.dueAt = dueAt
        self.supplementCount = supplementCount
        self.waitingSupplementSince = waitingSupplementSince
    }
}

/// Decision 766 indicator formulas (pure).
public enum Indicators {
    /// `numerator / denominator` as a percentage with two decimals, "N/A" for a zero denominator.
    public static func rate(_ numerator: Int, _ denominator: Int) -> String {
        guard denominator > 0 else { return "N/A" }
        return hundredths((numerator * 10_000 + denominator / 2) / denominator)
    }

    /// A number of hundredths with two decimals ("-" sign kept).
    public static func hundredths(_ h: Int) -> String {
        let sign = h < 0 ? "-" : "", a = abs(h), frac = a % 100
        return "\(sign)\(a / 100).\(frac < 10 ? "0" : "")\(frac)"
    }

    /// Points in hundredths: full at or above the threshold, else rate × max ÷ threshold.
    public static func points(_ numerator: Int, _ denominator: Int, maxPoints: Int, threshold: Int) -> Int {
        guard denominator > 0, threshold > 0 else { return 0 }
        let scaled = (numerator * 10_000 * maxPoints * 100 / threshold + denominator * 50) / (denominator * 100)
        return min(maxPoints * 100, scaled)
    }

    /// Whether a dossier still open at `periodEnd` counts as on time for indicator 2.1: its end is the
    /// period end, or the supplement request instant while it waits for a supplement requested once;
    /// more than one supplement request is late whatever the dates; no appointment is on time.
    public static func isOnTime(_ d: OpenDossier, periodEnd: Date) -> Bool {
        if d.supplementCount > 1 { return false }
        guard let due = d.dueAt else { return true }
        let end = d.waitingSupplementSince ?? periodEnd
        return end <= due
    }

    /// The open set classified at `periodEnd`.
    public static func classify(_ open: [OpenDossier], periodEnd: Date) -> OpenCounts {
        var out = OpenCounts()
        for d in open { if isOnTime(d, periodEnd: periodEnd) { out.onTime += 1 } else { out.late += 1 } }
        return out
    }
}
