/// The kinds of workflow action, in one place: the name on the wire (API, forms, history), the
/// Vietnamese label, and what each needs from the officer.
public enum ActionKind: String, Sendable, Hashable, CaseIterable, Codable {
    case receive
    case requestSupplement = "request-supplement"
    case supplementProvided = "supplement-provided"
    case refuse
    case transfer
    case sendBack = "send-back"
    case approve
    case issue
    case recordResult = "record-result"
    case returnResult = "return"
    case withdraw
    case stop
    case requireFee = "fee-due"
    case payFee = "fee-paid"
    case apologize

    /// The Vietnamese label shown on the desk and the printed forms.
    public var label: String {
        switch self {
        case .receive: "Tiếp nhận"
        case .requestSupplement: "Yêu cầu bổ sung"
        case .supplementProvided: "Nhận hồ sơ bổ sung"
        case .refuse: "Từ chối tiếp nhận"
        case .transfer: "Chuyển xử lý"
        case .sendBack: "Trả lại bước trước"
        case .approve: "Phê duyệt"
        case .issue: "Phát hành kết quả"
        case .recordResult: "Cập nhật kết quả"
        case .returnResult: "Trả kết quả"
        case .withdraw: "Rút hồ sơ"
        case .stop: "Dừng giải quyết"
        case .requireFee: "Yêu cầu nộp phí"
        case .payFee: "Đã nộp phí"
        case .apologize: "Xin lỗi, hẹn lại"
        }
    }

    /// A written reason is required (Mẫu 03, 04, 05, a send-back, a withdrawal).
    public var needsReason: Bool { [.refuse, .sendBack, .withdraw, .stop, .apologize].contains(self) }
    /// Takes an optional note.
    public var takesNote: Bool { [.transfer, .approve].contains(self) }
    /// Names the missing components (Mẫu 02).
    public var needsComponents: Bool { self == .requestSupplement }
    public var needsNumber: Bool { self == .issue }
    public var needsAmount: Bool { self == .requireFee }
    public var needsNewAppointment: Bool { self == .apologize }
    /// May carry the result file.
    public var takesFile: Bool { self == .recordResult }
    /// Ends the dossier's processing: the desk asks for a confirmation.
    public var endsDossier: Bool { [.withdraw, .stop, .refuse].contains(self) }

    /// The label of a name found in a history (also "submit", the first row).
    public static func label(forName name: String) -> String {
        name == "submit" ? "Nộp hồ sơ" : ActionKind(rawValue: name)?.label ?? name
    }
}
