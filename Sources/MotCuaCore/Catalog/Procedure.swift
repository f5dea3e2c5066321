/// How a dossier reaches the agency: at the counter (kênh 1), online (kênh 2), by post (kênh 3).
public enum Channel: String, Hashable, Sendable, Codable, CaseIterable {
    case counter, online, postal

    public var label: String {
        switch self {
        case .counter: "Trực tiếp"
        case .online: "Trực tuyến"
        case .postal: "Bưu chính công ích"
        }
    }
}

/// Online service type under Decree 42/2022: toàn trình, một phần, or not online.
public enum OnlineType: String, Hashable, Sendable, Codable, CaseIterable {
    case full, partial, none

    public var label: String {
        switch self {
        case .full: "Dịch vụ công trực tuyến toàn trình"
        case .partial: "Dịch vụ công trực tuyến một phần"
        case .none: "Không cung cấp trực tuyến"
        }
    }
}

/// Staff roles; the raw values are the identifiers used in the API and the CLI.
public enum StaffRole: String, Hashable, Sendable, Codable, CaseIterable {
    case reception, specialist
    case departmentLeader = "department-leader"
    case agencyLeader = "agency-leader"
    case clerk, monitor, admin

    public var label: String {
        switch self {
        case .reception: "Cán bộ tiếp nhận"
        case .specialist: "Chuyên viên xử lý"
        case .departmentLeader: "Lãnh đạo phòng"
        case .agencyLeader: "Lãnh đạo cơ quan"
        case .clerk: "Văn thư"
        case .monitor: "Cán bộ theo dõi CCHC"
        case .admin: "Quản trị"
        }
    }
}

/// One fee or charge line (phí, lệ phí), in whole VND.
public struct FeeLine: Hashable, Sendable, Codable {
    public var name: String
    public var amount: Int
    public var note: String?
}

/// A channel a procedure is offered on, with its default time limit and fees.
public struct ChannelOffer: Hashable, Sendable, Codable {
    public var channel: Channel
    public var limit: TimeLimit
    public var fees: [FeeLine]
}

/// A case's time limit for one channel.
public struct CaseLimit: Hashable, Sendable, Codable {
    public var channel: Channel
    public var amount: Int
    public var unit: TimeLimitUnit
    public var limit: TimeLimit { TimeLimit(amount: amount, unit: unit) }
}

/// A dossier component (thành phần hồ sơ).
public struct Component: Hashable, Sendable, Codable {
    public var name: String
    public var template: String?
    public var copies: Int
    public var required: Bool

    public init(name: String, template: String?, copies: Int, required: Bool) {
        self.name = name
        self.template = template
        self.copies = copies
        self.required = required
    }
}

/// A step of a case's internal workflow with the role that owns it and its budget in working hours;
/// `agency` names another agency (code or kind) for an inter-agency (liên thông) step.
public struct WorkflowStep: Hashable, Sendable, Codable {
    public var name: String
    public var role: StaffRole
    public var hours: Int
    public var agency: String?

    public init(name: String, role: StaffRole, hours: Int, agency: String?) {
        self.name = name
        self.role = role
        self.hours = hours
        self.agency = agency
    }
}

/// A case of a procedure (trường hợp) with its own limits, components and workflow.
public struct ProcedureCase: Hashable, Sendable, Codable {
    public var code: String
    public var name: String
    public var limits: [CaseLimit]
    public var noDueDate: Bool
    public var components: [Component]
    public var workflow: [WorkflowStep]

    public func limit(for channel: Channel) -> TimeLimit? {
        limits.first { $0.channel == channel }?.limit
    }
}

/// The result of a procedure.
public struct ProcedureResult: Hashable, Sendable, Codable {
    public var name: String
    public var electronic: Bool
    public var mustSign: Bool
    /// Whether the result is a paper document (possibly also issued electronically); nil: paper.
    /// Decision 766 counts only paper-result procedures in 4.1 and asks their online dossiers for an
    /// electronic result to count as online (3.3).
    public var paper: Bool? = nil

    /// A paper result unless the catalog says the result is electronic only.
    public var isPaper: Bool { paper ?? true }
}

/// The decision that published (công bố) a procedure.
public struct Publication: Hashable, Sendable, Codable {
    public var decision: String?
    public var date: CivilDate?
    /// The day the legal basis takes effect (indicator 1.1 compares the decision with it).
    public var legalEffectiveDate: CivilDate? = nil
    /// The day the procedure was put on the national procedure database (indicator 1.2).
    public var nationalDatabaseDate: CivilDate? = nil
    /// Published by a ministry (20 / 10 working days) rather than the province (5 / 5).
    public var byMinistry: Bool? = nil
}

/// An administrative procedure (thủ tục hành chính) as published, in one version.
public struct Procedure: Hashable, Sendable, Codable {
    public var code: String
    public var version: Int
    public var name: String
    public var field: String
    public var level: AdministrativeLevel
    public var agencyKinds: [AgencyKind]
    public var agencies: [String]
    public var onlineType: OnlineType
    public var `internal`: Bool
    public var targetGroups: [String]
    public var steps: [String]
    public var channels: [ChannelOffer]
    public var cases: [ProcedureCase]
    public var result: ProcedureResult
    public var legalBasis: [String]
    public var conditions: String?
    public var publication: Publication?
    /// What in this record is an approximation (demo data), if anything.
    public var approximation: String?

    enum CodingKeys: String, CodingKey {
        case code, version, name, field, level, agencyKinds, agencies, onlineType, `internal`, targetGroups, steps
        case channels, cases, result, legalBasis, conditions, publication, approximation
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decode(String.self, forKey: .code)
        version = try c.decodeIfPresent(Int.self, forKey: .version) ?? 1
        name = try c.decode(String.self, forKey: .name)
        field = try c.decode(String.self, forKey: .field)
        level = try c.decode(AdministrativeLevel.self, forKey: .level)
        agencyKinds = try c.decodeIfPresent([AgencyKind].self, forKey: .agencyKinds) ?? []
        agencies = try c.decodeIfPresent([String].self, forKey: .agencies) ?? []
        onlineType = try c.decode(OnlineType.self, forKey: .onlineType)
        `internal` = try c.decodeIfPresent(Bool.self, forKey: .internal) ?? false
        targetGroups = try c.decodeIfPresent([String].self, forKey: .targetGroups) ?? []
        steps = try c.decodeIfPresent([String].self, forKey: .steps) ?? []
        channels = try c.decode([ChannelOffer].self, forKey: .channels)
        cases = try c.decode([ProcedureCase].self, forKey: .cases)
        result = try c.decode(ProcedureResult.self, forKey: .result)
        legalBasis = try c.decodeIfPresent([String].self, forKey: .legalBasis) ?? []
        conditions = try c.decodeIfPresent(String.self, forKey: .conditions)
        publication = try c.decodeIfPresent(Publication.self, forKey: .publication)
        approximation = try c.decodeIfPresent(String.self, forKey: .approximation)
    }

    public func procedureCase(_ code: String?) -> ProcedureCase? {
        guard let code else { return cases.first }
        return cases.first { $0.code == code }
    }

    /// Total fees for a channel in VND.
    public func totalFees(for channel: Channel) -> Int {
        channels.first { $0.channel == channel }?.fees.reduce(0) { $0 + $1.amount } ?? 0
    }
}
