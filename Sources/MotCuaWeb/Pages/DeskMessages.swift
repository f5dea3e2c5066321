import MotCuaCore

/// The Vietnamese sentence shown on the desk for an API error code (the API keeps its English
/// message; no English reaches a desk page).
enum DeskMessages {
    static let fields = ["reason": "Lý do", "note": "Ghi chú", "number": "Số kết quả", "amount": "Số tiền", "newAppointment": "Ngày hẹn mới",
                         "file": "Tệp", "components": "Giấy tờ cần bổ sung", "other": "Giấy tờ khác", "legalBasis": "Căn cứ pháp lý"]

    /// Whether a message is already Vietnamese (has letters outside ASCII).
    static func isVietnamese(_ s: String) -> Bool { s.unicodeScalars.contains { $0.value > 0x7F } }

    static func vietnamese(_ e: APIError) -> String {
        switch e.code {
        case "version_conflict": return "Hồ sơ vừa được người khác cập nhật. Vui lòng xem lại trước khi thao tác."
        case "supplement_only_once": return "Hồ sơ chỉ được yêu cầu bổ sung một lần trong quá trình giải quyết."
        case "apology_required": return "Hồ sơ đã quá hạn: cần lập văn bản xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04) trước khi trả kết quả."
        case "action_not_allowed", "role_not_allowed", "agency_not_allowed": return "Thao tác này không được phép ở bước hiện tại của hồ sơ hoặc với vai trò của anh/chị."
        case "unknown_action": return "Thao tác không hợp lệ."
        case "reason_required": return "Lý do: bắt buộc nhập."
        case "number_required": return "Số, ký hiệu kết quả: bắt buộc nhập."
        case "amount_invalid": return "Số tiền: số nguyên đồng, từ 1 trở lên."
        case "fee_reason_required": return "Thủ tục không quy định phí cho kênh này: hãy ghi căn cứ thu phí."
        case "supplement_empty": return "Hãy chọn giấy tờ cần bổ sung trong thành phần hồ sơ (hoặc ghi giấy tờ khác kèm căn cứ pháp lý)."
        case "supplement_unpublished_component": return "Chỉ được yêu cầu giấy tờ thuộc thành phần hồ sơ đã công bố."
        case "supplement_other_without_legal_basis": return "Giấy tờ ngoài thành phần hồ sơ đã công bố phải ghi căn cứ pháp lý."
        case "new_appointment_invalid": return "Ngày hẹn mới phải sau thời điểm hiện tại và sau ngày hẹn cũ."
        case "result_missing": return "Chưa có kết quả giải quyết: cần cập nhật kết quả trước khi trả."
        case "confirmation_required": return e.message
        case "unsupported_media_type", "content_mismatch", "active_content", "empty_file": return e.message.contains("Tệp") ? e.message : "Tệp không hợp lệ."
        case "invalid_body":
            let field = fields.first { e.message.hasPrefix($0.key) }?.value ?? "Thông tin"
            if e.message.hasPrefix("components is required") { return "Hãy chọn giấy tờ cần bổ sung trong thành phần hồ sơ (hoặc ghi giấy tờ khác kèm căn cứ pháp lý)." }
            if e.message.contains("is required") { return "\(field): bắt buộc nhập." }
            if e.message.contains("longer than") { return "\(field): quá dài (\(e.message.filter(\.isNumber)) ký tự trở xuống)." }
            if e.message.contains("control characters") { return "\(field): chứa ký tự điều khiển không hợp lệ." }
            if e.message.contains("bidirectional") { return "\(field): chứa ký tự đảo chiều văn bản không hợp lệ." }
            if e.message.hasPrefix("amount") { return "Số tiền: số nguyên đồng, từ 1 trở lên." }
            if e.message.hasPrefix("newAppointment") { return "Ngày hẹn mới: bắt buộc, đúng định dạng ngày giờ." }
            return "Thông tin nhập chưa hợp lệ, vui lòng kiểm tra lại."
        default:
            if isVietnamese(e.message) { return e.message }
            switch e.status.code {
            case 401: return "Vui lòng đăng nhập lại."
            case 403: return "Anh/chị không có quyền thực hiện thao tác này."
            case 404: return "Không tìm thấy hồ sơ hoặc trang yêu cầu."
            case 409: return "Hồ sơ vừa được người khác cập nhật. Vui lòng xem lại trước khi thao tác."
            case 415: return "Kiểu dữ liệu gửi lên không được hỗ trợ."
            default: return "Không thực hiện được thao tác. Vui lòng thử lại."
            }
        }
    }
}
