import Foundation

/// Feedback and complaints (phản ánh, kiến nghị — PAKN) about administrative procedures: anyone
/// with contact data submits one to an agency; the agency answers within a deadline in working
/// days (configurable; Decision 766 indicator 5.2 counts resolution within 15); the answer may be
/// published. A feedback not answered by its deadline is late, and the monitor sees it.
public struct FeedbackSubmission: Hashable, Sendable, Codable {
    public enum Category: String, Hashable, Sendable, Codable, CaseIterable {
        case attitude, lateness, papers, fees, other

        public var label: String {
            switch self {
            case .attitude: "Thái độ, tác phong của cán bộ"
            case .lateness: "Giải quyết hồ sơ chậm, trễ hẹn"
            case .papers: "Yêu cầu giấy tờ ngoài quy định"
            case .fees: "Phí, lệ phí"
            case .other: "Nội dung khác"
            }
        }
    }

    public var name: String
    public var email: String?
    public var phone: String?
    public var agencyCode: String
    public var dossierCode: String?
    public var category: Category
    public var content: String

    public init(name: String, email: String?, phone: String?, agencyCode: String, dossierCode: String?, category: Category, content: String) {
        self.name = name
        self.email = email
        self.phone = phone
        self.agencyCode = agencyCode
        self.dossierCode = dossierCode
        self.category = category
        self.content = content
    }
}

/// The rules of feedback (pure).
public enum FeedbackRules {
    /// The submission with texts in NFC and trimmed, empty contacts as nil.
    public static func normalized(_ f: FeedbackSubmission) -> FeedbackSubmission {
        func clean(_ s: String?) -> String? { s.map { TextRules.normalized($0).trimmed }.flatMap { $0.isEmpty ? nil : $0 } }
        var out = f
        out.name = TextRules.normalized(f.name).trimmed
        out.email = clean(f.email)?.lowercased()
        out.phone = clean(f.phone)
        out.dossierCode = clean(f.dossierCode)
        out.content = TextRules.normalized(f.content).trimmingCharacters(in: .whitespacesAndNewlines)
        return out
    }

    /// Every problem, as field codes (empty: it may be stored).
    public static func problems(_ f: FeedbackSubmission) -> [FieldProblem] {
        var out: [FieldProblem] = []
        typealias L = TextRules.Limit
        for (field, value, limit, multi) in [("name", f.name, L.personName, false), ("email", f.email ?? "", L.email, false), ("phone", f.phone ?? "", L.phone, false),
                                             ("dossierCode", f.dossierCode ?? "", L.code, false), ("content", f.content, L.note, true)] {
            if let p = TextRules.problem(value, maxLength: limit, multiline: multi) { out.append(FieldProblem(field, p.rawValue)) }
        }
        if f.name.count < 2 { out.append(FieldProblem("name", "required")) }
        if f.content.count < 10 { out.append(FieldProblem("content", "content_too_short")) }
        if f.email == nil && f.phone == nil { out.append(FieldProblem("email", "email_or_phone_required")) }
        if let e = f.email, !Intake.isEmail(e) { out.append(FieldProblem("email", "invalid_email")) }
        if let p = f.phone, !Intake.isPhone(p) { out.append(FieldProblem("phone", "invalid_phone")) }
        return out
    }

    /// When the answer is due: `workingDays` working days after the submission.
    public static func answerDue(submittedAt: Date, workingDays: Int, deadlines: DeadlineCalculator) -> Date {
        deadlines.due(from: submittedAt, limit: TimeLimit(amount: workingDays, unit: .workingDays))
    }

    /// Late: not answered by its due instant, or answered after it.
    public static func isLate(due: Date, answeredAt: Date?, now: Date) -> Bool {
        (answeredAt ?? now) > due
    }

    /// A reference the submitter keeps: `PAKN-{yyMMdd}-{NNNN}` per day.
    public static func reference(date: CivilDate, sequence: Int) -> String {
        "PAKN-\(CivilDate.zeroPadded(date.year % 100, 2))\(CivilDate.zeroPadded(date.month, 2))\(CivilDate.zeroPadded(date.day, 2))-\(CivilDate.zeroPadded(sequence, 4))"
    }
}
