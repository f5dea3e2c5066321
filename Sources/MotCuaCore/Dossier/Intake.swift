import Foundation

/// What an officer (or an online applicant) submits to open a dossier.
public struct IntakeRequest: Hashable, Sendable, Codable {
    public var procedureCode: String
    public var caseCode: String?
    public var channel: Channel
    public var applicant: Applicant
    public var documents: [ReceivedDocument]
    public var note: String?
    /// Receive at once (counter, post; an online dossier checked by the officer). When false the
    /// dossier waits in status 1 for `receive`.
    public var receive: Bool?

    public init(procedureCode: String, caseCode: String?, channel: Channel, applicant: Applicant, documents: [ReceivedDocument],
                note: String?, receive: Bool?) {
        self.procedureCode = procedureCode
        self.caseCode = caseCode
        self.channel = channel
        self.applicant = applicant
        self.documents = documents
        self.note = note
        self.receive = receive
    }
}

/// Opening a dossier (pure): validation of the applicant and documents, and the initial state.
public enum Intake {
    /// Every problem of an intake request against the procedure, as (field, reason); empty if valid.
    public static func problems(_ r: IntakeRequest, procedure: Procedure) -> [(field: String, reason: String)] {
        var out: [(String, String)] = textProblems(r)
        let a = r.applicant
        if a.name.trimmed.count < 2 { out.append(("applicant.name", "name is required")) }
        switch a.kind {
        case .person:
            if !isCitizenID(a.idNumber) { out.append(("applicant.idNumber", "a citizen ID has exactly 12 digits and a valid province code")) }
        case .organisation:
            if a.idNumber.trimmed.isEmpty { out.append(("applicant.idNumber", "the organisation's tax or registration code is required")) }
        }
        if let e = a.email, !e.isEmpty, !isEmail(e) { out.append(("applicant.email", "not an e-mail address")) }
        if let p = a.phone, !p.isEmpty, !isPhone(p) { out.append(("applicant.phone", "a phone number has 10 or 11 digits, optionally +84")) }
        guard let c = procedure.procedureCase(r.caseCode) else {
            out.append(("caseCode", "procedure \(procedure.code) has no case \(r.caseCode ?? "")"))
            return out
        }
        if !procedure.channels.contains(where: { $0.channel == r.channel }) {
            out.append(("channel", "procedure \(procedure.code) is not offered on channel \(r.channel.rawValue)"))
        }
        let names = Set(c.components.map(\.name))
        for (i, d) in r.documents.enumerated() {
            if !names.contains(d.component) { out.append(("documents[\(i)].component", "not a component of this procedure case: \(d.component)")) }
            if d.count < 1 || d.count > 100 { out.append(("documents[\(i)].count", "count must be from 1 to 100")) }
        }
        return out
    }

    /// Length, control-character and bidi-override problems of every text field, and the number of
    /// documents (at most `TextRules.Limit.documents`).
    public static func textProblems(_ r: IntakeRequest) -> [(field: String, reason: String)] {
        typealias L = TextRules.Limit
        let a = r.applicant
        var fields: [(String, String?, Int, Bool)] = [
            ("procedureCode", r.procedureCode, L.code, false), ("caseCode", r.caseCode, L.code, false),
            ("applicant.name", a.name, L.personName, false), ("applicant.idNumber", a.idNumber, L.idNumber, false),
            ("applicant.address", a.address, L.address, false), ("applicant.phone", a.phone, L.phone, false),
            ("applicant.email", a.email, L.email, false), ("note", r.note, L.note, true),
        ]
        for (i, d) in r.documents.prefix(L.documents).enumerated() { fields.append(("documents[\(i)].component", d.component, L.component, false)) }
        var out: [(String, String)] = fields.compactMap { field, value, limit, multiline in
            guard let value, let p = TextRules.problem(value, maxLength: limit, multiline: multiline) else { return nil }
            return (field, TextRules.reason(p, maxLength: limit))
        }
        if r.documents.count > L.documents { out.append(("documents", "at most \(L.documents) documents")) }
        return out
    }

    /// The request with every text in Unicode NFC (and surrounding spaces of names trimmed).
    public static func normalized(_ r: IntakeRequest) -> IntakeRequest {
        let n = TextRules.normalized
        var out = r
        out.procedureCode = n(r.procedureCode)
        out.caseCode = r.caseCode.map(n)
        out.applicant.name = n(r.applicant.name).trimmed
        out.applicant.idNumber = n(r.applicant.idNumber).trimmed
        out.applicant.address = r.applicant.address.map(n)
        out.applicant.phone = r.applicant.phone.map(n)
        out.applicant.email = r.applicant.email.map(n)
        out.note = r.note.map(n)
        out.documents = r.documents.map { var d = $0; d.component = n(d.component); return d }
        return out
    }

    /// Whether `agency` may receive dossiers of `procedure`: it is named by the procedure, or it is of
    /// one of the procedure's agency kinds (or a public-service center) at the procedure's level. A
    /// department of the province cannot open a commune procedure.
    public static func isServed(by agency: Agency, procedure: Procedure) -> Bool {
        if procedure.agencies.contains(agency.code) { return true }
        guard agency.level == procedure.level else { return false }
        return procedure.agencyKinds.isEmpty || procedure.agencyKinds.contains(agency.kind) || agency.kind == .center
    }

    /// Required components of the case that are not among the documents received (the officer then
    /// asks for a supplement instead of receiving the dossier).
    public static func missingRequiredComponents(_ r: IntakeRequest, procedure: Procedure) -> [String] {
        guard let c = procedure.procedureCase(r.caseCode) else { return [] }
        let received = Set(r.documents.map(\.component))
        return c.components.filter { $0.required && !received.contains($0.name) }.map(\.name)
    }

    /// The 12-digit citizen ID (số định danh cá nhân): 3-digit province code (001–096), century/sex
    /// digit, 2-digit birth year, 6-digit serial.
    public static func isCitizenID(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count == 12, u.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return false }
        guard let province = Int(s.prefix(3)) else { return false }
        return province >= 1 && province <= 96
    }

    public static func isEmail(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !s.contains(" ") && s.count <= 254
    }

    public static func isPhone(_ s: String) -> Bool {
        var digits = s.filter { $0 != " " && $0 != "." && $0 != "-" }
        if digits.hasPrefix("+84") { digits = "0" + digits.dropFirst(3) }
        return digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber) && (10...11).contains(digits.count) && digits.hasPrefix("0")
    }

    /// The dossier code `{agency code}-{yyMMdd}-{NNNN}` from the receiving unit, the local date and
    /// the unit's daily sequence number.
    public static func dossierCode(agency: String, date: CivilDate, sequence: Int) -> String {
        return "\(agency)-\(CivilDate.zeroPadded(date.year % 100, 2))\(CivilDate.zeroPadded(date.month, 2))\(CivilDate.zeroPadded(date.day, 2))-\(CivilDate.zeroPadded(sequence, 4))"
    }

    /// The initial state (status 1), before `receive`.
    public static func newDossier(code: String, agency: String, request r: IntakeRequest, procedure: Procedure, now: Date) -> DossierState {
        // The caller validated the case (Intake.problems); the first case is the catalog's default.
        let caseCode = procedure.procedureCase(r.caseCode)?.code ?? r.caseCode ?? ""
        return DossierState(
            code: code, agencyCode: agency, procedureCode: procedure.code, procedureVersion: procedure.version, caseCode: caseCode,
            channel: r.channel, applicant: r.applicant, documents: r.documents, note: r.note, status: .submitted, submittedAt: now,
            receivedAt: nil, dueAt: nil, stepIndex: 0, stepStartedAt: nil, stepDueAt: nil, handlingAgency: agency, supplementCount: 0, guidanceCount: nil, supplementRequestedAt: nil, supplementRequests: nil,
            pausedSeconds: 0, apologyAt: nil, apologyNewDue: nil, apologies: nil, resultNumber: nil, resultElectronic: false,
            resultFile: nil, resultRecordedAt: nil, processingEndedAt: nil, timeliness: nil, returnedAt: nil, feeAmount: procedure.totalFees(for: r.channel),
            feePaid: false, resumeStatus: nil, version: 0, resultOnPaper: procedure.result.isPaper,
            targetsCitizens: procedure.targetGroups.contains { $0 == "citizen" || $0 == "foreigner" })
    }
}
