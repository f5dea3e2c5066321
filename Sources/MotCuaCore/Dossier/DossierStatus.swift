/// The status of a dossier; `portalCode` is the National Public Service Portal's status 1–10.
public enum DossierStatus: String, Hashable, Sendable, Codable, CaseIterable {
    /// 1 — submitted online, not yet received.
    case submitted
    /// 2 — received, processing not started (used only transiently).
    case received
    /// 3 — refused (Mẫu 03).
    case refused
    /// 4 — in the internal workflow.
    case processing
    /// 5 — waiting for the applicant to supplement (Mẫu 02); the clock stops.
    case supplementRequested = "supplement-requested"
    /// 6 — waiting for fees.
    case feeDue = "fee-due"
    /// 7 — withdrawn at the applicant's request.
    case withdrawn
    /// 8 — stopped by the agency (Mẫu 05).
    case stopped
    /// 9 — processing finished, result ready to return.
    case finished
    /// 10 — result returned.
    case returned

    public var portalCode: Int {
        switch self {
        case .submitted: 1
        case .received: 2
        case .refused: 3
        case .processing: 4
        case .supplementRequested: 5
        case .feeDue: 6
        case .withdrawn: 7
        case .stopped: 8
        case .finished: 9
        case .returned: 10
        }
    }

    /// No further action changes a dossier in these states.
    public var isTerminal: Bool { [.refused, .withdrawn, .stopped, .returned].contains(self) }

    /// Processing has ended (for indicator 2.1): finished, returned, stopped, refused, withdrawn.
    public var endsProcessing: Bool { isTerminal || self == .finished }

    public var label: String {
        switch self {
        case .submitted: "Mới nộp, chưa tiếp nhận"
        case .received: "Đã tiếp nhận"
        case .refused: "Từ chối tiếp nhận"
        case .processing: "Đang xử lý"
        case .supplementRequested: "Chờ bổ sung hồ sơ"
        case .feeDue: "Chờ nộp phí, lệ phí"
        case .withdrawn: "Công dân rút hồ sơ"
        case .stopped: "Dừng giải quyết"
        case .finished: "Đã giải quyết xong, chờ trả kết quả"
        case .returned: "Đã trả kết quả"
        }
    }
}
