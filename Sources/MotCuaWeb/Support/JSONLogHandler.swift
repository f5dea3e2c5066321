import Foundation
import Logging

/// A log handler that writes one JSON object per line to standard error: time, level, label,
/// message and metadata (the request id included, as `hb.request.id`).
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let level = event.level, message = event.message, extra = event.metadata
        var fields: [String: String] = [
            "time": Date().formatted(.iso8601), "level": level.rawValue, "label": label, "message": message.description,
        ]
        for (k, v) in metadata.merging(extra ?? [:], uniquingKeysWith: { _, new in new }) { fields[k] = v.description }
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var data = try? e.encode(fields) else { return }
        data.append(0x0A)
        FileHandle.standardError.write(data)
    }
}
