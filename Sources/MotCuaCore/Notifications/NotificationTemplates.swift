import Foundation

/// The Vietnamese texts of the messages sent to applicants (e-mail subject and body, SMS text), by
/// the event that queued them. Pure: the shell passes the dossier code, the event's own message and
/// the portal's address.
public enum NotificationTemplates {
    /// A message ready to send.
    public struct Rendered: Hashable, Sendable {
        public let subject: String
        public let body: String
        /// One line for SMS (at most 160 characters where possible).
        public let sms: String
    }

    /// The message for the event `form` ("01" received, "02" supplement, "03" refusal, "04" apology,
    /// "05" stop, "10" result returned, "fee" fee due, "withdrawn", "submitted", "result-ready").
    public static func render(form: String, dossierCode code: String, message: String, baseURL: String) -> Rendered {
        let link = "\(baseURL)/ho-so-cua-toi/\(code)"
        let track = "\(baseURL)/tra-cuu?ma=\(code)"
        let (subject, lead): (String, String)
        switch form {
        case "submitted":
            (subject, lead) = ("Đã nộp hồ sơ \(code)", "Hồ sơ của Ông/Bà đã được nộp trực tuyến và đang chờ Bộ phận Một cửa tiếp nhận.")
        case "01":
            (subject, lead) = ("Hồ sơ \(code) đã được tiếp nhận",
                               "Hồ sơ đã được tiếp nhận. Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01) xem tại: \(link)")
        case "02":
            (subject, lead) = ("Hồ sơ \(code) cần bổ sung, hoàn thiện",
                               "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02). Ông/Bà có thể bổ sung trực tuyến tại: \(link)")
        case "03":
            (subject, lead) = ("Hồ sơ \(code) bị từ chối tiếp nhận", "Phiếu từ chối tiếp nhận giải quyết hồ sơ (Mẫu 03).")
        case "04":
            (subject, lead) = ("Thư xin lỗi và hẹn lại ngày trả kết quả hồ sơ \(code)",
                               "Cơ quan giải quyết xin lỗi Ông/Bà vì hồ sơ chưa được giải quyết đúng hẹn (Mẫu 04).")
        case "05":
            (subject, lead) = ("Thông báo dừng giải quyết hồ sơ \(code)", "Thông báo dừng giải quyết hồ sơ (Mẫu 05).")
        case "fee":
            (subject, lead) = ("Hồ sơ \(code) cần nộp phí, lệ phí", "Ông/Bà có thể nộp phí, lệ phí trực tuyến tại: \(link)")
        case "10":
            (subject, lead) = ("Đã trả kết quả hồ sơ \(code)", "Kết quả giải quyết hồ sơ đã được trả. Mời Ông/Bà đánh giá mức độ hài lòng tại: \(link)")
        case "result-ready":
            (subject, lead) = ("Hồ sơ \(code) đã có kết quả", "Hồ sơ đã giải quyết xong, kết quả sẵn sàng để nhận.")
        case "withdrawn":
            (subject, lead) = ("Hồ sơ \(code) đã được rút", "Hồ sơ đã được rút theo yêu cầu của Ông/Bà.")
        default:
            (subject, lead) = ("Thông báo về hồ sơ \(code)", "")
        }
        let body = [
            "Kính gửi Ông/Bà,", "",
            lead,
            message.isEmpty || message == lead ? nil : "Nội dung: \(message)",
            "",
            "Tra cứu tình trạng hồ sơ: \(track)",
            "",
            "Thư này được gửi tự động từ hệ thống Một cửa điện tử, vui lòng không trả lời.",
        ].compactMap { $0 }.joined(separator: "\n")
        let sms = String("\(subject). \(track)".prefix(300))
        return Rendered(subject: subject, body: body, sms: sms)
    }

    /// The e-mail that confirms a new account's address.
    public static func accountConfirmation(name: String, link: String) -> Rendered {
        let body = """
        Kính gửi \(name),

        Ông/Bà vừa đăng ký tài khoản trên Cổng dịch vụ công một cửa. Để xác nhận địa chỉ thư điện tử, vui lòng mở liên kết sau (có hiệu lực trong 48 giờ):

        \(link)

        Nếu Ông/Bà không đăng ký, vui lòng bỏ qua thư này.
        """
        return Rendered(subject: "Xác nhận địa chỉ thư điện tử", body: body, sms: "Xac nhan tai khoan: \(link)")
    }
}
