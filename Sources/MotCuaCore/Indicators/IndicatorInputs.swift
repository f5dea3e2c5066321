import Foundation

/// A feedback (PAKN) as the satisfaction indicators see it.
public struct FeedbackFact: Hashable, Sendable {
    public var category: FeedbackSubmission.Category
    public var submittedAt: Date
    public var dueAt: Date
    public var answeredAt: Date?
    /// About a dossier (a complaint on its handling, 5.4).
    public var aboutDossier: Bool
    /// The submitter said they were not satisfied with the answer (5.3); nil: not asked.
    public var disliked: Bool?

    public init(category: FeedbackSubmission.Category, submittedAt: Date, dueAt: Date, answeredAt: Date?, aboutDossier: Bool, disliked: Bool? = nil) {
        self.category = category
        self.submittedAt = submittedAt
        self.dueAt = dueAt
        self.answeredAt = answeredAt
        self.aboutDossier = aboutDossier
        self.disliked = disliked
    }
}

/// The open dossiers at the end of a period, as indicator 2.1 classifies them there.
public struct OpenCounts: Hashable, Sendable, Codable {
    public var onTime: Int
    public var late: Int

    public init(onTime: Int = 0, late: Int = 0) {
        self.onTime = onTime
        self.late = late
    }
    public var total: Int { onTime + late }

    public static func + (a: OpenCounts, b: OpenCounts) -> OpenCounts { OpenCounts(onTime: a.onTime + b.onTime, late: a.late + b.late) }
}

/// Dossiers of one procedure whose processing ended, with their total working seconds (2.2).
public struct ProcedureTime: Hashable, Sendable, Codable {
    public var procedureCode: String
    public var ended: Int
    public var seconds: Int

    public init(procedureCode: String, ended: Int, seconds: Int) {
        self.procedureCode = procedureCode
        self.ended = ended
        self.seconds = seconds
    }
    /// Average working days (8 working hours a day), in hundredths.
    public var averageDaysHundredths: Int? { ended > 0 ? (seconds * 100 + ended * 14_400) / (ended * 28_800) : nil }
}

/// Counts of the national portal's sync (1.4); nil in the inputs while there is no integration.
public struct PortalSyncCounts: Hashable, Sendable {
    public var synced: Int
    public var portalCount: Int
    public var lastYearTotal: Int
    public init(synced: Int, portalCount: Int, lastYearTotal: Int) {
        self.synced = synced
        self.portalCount = portalCount
        self.lastYearTotal = lastYearTotal
    }
}

/// Everything the indicators of one scope and one period are computed from — all fixed by the
/// events up to the period's end (or now, for a period that reaches it).
public struct IndicatorInputs: Sendable {
    public var counters: CounterSums
    public var open: OpenCounts
    public var procedureTimes: [ProcedureTime]
    public var procedures: [ProcedureFacts]
    /// Procedure codes that received at least one online dossier in the period (3.2).
    public var proceduresWithOnlineDossiers: Set<String>
    public var feedback: [FeedbackFact]
    public var periodEnd: Date
    /// Whether an online payment gateway is configured (3.5).
    public var onlinePayment: Bool
    public var portalSync: PortalSyncCounts?

    public init(counters: CounterSums, open: OpenCounts, procedureTimes: [ProcedureTime] = [], procedures: [ProcedureFacts] = [],
                proceduresWithOnlineDossiers: Set<String> = [], feedback: [FeedbackFact] = [], periodEnd: Date, onlinePayment: Bool = false,
                portalSync: PortalSyncCounts? = nil) {
        self.counters = counters
        self.open = open
        self.procedureTimes = procedureTimes
        self.procedures = procedures
        self.proceduresWithOnlineDossiers = proceduresWithOnlineDossiers
        self.feedback = feedback
        self.periodEnd = periodEnd
        self.onlinePayment = onlinePayment
        self.portalSync = portalSync
    }
}
