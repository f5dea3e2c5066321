import Foundation

/// The applicant's rating of how a dossier was handled (đánh giá mức độ hài lòng), after the result
/// is returned: one per dossier, three levels per question as on the national portal, and a comment.
public struct Rating: Hashable, Sendable, Codable {
    /// Hài lòng / bình thường / không hài lòng.
    public enum Level: String, Hashable, Sendable, Codable, CaseIterable {
        case satisfied, normal, dissatisfied

        public var label: String {
            switch self {
            case .satisfied: "Hài lòng"
            case .normal: "Bình thường"
            case .dissatisfied: "Không hài lòng"
            }
        }
    }

    /// The questions asked, by key, with their Vietnamese text.
    public static let questions: [(key: String, text: String)] = [
        ("overall", "Mức độ hài lòng chung về việc giải quyết hồ sơ"),
        ("guidance", "Cán bộ hướng dẫn, tiếp nhận hồ sơ"),
        ("time", "Thời gian giải quyết so với giấy hẹn"),
        ("result", "Kết quả giải quyết"),
    ]

    public var answers: [String: Level]
    public var comment: String?

    public init(answers: [String: Level], comment: String?) {
        self.answers = answers
        self.comment = comment
    }

    /// The overall answer (what indicator 5.4 counts: "not satisfied" counts against the agency).
    public var overall: Level { answers["overall"] ?? .normal }

    /// Why a rating cannot be recorded now (stable codes), or nil.
    public static func problem(_ r: Rating, dossier s: DossierState, alreadyRated: Bool) -> String? {
        if alreadyRated { return "already_rated" }
        guard s.status == .returned else { return "not_returned" }
        guard Set(r.answers.keys) == Set(questions.map(\.key)) else { return "answers_incomplete" }
        if let c = r.comment, TextRules.problem(c, maxLength: TextRules.Limit.note, multiline: true) != nil { return "comment_invalid" }
        return nil
    }
}
