import Foundation

/// A document attached to an online submission: a file uploaded for a component, or a document
/// picked from the citizen's store (kho dữ liệu) instead of uploading it again (once-only).
public struct SubmissionDocument: Hashable, Sendable, Codable {
    public var component: String
    /// The stored document (its id in the citizen's store).
    public var documentID: String
    /// Taken from the store (an earlier upload or an electronic result) rather than uploaded now.
    public var reused: Bool

    public init(component: String, documentID: String, reused: Bool) {
        self.component = component
        self.documentID = documentID
        self.reused = reused
    }
}

/// Rules of online submission (nộp hồ sơ trực tuyến), pure.
///
/// - A procedure is offered online when its online type is toàn trình or một phần and it has an
///   online channel.
/// - Toàn trình: every required component of the case must be attached.
/// - Một phần: required components that are not attached must be brought to the one-stop desk when
///   the dossier is received (listed to the citizen before submitting and on the receipt).
public enum OnlineSubmission {
    /// Why a submission is refused (stable codes).
    public enum Problem: String, Sendable, Hashable {
        case notOffered = "not_offered_online"
        case unknownCase = "unknown_case"
        case agencyNotServing = "procedure_not_served"
        case unknownComponent = "unknown_component"
        case missingComponents = "required_components_missing"
        case tooManyDocuments = "too_many_documents"
        case accountNotVerified = "account_not_verified"
    }

    /// Whether the procedure takes dossiers online.
    public static func isOffered(_ p: Procedure) -> Bool {
        p.onlineType != .none && p.channels.contains { $0.channel == .online }
    }

    /// Required components of the case without any attached document.
    public static func missing(_ p: Procedure, caseCode: String?, documents: [SubmissionDocument]) -> [String] {
        guard let c = p.procedureCase(caseCode) else { return [] }
        let attached = Set(documents.map(\.component))
        return c.components.filter { $0.required && !attached.contains($0.name) }.map(\.name)
    }

    /// What must still be brought to the desk: the missing required components of a một phần
    /// procedure (none for toàn trình, which cannot be submitted with missing ones).
    public static func mustBring(_ p: Procedure, caseCode: String?, documents: [SubmissionDocument]) -> [String] {
        p.onlineType == .partial ? missing(p, caseCode: caseCode, documents: documents) : []
    }

    /// The problems that stop a submission (empty: it may be submitted).
    public static func problems(_ p: Procedure, caseCode: String?, agency: Agency?, documents: [SubmissionDocument],
                                account: CitizenAccount) -> [Problem] {
        var out: [Problem] = []
        if !account.maySubmit { out.append(.accountNotVerified) }
        guard isOffered(p) else { return out + [.notOffered] }
        guard let c = p.procedureCase(caseCode) else { return out + [.unknownCase] }
        if agency.map({ !Intake.isServed(by: $0, procedure: p) }) ?? true { out.append(.agencyNotServing) }
        let names = Set(c.components.map(\.name))
        if documents.contains(where: { !names.contains($0.component) }) { out.append(.unknownComponent) }
        if documents.count > TextRules.Limit.documents { out.append(.tooManyDocuments) }
        if p.onlineType == .full && !missing(p, caseCode: caseCode, documents: documents).isEmpty { out.append(.missingComponents) }
        return out
    }

    /// The intake request of a submission: channel online, not received (status 1 until the
    /// reception officer receives it), one electronic document line per component with its count.
    public static func intakeRequest(_ p: Procedure, caseCode: String, applicant: Applicant, documents: [SubmissionDocument],
                                     note: String?) -> IntakeRequest {
        var counts: [String: Int] = [:], reused: Set<String> = []
        for d in documents {
            counts[d.component, default: 0] += 1
            if d.reused { reused.insert(d.component) }
        }
        let lines = (p.procedureCase(caseCode)?.components ?? []).compactMap { comp -> ReceivedDocument? in
            guard let n = counts[comp.name] else { return nil }
            return ReceivedDocument(component: comp.name, form: .electronic, count: n, reused: reused.contains(comp.name) ? true : nil)
        }
        return IntakeRequest(procedureCode: p.code, caseCode: caseCode, channel: .online, applicant: applicant, documents: lines,
                             note: note, receive: false)
    }
}

/// Public tracking (tra cứu hồ sơ): a dossier code and a check value, so that a stranger who
/// guesses a code learns nothing. The check is the last 4 digits of the applicant's ID number, or
/// the tracking secret printed on the online receipt.
public enum TrackingCheck {
    /// Letters and digits that cannot be confused when read aloud or typed (no 0/O, 1/I/L).
    public static let alphabet = Array("ABCDEFGHJKMNPQRSTUVWXYZ23456789")
    public static let secretLength = 8

    /// Whether `check` opens the dossier's public status. Compared in constant time.
    public static func matches(_ check: String, idNumber: String, secret: String?) -> Bool {
        let c = check.trimmingCharacters(in: .whitespaces).uppercased()
        guard !c.isEmpty, c.count <= 64 else { return false }
        var ok = false
        if idNumber.count >= 4 { ok = Secrets.equal(c, String(idNumber.suffix(4)).uppercased()) || ok }
        if let secret { ok = Secrets.equal(c, secret.uppercased()) || ok }
        return ok
    }

    /// A new secret from random bytes (the shell supplies them).
    public static func secret(from bytes: [UInt8]) -> String {
        String(bytes.prefix(secretLength).map { alphabet[Int($0) % alphabet.count] })
    }
}
