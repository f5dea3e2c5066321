/// The seven forms of Circular 03/2025/TT-VPCP (successor of 01/2018/TT-VPCP), by number.
public enum FormNumber: String, Sendable, Hashable, CaseIterable {
    case receipt = "01"
    case supplement = "02"
    case refusal = "03"
    case apology = "04"
    case stop = "05"
    case controlSheet = "06"
    case trackingBook = "07"

    /// The form's title as the circular names it.
    public var title: String {
        switch self {
        case .receipt: "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
        case .supplement: "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"
        case .refusal: "Phiếu từ chối tiếp nhận giải quyết hồ sơ"
        case .apology: "Văn bản xin lỗi và đề nghị gia hạn"
        case .stop: "Thông báo dừng giải quyết hồ sơ"
        case .controlSheet: "Phiếu kiểm soát quá trình giải quyết hồ sơ"
        case .trackingBook: "Sổ theo dõi hồ sơ"
        }
    }

    /// The action whose event a form records (01 the receipt, 02 the latest supplement request,
    /// 03 the refusal, 04 the latest apology, 05 the stop); nil for the control sheet and the book.
    public var event: ActionKind? {
        switch self {
        case .receipt: .receive
        case .supplement: .requestSupplement
        case .refusal: .refuse
        case .apology: .apologize
        case .stop: .stop
        case .controlSheet, .trackingBook: nil
        }
    }

    /// The symbol in the form's number (TNHS receipt, YCBS supplement, …).
    public var symbol: String {
        switch self {
        case .receipt: "TNHS"
        case .supplement: "YCBS"
        case .refusal: "TC"
        case .apology: "XL"
        case .stop: "DGQ"
        case .controlSheet: "KS"
        case .trackingBook: "STD"
        }
    }

    /// The transition a form prints, nil when it has not happened (the form is not available).
    public func event(in history: [Transition]) -> Transition? {
        guard let action = event?.rawValue else { return nil }
        return self == .receipt ? history.first { $0.action == action } : history.last { $0.action == action }
    }

    /// The form's number for a dossier: its daily sequence, the event's count when repeated, and
    /// the symbol ("0007/TNHS", "0007.2/XL").
    public func number(code: String, history: [Transition]) -> String {
        let times = event.map { a in history.filter { $0.action == a.rawValue }.count } ?? 1
        return "\(code.suffix(4))\(times > 1 ? ".\(times)" : "")/\(symbol)"
    }
}
