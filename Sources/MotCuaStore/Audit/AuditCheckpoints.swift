import Crypto
import Foundation

/// A signed record of every audit chain's head at one moment.
public struct AuditCheckpoint: Codable, Sendable, Equatable {
    /// One chain's last entry.
    public struct Head: Codable, Sendable, Equatable {
        public var chain: String
        public var seq: Int
        public var hash: String
    }

    /// Format version.
    public var v = 1
    /// Unix seconds.
    public var at: Int
    /// Why it was written: `periodic`, `shutdown`, `manual` or `restore` (after `motcua restore`).
    public var reason: String
    public var heads: [Head]
    /// SHA-256 (hex) of the previous line of the file: the file is a chain too.
    public var previous: String
    /// Base64 Ed25519 signature over the canonical encoding of everything above.
    public var signature: String = ""

    var atText: String { ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(at))) }

    /// The bytes that are signed: the checkpoint without its signature, JSON with sorted keys.
    func signedBytes() -> Data {
        var unsigned = self
        unsigned.signature = ""
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? e.encode(unsigned)) ?? Data()
    }
}

/// The append-only checkpoint file (`auditCheckpoints`; by default one per database, see `ServerConfig`):
/// one signed JSON line per checkpoint, each naming the SHA-256 of the line before. The server
/// appends one every `auditCheckpointSeconds` when a head moved, and at shutdown; `audit verify`
/// checks the database against the last one, so a chain deleted with its head, or cut back with
/// its head moved, is named. Keep the file outside the database (ideally on storage the database
/// host cannot rewrite, or shipped off the machine).
public enum AuditCheckpoints {
    /// A checkpoint file that is damaged or was signed by another key.
    public struct Problem: Error, CustomStringConvertible {
        public let description: String
    }

    /// The lines of the file, each checked: it parses, its signature verifies with `key`, and it
    /// names the SHA-256 of the line before. Returns the checkpoints in order (empty if no file).
    public static func read(path: String, key: Curve25519.Signing.PublicKey) throws -> [AuditCheckpoint] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var out: [AuditCheckpoint] = []
        var previous = AuditLog.genesis
        for (i, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
            guard let c = try? JSONDecoder().decode(AuditCheckpoint.self, from: Data(line.utf8)),
                  let signature = Data(base64Encoded: c.signature) else {
                throw Problem(description: "\(path) line \(i + 1) is not a checkpoint")
            }
            guard key.isValidSignature(signature, for: c.signedBytes()) else {
                throw Problem(description: "\(path) line \(i + 1): the signature does not verify with the audit signing key")
            }
            guard c.previous == previous else {
                throw Problem(description: "\(path) line \(i + 1) does not follow line \(i) (lines removed or reordered)")
            }
            previous = CivilHex.string(SHA256.hash(data: Data(line.utf8)))
            out.append(c)
        }
        return out
    }

    /// Appends a signed checkpoint of the current heads when they differ from the last line (or
    /// always, for `restore` and `manual`). Returns the checkpoint written, if any. The line is
    /// flushed to disk before returning.
    @discardableResult
    public static func write(_ database: Database, keys: AuditKeys, path: String, reason: String, now: Date) async throws -> AuditCheckpoint? {
        // One writer at a time (the server's periodic writes, `motcua audit checkpoint`, a restore):
        // an exclusive lock on the file around read-and-append keeps the lines chained.
        let lock = try Lock(path: path)
        defer { lock.release() }
        let existing = try read(path: path, key: keys.publicKey)
        let heads = try await AuditLog.heads(database)
        if let last = existing.last, last.heads == heads, reason == "periodic" || reason == "shutdown" { return nil }
        let previousLine = try lastLine(path)
        var c = AuditCheckpoint(at: Int(now.timeIntervalSince1970), reason: reason, heads: heads,
                                previous: previousLine.map { CivilHex.string(SHA256.hash(data: Data($0.utf8))) } ?? AuditLog.genesis)
        c.signature = try keys.signingKey.signature(for: c.signedBytes()).base64EncodedString()
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var line = try e.encode(c)
        line.append(0x0A)
        try append(line, to: path)
        return c
    }

    static func lastLine(_ path: String) throws -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").last.map(String.init)
    }

    static func append(_ data: Data, to path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty && !FileManager.default.fileExists(atPath: dir) {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o600)
        guard fd >= 0 else { throw Problem(description: "cannot open \(path) for appending (errno \(errno))") }
        defer { close(fd) }
        let written = data.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        guard written == data.count, fsync(fd) == 0 else { throw Problem(description: "cannot write \(path) (errno \(errno))") }
    }
}

/// An exclusive advisory lock (`flock`) on a file, held until `release`.
struct Lock {
    let fd: Int32

    init(path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty && !FileManager.default.fileExists(atPath: dir) {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        fd = open(path, O_RDWR | O_CREAT, 0o600)
        guard fd >= 0 else { throw AuditCheckpoints.Problem(description: "cannot open \(path) (errno \(errno))") }
        guard flock(fd, LOCK_EX) == 0 else {
            close(fd)
            throw AuditCheckpoints.Problem(description: "cannot lock \(path) (errno \(errno))")
        }
    }

    func release() {
        _ = flock(fd, LOCK_UN)
        close(fd)
    }
}
