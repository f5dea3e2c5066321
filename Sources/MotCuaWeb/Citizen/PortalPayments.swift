import Crypto
import Foundation
import Hummingbird
import MotCuaCore
import MotCuaStore

/// Online payment of a dossier's fees, and the built-in sandbox that behaves like the national
/// payment platform: the portal creates a payment (reference, amount, description) and sends the
/// citizen to the gateway's page; the gateway answers with a signed callback — through the
/// citizen's browser (return URL) and, server to server, at `POST /api/v1/payments/callback`. Both
/// go through `PaymentRepository.settle`: a forged or altered signature or a different amount is
/// refused and logged, the same callback twice changes nothing, a paid dossier gets its receipt.
enum PortalPayments {
    /// Lower-case hex SHA-256 of the signing input.
    static func sign(_ fields: [String], secret: String) -> String {
        Secrets.hex(SHA256.hash(data: Data(PaymentRules.signingInput(fields, secret: secret).utf8)))
    }

    /// `yyyyMMddHHmmss` in Vietnam's time.
    static func portalTime(_ d: Date) -> String { VietnamTime.iso(d).prefix(19).filter(\.isNumber) }

    /// Settles a callback with the workflow context of its dossier.
    static func settle(_ c: PaymentCallback, _ services: AppServices) async throws -> PaymentRepository.Settlement {
        try await services.payments.settle(c, expectedSignature: sign(c.signedFields, secret: services.paymentSecret), now: services.now()) { s in
            try await DossierAPI.workflowContext(of: s, services)
        }
    }

    static func register(_ routes: inout RouteRegistry, services: AppServices) {
        routes.post("/ho-so-cua-toi/:code/thanh-toan") { request, context in
            let session = try await CitizenSession.require(request, services)
            let code = try context.parameters.require("code")
            try session.checkCSRF(try await FormBody.read(request, context: context)["csrf"])
            let owned = try await PortalDossierPages.requireOwned(code, session, services)
            guard PaymentRules.payable(owned.state) else {
                return try await PortalDossierPages.dossierPage(code, session, services, flash: nil, errors: ["Hồ sơ không có khoản phí cần nộp."], status: .conflict)
            }
            guard services.portal.paymentSandbox else {
                return try await PortalDossierPages.dossierPage(code, session, services, flash: nil,
                                                                errors: ["Cổng thanh toán trực tuyến chưa được cấu hình. Vui lòng nộp phí tại Bộ phận Một cửa."],
                                                                status: .serviceUnavailable)
            }
            let p = try await services.payments.create(dossier: owned.state, citizenID: session.account.id, now: services.now())
            throw DeskRedirect(location: "/cong-thanh-toan-thu-nghiem?ref=\(p.reference)")
        }
        routes.get("/cong-thanh-toan-thu-nghiem") { request, _ in
            guard services.portal.paymentSandbox, let ref = request.query("ref"), ref.count <= 64,
                  let p = try await services.payments.payment(reference: ref), p.state == .pending else {
                throw APIError.notFound("Không tìm thấy giao dịch cần thanh toán.")
            }
            return services.pages.page("payment-sandbox", title: "Cổng thanh toán thử nghiệm",
                                       ["ref": p.reference, "amount": Money.vnd(p.amount), "description": "Nộp phí, lệ phí hồ sơ \(p.dossierCode)"])
        }
        routes.post("/cong-thanh-toan-thu-nghiem") { request, context in
            let form = try await FormBody.read(request, context: context)
            guard services.portal.paymentSandbox, let ref = form["ref"], ref.count <= 64, let p = try await services.payments.payment(reference: ref) else {
                throw APIError.notFound("Không tìm thấy giao dịch cần thanh toán.")
            }
            // The sandbox signs as the gateway would and sends the citizen back with the result.
            let status = form["ket-qua"] == "thanh-toan" ? "00" : "24"
            let txn = "SB" + String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(14))
            let paidAt = portalTime(services.now())
            let fields = [p.reference, String(p.amount), status, txn, paidAt]
            let query = [("reference", p.reference), ("amount", String(p.amount)), ("status", status), ("transactionID", txn), ("paidAt", paidAt),
                         ("signature", sign(fields, secret: services.paymentSecret))].map { "\($0.0)=\($0.1)" }.joined(separator: "&")
            throw DeskRedirect(location: "/thanh-toan/ket-qua?\(query)")
        }
        routes.get("/thanh-toan/ket-qua") { request, _ in
            guard let amount = request.query("amount").flatMap({ Int($0) }), let ref = request.query("reference"),
                  let c = Optional(PaymentCallback(reference: ref, amount: amount, status: request.query("status") ?? "", transactionID: request.query("transactionID") ?? "",
                                                   paidAt: request.query("paidAt") ?? "", signature: request.query("signature") ?? "")),
                  [c.reference, c.status, c.transactionID, c.paidAt, c.signature].allSatisfy({ $0.count <= 128 }) else {
                return resultPage(services, heading: "Thông tin thanh toán không hợp lệ", text: "Đường dẫn trả về từ cổng thanh toán thiếu thông tin.", code: nil, status: .badRequest)
            }
            switch try await settle(c, services) {
            case .paid(let p), .duplicate(let p):
                return resultPage(services, heading: "Thanh toán thành công",
                                  text: "Đã nộp \(Money.vnd(p.amount)) cho hồ sơ \(p.dossierCode). Biên lai điện tử số \(p.receiptNumber ?? "").", code: p.dossierCode, status: .ok)
            case .failed(let p):
                return resultPage(services, heading: "Giao dịch chưa thành công", text: "Khoản phí chưa được thanh toán. Ông/Bà có thể thử lại.", code: p.dossierCode,
                                  status: .ok)
            case .refused(let problem):
                services.logger.warning("payment callback refused", metadata: ["reference": "\(ref.prefix(64))", "problem": "\(problem.rawValue)"])
                return resultPage(services, heading: "Thông tin thanh toán không hợp lệ",
                                  text: "Kết quả thanh toán không được chấp nhận (chữ ký hoặc số tiền không khớp). Giao dịch đã được ghi lại để kiểm tra.",
                                  code: nil, status: .badRequest)
            }
        }
        routes.post("/api/v1/payments/callback") { request, context in
            let c = try await request.decode(as: PaymentCallback.self, context: context)
            guard [c.reference, c.status, c.transactionID, c.paidAt, c.signature].allSatisfy({ $0.count <= 128 && TextRules.problem($0, maxLength: 128) == nil }) else {
                throw APIError(.unprocessableContent, code: "invalid_callback", "fields are at most 128 printable characters")
            }
            struct Answer: Encodable { let outcome: String; let reference: String; let receiptNumber: String? }
            switch try await settle(c, services) {
            case .paid(let p): return try JSONResponse.make(Answer(outcome: "paid", reference: p.reference, receiptNumber: p.receiptNumber))
            case .duplicate(let p): return try JSONResponse.make(Answer(outcome: "duplicate", reference: p.reference, receiptNumber: p.receiptNumber))
            case .failed(let p): return try JSONResponse.make(Answer(outcome: "failed", reference: p.reference, receiptNumber: nil))
            case .refused(let problem):
                services.logger.warning("payment callback refused", metadata: ["reference": "\(c.reference.prefix(64))", "problem": "\(problem.rawValue)"])
                switch problem {
                case .badSignature: throw APIError(.badRequest, code: problem.rawValue, "the signature does not match the fields")
                case .unknownReference: throw APIError.notFound("no payment \(c.reference.prefix(64))")
                case .amountMismatch: throw APIError(.unprocessableContent, code: problem.rawValue, "the amount differs from the payment's")
                case .conflictingTransaction: throw APIError(.conflict, code: problem.rawValue, "the payment was already paid by another transaction")
                }
            }
        }
    }

    static func resultPage(_ services: AppServices, heading: String, text: String, code: String?, status: HTTPResponse.Status) -> Response {
        var ctx: [String: Any] = ["heading": heading, "text": text]
        if let code { ctx["link"] = ["href": "/ho-so-cua-toi/\(code)", "label": "Xem hồ sơ \(code)"] }
        return services.pages.page("message", title: heading, ctx, status: status)
    }
}
