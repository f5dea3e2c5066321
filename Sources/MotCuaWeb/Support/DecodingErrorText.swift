import Foundation

/// Says where a JSON decoding error is (record, field) and why.
public enum DecodingErrorText {
    static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingPrefix(".").description
    }

    public static func describe(_ error: DecodingError) -> String {
        switch error {
        case let .keyNotFound(key, c): return "\(path(c.codingPath + [key])): missing field"
        case let .typeMismatch(t, c): return "\(path(c.codingPath)): expected \(t)"
        case let .valueNotFound(t, c): return "\(path(c.codingPath)): expected \(t), found null"
        case let .dataCorrupted(c): return "\(path(c.codingPath)): \(c.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
