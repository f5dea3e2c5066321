import MotCuaCore

/// Which event each printed form (Circular 03/2025/TT-VPCP, Mẫu 01–05) records, and its number.
enum PrintedForm {
    /// The actions whose transition a form prints: 01 the receipt, 02 the (latest) supplement
    /// request, 03 the refusal, 04 the (latest) apology, 05 the stop.
    static let actions = ["01": "receive", "02": "request-supplement", "03": "refuse", "04": "apologize", "05": "stop"]

    /// The transition a form prints, nil when it has not happened (the form is not available).
    static func event(of form: String, in history: [Transition]) -> Transition? {
        guard let action = actions[form] else { return nil }
        return form == "01" ? history.first { $0.action == action } : history.last { $0.action == action }
    }

    /// The form's number: the dossier's daily sequence, the event's count for this dossier, and
    /// the form's symbol (TNHS receipt, YCBS supplement, TC refusal, XL apology, DGQ stop, KS control).
    static func number(_ form: String, code: String, history: [Transition]) -> String {
        let symbol = ["01": "TNHS", "02": "YCBS", "03": "TC", "04": "XL", "05": "DGQ", "06": "KS"][form] ?? "BM"
        let times = actions[form].map { a in history.filter { $0.action == a }.count } ?? 1
        return "\(code.suffix(4))\(times > 1 ? ".\(times)" : "")/\(symbol)"
    }
}
