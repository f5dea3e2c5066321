import MotCuaCore
import MotCuaStore

/// The portal's words for the core's and the store's codes (Vietnamese; the API keeps the codes).
enum PortalMessages {
    static func field(_ f: String) -> String {
        switch f {
        case "fullName", "applicant.name": "Họ và tên"
        case "idNumber", "applicant.idNumber": "Số định danh cá nhân / mã số thuế"
        case "email", "applicant.email": "Thư điện tử"
        case "phone", "applicant.phone": "Số điện thoại"
        case "password": "Mật khẩu"
        case "address", "applicant.address", "postalAddress": "Địa chỉ"
        case "note": "Ghi chú"
        default: "Thông tin"
        }
    }

    static func problem(_ p: FieldProblem) -> String {
        let reason: String
        switch p.code {
        case "required": reason = "bắt buộc nhập"
        case "invalid_citizen_id": reason = "số định danh cá nhân gồm đúng 12 chữ số, bắt đầu bằng mã tỉnh từ 001 đến 096"
        case "invalid_tax_code": reason = "mã số thuế gồm 10 chữ số (chi nhánh: thêm dấu gạch và 3 chữ số)"
        case "email_or_phone_required": reason = "cần có thư điện tử hoặc số điện thoại"
        case "invalid_email": reason = "không đúng định dạng thư điện tử"
        case "invalid_phone": reason = "số điện thoại gồm 10–11 chữ số"
        case "password_too_short": reason = "mật khẩu cần ít nhất \(CitizenRules.minPasswordLength) ký tự"
        case "password_too_long": reason = "mật khẩu quá dài"
        case "password_only_digits": reason = "mật khẩu không được chỉ gồm chữ số"
        case "password_contains_id": reason = "mật khẩu không được chứa số định danh"
        case "password_contains_email": reason = "mật khẩu không được chứa địa chỉ thư điện tử"
        case "password_mismatch": reason = "hai lần nhập mật khẩu không khớp"
        case "too_long": reason = "quá dài"
        case "control_character": reason = "chứa ký tự điều khiển không hợp lệ"
        case "bidi_override": reason = "chứa ký tự đảo chiều văn bản không hợp lệ"
        default: reason = IntakeLabels.reason(p.code)
        }
        return "\(field(p.field)): \(reason)"
    }

    static func submission(_ p: OnlineSubmission.Problem) -> String {
        switch p {
        case .notOffered: "Thủ tục này không nhận hồ sơ trực tuyến."
        case .unknownCase: "Hãy chọn trường hợp của thủ tục."
        case .agencyNotServing: "Cơ quan đã chọn không tiếp nhận thủ tục này."
        case .unknownComponent: "Giấy tờ không thuộc thành phần hồ sơ của thủ tục."
        case .missingComponents: "Thủ tục trực tuyến toàn trình: cần đính kèm đủ các giấy tờ bắt buộc trước khi nộp."
        case .tooManyDocuments: "Hồ sơ có quá nhiều tệp."
        case .accountNotVerified: "Tài khoản chưa được xác nhận thư điện tử. Vui lòng mở liên kết trong thư xác nhận trước khi nộp hồ sơ."
        }
    }

    static func upload(_ f: StreamedForm.Failure) -> String {
        switch f {
        case .malformed: "Dữ liệu tải lên không hợp lệ."
        case .tooLarge(let limit): "Tệp quá lớn: tối đa \(limit / (1024 * 1024)) MB."
        case .rejected(let name, let p):
            switch p {
            case .unsupportedType: "Tệp \(name): chỉ nhận PDF, ảnh JPEG/PNG, DOCX hoặc XML."
            case .empty: "Tệp \(name) rỗng."
            case .contentMismatch: "Tệp \(name): nội dung không đúng với loại tệp."
            case .activeContent: "Tệp \(name): XML chứa nội dung HTML/SVG không được chấp nhận."
            }
        case .tooManyFiles: "Mỗi lần tải lên tối đa \(StreamedForm.maxFiles) tệp."
        case .storage: "Không lưu được tệp. Vui lòng thử lại sau."
        }
    }

    static func citizen(_ e: CitizenError) -> String {
        switch e {
        case .duplicate(let f): f == "email" ? "Địa chỉ thư điện tử này đã được đăng ký." : "Số điện thoại này đã được đăng ký."
        case .invalid(let p): p.map(problem).joined(separator: " ")
        case .notFound: "Không tìm thấy."
        case .linkInvalid: "Liên kết không hợp lệ, đã được dùng hoặc đã hết hạn."
        case .rejected(let p): submission(p)
        case .versionConflict: "Hồ sơ vừa được cập nhật. Vui lòng xem lại rồi thực hiện lại."
        case .workflow(let code, _, _): code == "reason_required" ? "Vui lòng nêu lý do." : "Thao tác này không thực hiện được ở trạng thái hiện tại của hồ sơ."
        case .limit: "Vui lòng đính kèm ít nhất một tệp bổ sung."
        }
    }
}
