/// What kind of unit an agency is.
public enum AgencyKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// tỉnh / thành phố trực thuộc trung ương
    case province
    /// quận / huyện / thị xã (until 30/6/2025)
    case district
    /// xã / phường / thị trấn / đặc khu
    case commune
    /// sở, phòng chuyên môn, ban, công an…
    case department
    /// Trung tâm Phục vụ hành chính công, Bộ phận Một cửa
    case center

    public var label: String {
        switch self {
        case .province: "Tỉnh, thành phố"
        case .district: "Quận, huyện"
        case .commune: "Xã, phường"
        case .department: "Sở, ban, ngành"
        case .center: "Trung tâm Phục vụ hành chính công"
        }
    }
}

/// The administrative level (cấp) an agency or a procedure belongs to.
public enum AdministrativeLevel: String, Hashable, Sendable, Codable, CaseIterable {
    case province, district, commune

    public var label: String {
        switch self {
        case .province: "Cấp tỉnh"
        case .district: "Cấp huyện"
        case .commune: "Cấp xã"
        }
    }
}

/// An administrative unit or agency, with a QCVN 102:2016-style code and the dates it existed.
public struct Agency: Hashable, Sendable, Codable {
    public var code: String
    public var name: String
    public var shortName: String?
    public var kind: AgencyKind
    public var level: AdministrativeLevel
    public var parent: String?
    public var validFrom: CivilDate
    /// Last day the unit existed; nil while it exists.
    public var validTo: CivilDate?
    /// Office hours, e.g. "07:30-11:30,13:00-17:00"; nil: the standard 07:00–11:30, 13:30–17:00.
    public var officeHours: String?
    /// Same-day cut-off, e.g. "15:00"; nil: 15:00.
    public var sameDayCutoff: String?

    /// The agency's office hours (standard when none are set or they do not parse).
    public var hours: OfficeHours {
        guard let officeHours else { return .standard }
        return OfficeHours.parse(officeHours, cutoff: sameDayCutoff ?? "15:00") ?? .standard
    }

    public init(code: String, name: String, shortName: String? = nil, kind: AgencyKind, level: AdministrativeLevel,
                parent: String?, validFrom: CivilDate, validTo: CivilDate? = nil) {
        self.code = code
        self.name = name
        self.shortName = shortName
        self.kind = kind
        self.level = level
        self.parent = parent
        self.validFrom = validFrom
        self.validTo = validTo
    }

    /// True when the unit existed on some day of [from, to].
    public func existed(from: CivilDate, to: CivilDate) -> Bool {
        validFrom <= to && (validTo.map { $0 >= from } ?? true)
    }
}

/// The kind of a reorganisation event.
public enum ReorganisationKind: String, Hashable, Sendable, Codable, CaseIterable {
    case merge, split, rename, move
}

/// A reorganisation (sắp xếp đơn vị hành chính) effective on a date: units in `from` are succeeded by
/// units in `to`.
public struct Reorganisation: Hashable, Sendable, Codable {
    public var kind: ReorganisationKind
    public var effective: CivilDate
    public var from: [String]
    public var to: [String]
    public var note: String?

    public init(kind: ReorganisationKind, effective: CivilDate, from: [String], to: [String], note: String? = nil) {
        self.kind = kind
        self.effective = effective
        self.from = from
        self.to = to
        self.note = note
    }
}

/// The agency tree through time: parents, and predecessors/successors through reorganisations.
public struct AgencyHistory: Sendable {
    public let agencies: [String: Agency]
    public let reorganisations: [Reorganisation]
    private let childrenOf: [String: [String]]

    public init(agencies: [Agency], reorganisations: [Reorganisation]) {
        self.agencies = Dictionary(agencies.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        self.reorganisations = reorganisations
        var children: [String: [String]] = [:]
        for a in agencies { if let p = a.parent { children[p, default: []].append(a.code) } }
        childrenOf = children
    }

    /// Every unit that `code` (transitively) succeeded, not including `code` itself.
    public func predecessors(of code: String) -> Set<String> {
        closure(from: code) { c in reorganisations.filter { $0.to.contains(c) }.flatMap(\.from) }
    }

    /// Every unit that (transitively) succeeded `code`.
    public func successors(of code: String) -> Set<String> {
        closure(from: code) { c in reorganisations.filter { $0.from.contains(c) }.flatMap(\.to) }
    }

    /// Units under `code` in the tree (children, grandchildren…).
    public func descendants(of code: String) -> Set<String> {
        closure(from: code) { childrenOf[$0] ?? [] }
    }

    /// The codes a query "agency X over [from, to]" covers: X, its predecessors, and the units below
    /// any of them, restricted to units that existed during the period.
    ///
    /// A split predecessor is not shared by all its successors: its own dossiers go to the first
    /// successor listed (the one that took over the unit and its records), and its units below go
    /// wherever their own reorganisations (moves, merges) sent them — never to every successor.
    public func scope(of code: String, from: CivilDate, to: CivilDate) -> Set<String> {
        var roots: Set<String> = [code], splitUnits: Set<String> = []
        var stack = [code]
        while let c = stack.popLast() {
            for r in reorganisations where r.to.contains(c) {
                for p in r.from where !roots.contains(p) && !splitUnits.contains(p) && p != code {
                    if r.kind == .split {
                        guard r.to.first == c else { continue }
                        splitUnits.insert(p)
                    } else {
                        roots.insert(p)
                    }
                    stack.append(p)
                }
            }
        }
        var all = roots.union(splitUnits)
        for r in roots { all.formUnion(descendants(of: r)) }
        return all.filter { agencies[$0]?.existed(from: from, to: to) ?? false }
    }

    private func closure(from start: String, next: (String) -> [String]) -> Set<String> {
        var seen: Set<String> = []
        var stack = [start]
        while let c = stack.popLast() {
            for n in next(c) where !seen.contains(n) && n != start {
                seen.insert(n)
                stack.append(n)
            }
        }
        return seen
    }
}
