/// A problem found in catalog data: where it is (record and field) and why.
public struct CatalogProblem: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The record, e.g. `procedures[3] (1.001193)` or `agencies[0] (H14)`.
    public let record: String
    /// The field path inside the record, e.g. `cases[0].workflow`.
    public let field: String
    public let reason: String
    public var description: String { "\(record) \(field): \(reason)" }
}

/// Validation rules for agencies and procedures (pure).
public enum CatalogValidation {
    public static let targetGroups: Set<String> = ["citizen", "business", "organisation", "agency"]

    /// True for a national procedure code `d.dddddd`.
    public static func isProcedureCode(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count == 8, u[1] == UInt8(ascii: ".") else { return false }
        return u.enumerated().allSatisfy { i, c in i == 1 || (c >= 48 && c <= 57) }
    }

    public static func problems(agencies: [Agency], reorganisations: [Reorganisation]) -> [CatalogProblem] {
        var out: [CatalogProblem] = []
        var seen: Set<String> = []
        let codes = Set(agencies.map(\.code))
        for (i, a) in agencies.enumerated() {
            let rec = "agencies[\(i)] (\(a.code))"
            if a.code.isEmpty { out.append(.init(record: rec, field: "code", reason: "mã đơn vị trống")) }
            if !seen.insert(a.code).inserted { out.append(.init(record: rec, field: "code", reason: "mã đơn vị bị trùng")) }
            if a.name.trimmed.isEmpty { out.append(.init(record: rec, field: "name", reason: "tên đơn vị trống")) }
            if let p = a.parent, !codes.contains(p) { out.append(.init(record: rec, field: "parent", reason: "đơn vị cha \(p) không tồn tại")) }
            if let to = a.validTo, to < a.validFrom { out.append(.init(record: rec, field: "validTo", reason: "ngày kết thúc trước ngày bắt đầu")) }
            if a.officeHours != nil || a.sameDayCutoff != nil,
               OfficeHours.parse(a.officeHours ?? "07:00-11:30,13:30-17:00", cutoff: a.sameDayCutoff ?? "15:00") == nil {
                out.append(.init(record: rec, field: "officeHours", reason: "giờ làm việc phải có dạng 07:00-11:30,13:30-17:00 và giờ chốt nằm trong giờ làm việc"))
            }
        }
        for (i, r) in reorganisations.enumerated() {
            let rec = "reorganisations[\(i)]"
            if r.from.isEmpty || r.to.isEmpty { out.append(.init(record: rec, field: "from/to", reason: "thiếu đơn vị trước hoặc sau sắp xếp")) }
            for c in r.from + r.to where !codes.contains(c) { out.append(.init(record: rec, field: "from/to", reason: "đơn vị \(c) không tồn tại")) }
        }
        return out
    }

    public static func problems(procedures: [Procedure], agencyCodes: Set<String>) -> [CatalogProblem] {
        var out: [CatalogProblem] = []
        var seen: Set<String> = []
        for (i, p) in procedures.enumerated() {
            let rec = "procedures[\(i)] (\(p.code))"
            func bad(_ field: String, _ reason: String) { out.append(.init(record: rec, field: field, reason: reason)) }
            if !isProcedureCode(p.code) { bad("code", "mã thủ tục phải có dạng d.dddddd") }
            if !seen.insert("\(p.code)#\(p.version)").inserted { bad("code", "mã thủ tục bị trùng") }
            if p.version < 1 { bad("version", "phiên bản phải ≥ 1") }
            if p.name.trimmed.isEmpty { bad("name", "tên thủ tục trống") }
            if p.field.trimmed.isEmpty { bad("field", "lĩnh vực trống") }
            for (j, a) in p.agencies.enumerated() where !agencyCodes.contains(a) { bad("agencies[\(j)]", "đơn vị \(a) không tồn tại") }
            for (j, g) in p.targetGroups.enumerated() where !targetGroups.contains(g) { bad("targetGroups[\(j)]", "đối tượng \(g) không hợp lệ") }
            if p.channels.isEmpty { bad("channels", "phải có ít nhất một cách thức thực hiện") }
            let channelSet = Set(p.channels.map(\.channel))
            if channelSet.count != p.channels.count { bad("channels", "cách thức bị trùng") }
            if p.onlineType == .none && channelSet.contains(.online) { bad("channels", "thủ tục không trực tuyến nhưng có kênh trực tuyến") }
            if p.onlineType != .none && !channelSet.contains(.online) { bad("channels", "thủ tục trực tuyến nhưng thiếu kênh trực tuyến") }
            for (j, c) in p.channels.enumerated() {
                if c.limit.amount < 0 { bad("channels[\(j)].limit", "thời hạn không được âm") }
                for (k, f) in c.fees.enumerated() where f.amount < 0 { bad("channels[\(j)].fees[\(k)]", "phí, lệ phí không được âm") }
            }
            if p.cases.isEmpty { bad("cases", "phải có ít nhất một trường hợp") }
            var caseCodes: Set<String> = []
            for (j, c) in p.cases.enumerated() {
                let f = "cases[\(j)]"
                if !caseCodes.insert(c.code).inserted { bad("\(f).code", "mã trường hợp bị trùng") }
                if Set(c.limits.map(\.channel)) != channelSet { bad("\(f).limits", "thời hạn phải khai cho đúng các kênh của thủ tục") }
                for l in c.limits where l.amount < 0 || (l.amount == 0 && !c.noDueDate) {
                    bad("\(f).limits", "thời hạn kênh \(l.channel.rawValue) phải là số dương")
                }
                if c.components.isEmpty { bad("\(f).components", "phải có thành phần hồ sơ") }
                for (k, comp) in c.components.enumerated() where comp.copies < 0 || comp.name.trimmed.isEmpty {
                    bad("\(f).components[\(k)]", "tên hoặc số bản không hợp lệ")
                }
                if c.workflow.isEmpty { bad("\(f).workflow", "phải có quy trình xử lý") }
                for (k, s) in c.workflow.enumerated() where s.hours <= 0 { bad("\(f).workflow[\(k)].hours", "thời gian bước phải là số dương") }
                if let budget = workflowBudgetHours(c), !c.noDueDate {
                    let total = c.workflow.reduce(0) { $0 + $1.hours }
                    if total != budget { bad("\(f).workflow", "tổng thời gian các bước (\(total) giờ) phải bằng thời hạn (\(budget) giờ làm việc)") }
                }
            }
        }
        return out
    }

    /// Working hours the workflow of a case must add up to (from its counter limit, else its first).
    public static func workflowBudgetHours(_ c: ProcedureCase) -> Int? {
        guard let l = c.limits.first(where: { $0.channel == .counter }) ?? c.limits.first else { return nil }
        switch l.unit {
        case .workingDays, .calendarDays: return l.amount * 8
        case .workingHours: return l.amount
        case .sameDay: return 8
        }
    }
}

extension String {
    public var trimmed: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
