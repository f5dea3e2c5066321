import Foundation

/// One indicator's value: numerator, denominator, and the rate shown with two decimals ("N/A" when
/// the denominator is zero).
public struct IndicatorValue: Hashable, Sendable, Codable {
    public var id: String
    public var name: String
    public var numerator: Int
    public var denominator: Int
    public var rate: String

    public init(id: String, name: String, numerator: Int, denominator: Int) {
        self.id = id
        self.name = name
        self.numerator = numerator
        self.denominator = denominator
        self.rate = Indicators.rate(numerator, denominator)
    }
}

/// Counts of dossiers whose processing ended in a period, by timeliness (from the aggregates).
public struct EndedCounts: Hashable, Sendable {
    public var early = 0, onTime = 0, late = 0
    public init(early: Int = 0, onTime: Int = 0, late: Int = 0) {
        self.early = early
        self.onTime = onTime
        self.late = late
    }
    public var total: Int { early + onTime + late }
}

/// A dossier still being processed at the end of a period (from the small open set).
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
        let hundredths = (numerator * 10_000 + denominator / 2) / denominator
        let frac = hundredths % 100
        return "\(hundredths / 100).\(frac < 10 ? "0" : "")\(frac)"
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

    /// Indicator 2.1: dossiers finished early or on time among those received in the period or still
    /// processed in it.
    public static func onTime(ended: EndedCounts, open: [OpenDossier], periodEnd: Date) -> IndicatorValue {
        let openOnTime = open.filter { isOnTime($0, periodEnd: periodEnd) }.count
        return IndicatorValue(id: "2.1", name: "Tỷ lệ hồ sơ giải quyết trước hạn, đúng hạn",
                              numerator: ended.early + ended.onTime + openOnTime, denominator: ended.total + open.count)
    }

    /// Indicator 3.3: dossiers submitted online among dossiers received.
    public static func onlineSubmission(received: Int, receivedOnline: Int) -> IndicatorValue {
        IndicatorValue(id: "3.3", name: "Tỷ lệ hồ sơ nộp trực tuyến", numerator: receivedOnline, denominator: received)
    }
}
