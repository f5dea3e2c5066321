import MotCuaCore

/// The flat CSV list of procedures (RFC 4180 quoting), one row per procedure and channel.
public enum CatalogCSV {
    public static let header = ["code", "version", "name", "field", "level", "online_type", "internal", "channel", "limit", "unit", "fees_vnd"]

    public static func render(_ procedures: [Procedure]) -> String {
        var lines = [header.joined(separator: ",")]
        for p in procedures {
            for c in p.channels {
                let row = [p.code, String(p.version), p.name, p.field, p.level.rawValue, p.onlineType.rawValue, p.internal ? "true" : "false",
                           c.channel.rawValue, String(c.limit.amount), c.limit.unit.rawValue, String(c.fees.reduce(0) { $0 + $1.amount })]
                lines.append(row.map(quote).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func quote(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
