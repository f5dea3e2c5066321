import Foundation
import MotCuaCore

/// Parsing and printing instants for the API: ISO 8601 with an offset, printed in Vietnam's time.
public enum VietnamTime {
    /// `2026-02-17T08:00:00+07:00`.
    public static func iso(_ date: Date) -> String {
        let t = Int(date.timeIntervalSince1970.rounded(.down)) + DeadlineCalculator.utcOffset
        let day = Int((Double(t) / 86400).rounded(.down))
        let s = t - day * 86400
        let d = CivilDate(julianDay: day + CivilDate.unixEpochJDN)
        return "\(d)T\(CivilDate.zeroPadded(s / 3600, 2)):\(CivilDate.zeroPadded(s / 60 % 60, 2)):\(CivilDate.zeroPadded(s % 60, 2))+07:00"
    }

    /// Parses an instant with a zone (`Z` or `±hh:mm`), with or without fractional seconds; a bare
    /// date-time without zone is read as Vietnam's time.
    public static func parse(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: text) { return d }
        if text.count == 19 { return parse(text + "+07:00") }
        if text.count == 16 { return parse(text + ":00+07:00") }
        return nil
    }
}
