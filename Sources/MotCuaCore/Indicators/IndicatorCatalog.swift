/// One Decision 766 indicator as scored: its group, the points it is worth and the rate (in %)
/// that earns them all. Below the threshold, points = rate × max ÷ threshold. `maxPoints` 0: shown,
/// not scored (2.2 average time, 5.1 feedback by category).
public struct IndicatorDefinition: Hashable, Sendable, Codable {
    public var id: String
    public var name: String
    public var group: Int
    public var maxPoints: Int
    public var threshold: Int

    public init(_ id: String, _ name: String, group: Int, maxPoints: Int, threshold: Int = 100) {
        self.id = id
        self.name = name
        self.group = group
        self.maxPoints = maxPoints
        self.threshold = threshold
    }
}

/// A grade band: a total of at least `minimum` (out of 100) earns `name`.
public struct GradeBand: Hashable, Sendable, Codable {
    public var name: String
    public var minimum: Int

    public init(_ name: String, minimum: Int) {
        self.name = name
        self.minimum = minimum
    }
}

/// The scoring of Decision 766: five groups of 100 points in all (transparency 18, progress 20,
/// online service 22, digitisation 22, satisfaction 18, as operated), the indicators' points and
/// thresholds, and the grade bands. The points within a group are this platform's defaults (the
/// decision fixes the group maxima and the thresholds); a province may configure others.
public struct IndicatorCatalog: Hashable, Sendable, Codable {
    public struct Group: Hashable, Sendable, Codable {
        public var number: Int
        public var name: String
        public var maxPoints: Int
    }
    public var groups: [Group]
    public var definitions: [IndicatorDefinition]
    /// Highest first; the last one should have minimum 0.
    public var grades: [GradeBand]

    public init(groups: [Group], definitions: [IndicatorDefinition], grades: [GradeBand]) {
        self.groups = groups
        self.definitions = definitions
        self.grades = grades.sorted { $0.minimum > $1.minimum }
    }

    public func definition(_ id: String) -> IndicatorDefinition? { definitions.first { $0.id == id } }

    /// The grade of a total out of 100 (in hundredths of a point).
    public func grade(totalHundredths: Int) -> String {
        grades.first { totalHundredths >= $0.minimum * 100 }?.name ?? grades.last?.name ?? ""
    }

    /// The defaults: 90–100 Tốt (the top grade), 70–<90 Khá, 50–<70 Trung bình, below 50 Yếu.
    public static let decision766 = IndicatorCatalog(
        groups: [
            Group(number: 1, name: "Công khai, minh bạch", maxPoints: 18),
            Group(number: 2, name: "Tiến độ, kết quả giải quyết", maxPoints: 20),
            Group(number: 3, name: "Cung cấp dịch vụ trực tuyến", maxPoints: 22),
            Group(number: 4, name: "Số hóa hồ sơ", maxPoints: 22),
            Group(number: 5, name: "Mức độ hài lòng", maxPoints: 18),
        ],
        definitions: [
            IndicatorDefinition("1.1", "Tỷ lệ TTHC được công bố đúng hạn", group: 1, maxPoints: 4),
            IndicatorDefinition("1.2", "Tỷ lệ TTHC được cập nhật, công khai đúng hạn", group: 1, maxPoints: 4),
            IndicatorDefinition("1.3", "Tỷ lệ TTHC được công khai đầy đủ", group: 1, maxPoints: 4),
            IndicatorDefinition("1.4", "Tỷ lệ hồ sơ được đồng bộ lên Cổng Dịch vụ công quốc gia", group: 1, maxPoints: 6),
            IndicatorDefinition("2.1", "Tỷ lệ hồ sơ giải quyết trước hạn, đúng hạn", group: 2, maxPoints: 20),
            IndicatorDefinition("2.2", "Thời gian giải quyết trung bình (ngày làm việc)", group: 2, maxPoints: 0),
            IndicatorDefinition("3.1", "Tỷ lệ TTHC cung cấp dịch vụ công trực tuyến", group: 3, maxPoints: 4, threshold: 80),
            IndicatorDefinition("3.2", "Tỷ lệ dịch vụ công trực tuyến có phát sinh hồ sơ", group: 3, maxPoints: 4),
            IndicatorDefinition("3.3", "Tỷ lệ hồ sơ nộp trực tuyến", group: 3, maxPoints: 6, threshold: 50),
            IndicatorDefinition("3.4", "Chỉ số 3.4 (chưa công bố cách tính)", group: 3, maxPoints: 0),
            IndicatorDefinition("3.5", "Tỷ lệ TTHC có phí, lệ phí được tích hợp thanh toán trực tuyến", group: 3, maxPoints: 4, threshold: 80),
            IndicatorDefinition("3.6", "Tỷ lệ hồ sơ được thanh toán trực tuyến", group: 3, maxPoints: 4),
            IndicatorDefinition("4.1", "Tỷ lệ hồ sơ có kết quả điện tử", group: 4, maxPoints: 4),
            IndicatorDefinition("4.2", "Tỷ lệ hồ sơ được số hóa", group: 4, maxPoints: 6, threshold: 80),
            IndicatorDefinition("4.3", "Tỷ lệ hồ sơ tái sử dụng dữ liệu số hóa", group: 4, maxPoints: 4, threshold: 80),
            IndicatorDefinition("4.4", "Tỷ lệ hồ sơ số hóa được kết nối, chia sẻ để tái sử dụng", group: 4, maxPoints: 4),
            IndicatorDefinition("4.5", "Tỷ lệ khai thác, sử dụng dữ liệu dân cư", group: 4, maxPoints: 4),
            IndicatorDefinition("5.1", "Số phản ánh, kiến nghị theo nhóm nội dung", group: 5, maxPoints: 0),
            IndicatorDefinition("5.2", "Tỷ lệ phản ánh, kiến nghị được xử lý đúng hạn", group: 5, maxPoints: 4),
            IndicatorDefinition("5.3", "Mức độ hài lòng về xử lý phản ánh, kiến nghị", group: 5, maxPoints: 4),
            IndicatorDefinition("5.4", "Mức độ hài lòng trong giải quyết TTHC", group: 5, maxPoints: 10, threshold: 90),
        ],
        grades: [GradeBand("Tốt", minimum: 90), GradeBand("Khá", minimum: 70), GradeBand("Trung bình", minimum: 50), GradeBand("Yếu", minimum: 0)])
}
