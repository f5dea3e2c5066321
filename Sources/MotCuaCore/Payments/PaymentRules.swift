import Foundation

/// A callback from the payment gateway (the national payment platform's fields, as the sandbox
/// sends them): which payment, how much, the outcome, the gateway's transaction id and instant, and
/// the signature over them.
public struct PaymentCallback: Hashable, Sendable, Codable {
    public var reference: String
    public var amount: Int
    /// "00" paid; anything else: not paid (cancelled, refused by the bank).
    public var status: String
    public var transactionID: String
    /// `yyyyMMddHHmmss` in Vietnam's time, as the portal's messages carry instants.
    public var paidAt: String
    public var signature: String

    public init(reference: String, amount: Int, status: String, transactionID: String, paidAt: String, signature: String) {
        self.reference = reference
        self.amount = amount
        self.status = status
        self.transactionID = transactionID
        self.paidAt = paidAt
        self.signature = signature
    }

    /// The fields in the signed order.
    public var signedFields: [String] { [reference, String(amount), status, transactionID, paidAt] }
}

/// A payment as MotCua created it (the expected side of a callback).
public struct PaymentRecord: Hashable, Sendable, Codable {
    public enum State: String, Sendable, Codable { case pending, paid, failed }
    public var reference: String
    public var dossierCode: String
    public var amount: Int
    public var state: State
    public var transactionID: String?

    public init(reference: String, dossierCode: String, amount: Int, state: State, transactionID: String?) {
        self.reference = reference
        self.dossierCode = dossierCode
        self.amount = amount
        self.state = state
        self.transactionID = transactionID
    }
}

/// The signature and the rules of gateway callbacks (pure; the secret is passed in).
///
/// Signature: lower-case hex SHA-256 of the fields joined with `|` in the fixed order reference,
/// amount, status, transaction id, paid-at, then `|` and the shared secret — the scheme of the
/// national payment platform's messages (SHA-256 over joined fields plus a partner secret).
public enum PaymentRules {
    /// What to do with a callback.
    public enum Outcome: Equatable, Sendable {
        /// Mark the payment paid and the dossier's fee paid online.
        case accept
        /// The gateway reports the payment failed or cancelled: record it, the dossier stays unpaid.
        case failed
        /// The same callback again (or a later one for a payment already paid): change nothing.
        case duplicate
    }

    /// Why a callback is refused (stable codes); refused callbacks change nothing and are logged.
    public enum Problem: String, Error, Sendable {
        case badSignature = "bad_signature"
        case unknownReference = "unknown_reference"
        case amountMismatch = "amount_mismatch"
        case conflictingTransaction = "conflicting_transaction"
    }

    /// The signature of `fields` with `secret`, as `sha256` computes it (the shell passes the
    /// digest function: the core has no crypto dependency).
    public static func signingInput(_ fields: [String], secret: String) -> String {
        (fields + [secret]).joined(separator: "|")
    }

    /// Decides a callback whose signature `expectedSignature` was computed by the shell.
    public static func decide(_ c: PaymentCallback, expectedSignature: String, payment: PaymentRecord?) -> Result<Outcome, Problem> {
        guard Secrets.equal(c.signature.lowercased(), expectedSignature.lowercased()) else { return .failure(.badSignature) }
        guard let p = payment else { return .failure(.unknownReference) }
        guard c.amount == p.amount else { return .failure(.amountMismatch) }
        if p.state == .paid {
            return c.transactionID == p.transactionID ? .success(.duplicate) : .failure(.conflictingTransaction)
        }
        return .success(c.status == "00" ? .accept : .failed)
    }

    /// Whether the dossier can be paid online now: it has a fee not yet paid and is not ended.
    public static func payable(_ s: DossierState) -> Bool {
        s.feeAmount > 0 && !s.feePaid && !s.status.endsProcessing
    }

    /// The receipt number (biên lai): `BL{yyyy}-{NNNNNN}` from the agency's running number.
    public static func receiptNumber(year: Int, sequence: Int) -> String {
        "BL\(year)-" + CivilDate.zeroPadded(sequence, 6)
    }
}

extension Workflow {
    /// Records a fee paid online (the gateway's confirmed callback): a dossier waiting for its fee
    /// (status 6) resumes where it was; otherwise (paid before receipt or during processing) only
    /// the payment is recorded. The transition is the applicant's, marked paid online.
    public static func recordOnlinePayment(_ state: DossierState, accountID: String, receipt: String, now: Date,
                                           context: WorkflowContext) -> Result<(DossierState, Transition), WorkflowRejection> {
        guard PaymentRules.payable(state) else {
            return .failure(WorkflowRejection(code: .notAllowed, message: "nothing to pay on this dossier", allowed: []))
        }
        let result = perform(state, .payFee, actor: applicantActor(accountID: accountID, dossier: state), now: now, context: context,
                             allowed: [ActionKind.payFee.rawValue], byApplicant: true)
        return result.map { next, t in
            var s = next, t = t
            if state.status != .feeDue {
                s.status = state.status
                s.resumeStatus = state.resumeStatus
                t.to = state.status
            }
            s.feePaidOnline = true
            t.note = "Đã nộp trực tuyến \(Money.vnd(state.feeAmount)), biên lai \(receipt)"
            return (s, t)
        }
    }
}
