import Foundation
import HTTPTypes
import Hummingbird
import MotCuaCore
import NIOCore

/// JSON responses with the API's encoding (sorted keys, ISO 8601 instants).
enum JSONResponse {
    static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .iso8601
        return e
    }

    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension Request {
    /// A query parameter decoded as HTML forms encode it (`+` is a space, `%2B` a plus sign); nil
    /// when absent or empty. Only the first occurrence counts.
    func query(_ name: String) -> String? {
        for pair in (uri.query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.first == Substring(name) else { continue }
            let raw = parts.count > 1 ? parts[1].replacingOccurrences(of: "+", with: " ") : ""
            let value = TextRules.normalized(raw.removingPercentEncoding ?? raw)
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// A query parameter that must be one of an enum's raw values (400 otherwise).
    func query<E: RawRepresentable & CaseIterable>(_ name: String, as: E.Type) throws -> E? where E.RawValue == String {
        guard let v = query(name) else { return nil }
        guard let e = E(rawValue: v) else {
            throw APIError.invalid(name, "must be one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return e
    }
}

extension HTTPField.Name {
    static let idempotencyKey = Self("Idempotency-Key")!
    static let idempotentReplayed = Self("Idempotent-Replayed")!
    static let xForwardedFor = Self("X-Forwarded-For")!
    static let xForwardedProto = Self("X-Forwarded-Proto")!
}
