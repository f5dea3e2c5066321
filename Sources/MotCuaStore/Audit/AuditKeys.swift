import Crypto
import Foundation
import Synchronization

/// The secrets that make the audit log tamper-evident for someone who can write the database but
/// not the application's key folder: an HMAC-SHA-256 key for every entry's hash, and an Ed25519
/// key that signs checkpoints of every chain head.
///
/// They live in a folder outside the database (`auditKeyDir`, default `motcua-data/keys`), created
/// on first start with 0600 permissions: `audit-hmac.key` (the current HMAC key, base64),
/// `audit-hmac-retired-<id>.key` (earlier keys, still needed to verify older entries) and
/// `audit-signing.key` (the Ed25519 private key, base64 of its 32 raw bytes). Every app node of a
/// PostgreSQL deployment needs the same folder contents; back it up apart from the database.
public struct AuditKeys: Sendable {
    /// The key that hashes new entries, and its id (first 16 hex digits of its SHA-256).
    public let current: (id: String, key: SymmetricKey)
    /// Every HMAC key by id (current and retired).
    public let hmacKeys: [String: SymmetricKey]
    public let signingKey: Curve25519.Signing.PrivateKey
    /// Per chain, the last entry written before audit keys existed: only entries up to it may be
    /// unkeyed (so an attacker cannot pass off a rewritten chain as old unkeyed entries). Read from
    /// `audit-legacy.json` in the key folder, written once when the keys are first used.
    public var legacyBoundary: [String: Int] = [:]

    public init(hmac: SymmetricKey, retired: [SymmetricKey] = [], signingKey: Curve25519.Signing.PrivateKey) {
        let id = Self.id(of: hmac)
        current = (id, hmac)
        var all = Dictionary(retired.map { (Self.id(of: $0), $0) }, uniquingKeysWith: { a, _ in a })
        all[id] = hmac
        hmacKeys = all
        self.signingKey = signingKey
    }

    /// Fresh random keys (tests, and a process that was given none).
    public static func ephemeral() -> AuditKeys {
        AuditKeys(hmac: SymmetricKey(size: .bits256), signingKey: Curve25519.Signing.PrivateKey())
    }

    public static func id(of key: SymmetricKey) -> String {
        key.withUnsafeBytes { SHA256.hash(data: Data($0)) }.prefix(8).map { CivilHex.byte($0) }.joined()
    }

    public var publicKey: Curve25519.Signing.PublicKey { signingKey.publicKey }

    /// The first 12 hex digits of the SHA-256 of a text (file names that tell databases apart).
    public static func shortDigest(_ text: String) -> String {
        String(CivilHex.string(SHA256.hash(data: Data(text.utf8))).prefix(12))
    }

    static let hmacFile = "audit-hmac.key", signingFile = "audit-signing.key", retiredPrefix = "audit-hmac-retired-"
    static let legacyFile = "audit-legacy.json"

    /// Whether the legacy boundary has been recorded in `directory`.
    public static func hasLegacyBoundary(directory: String) -> Bool {
        FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent(legacyFile))
    }

    /// Records, once, which entries predate the keys (the heads of a database being upgraded; none
    /// for a new one).
    public static func recordLegacyBoundary(directory: String, heads: [String: Int]) throws {
        let path = (directory as NSString).appendingPathComponent(legacyFile)
        guard !FileManager.default.fileExists(atPath: path) else { return }
        let data = try JSONEncoder.sorted.encode(heads)
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw AuditKeyError("cannot create \(path)")
        }
    }

    /// Loads the keys from `directory`, creating the folder and missing keys (0600) when `create`.
    public static func load(directory: String, create: Bool = true) throws -> AuditKeys {
        let fm = FileManager.default
        if create && !fm.fileExists(atPath: directory) {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        func read(_ name: String, make: () -> Data) throws -> Data {
            let path = (directory as NSString).appendingPathComponent(name)
            if let text = fm.contents(atPath: path) {
                guard let data = Data(base64Encoded: String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)),
                      data.count == 32 else { throw AuditKeyError("\(path) is not a base64 key of 32 bytes") }
                return data
            }
            guard create else { throw AuditKeyError("\(path) is missing") }
            let data = make()
            guard fm.createFile(atPath: path, contents: Data((data.base64EncodedString() + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
                throw AuditKeyError("cannot create \(path)")
            }
            return data
        }
        let hmac = try read(hmacFile) { SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) } }
        let signing = try read(signingFile) { Curve25519.Signing.PrivateKey().rawRepresentation }
        let retired = try (fm.contentsOfDirectory(atPath: directory)).filter { $0.hasPrefix(retiredPrefix) && $0.hasSuffix(".key") }.sorted()
            .map { try read($0) { Data() } }.map { SymmetricKey(data: $0) }
        var keys: AuditKeys
        do {
            keys = AuditKeys(hmac: SymmetricKey(data: hmac), retired: retired, signingKey: try Curve25519.Signing.PrivateKey(rawRepresentation: signing))
        } catch {
            throw AuditKeyError("\(signingFile) is not an Ed25519 private key")
        }
        if let data = fm.contents(atPath: (directory as NSString).appendingPathComponent(legacyFile)) {
            guard let boundary = try? JSONDecoder().decode([String: Int].self, from: data) else { throw AuditKeyError("\(legacyFile) is damaged") }
            keys.legacyBoundary = boundary
        }
        return keys
    }

    /// Retires the current HMAC key (kept to verify older entries) and creates a new one; returns the
    /// new key's id. Running nodes must be restarted to use it.
    public static func rotate(directory: String) throws -> String {
        let keys = try load(directory: directory, create: false)
        let fm = FileManager.default
        let current = (directory as NSString).appendingPathComponent(hmacFile)
        try fm.moveItem(atPath: current, toPath: (directory as NSString).appendingPathComponent("\(retiredPrefix)\(keys.current.id).key"))
        return try load(directory: directory, create: true).current.id
    }
}

/// A key file that cannot be used.
public struct AuditKeyError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

/// The keys the process appends audit entries with: set once at start (`motcua serve` and the
/// commands load them from the key folder); a process that sets none uses ephemeral keys.
public enum AuditKeyring {
    private static let storage = Mutex<AuditKeys>(AuditKeys.ephemeral())
    public static var current: AuditKeys { storage.withLock { $0 } }
    public static func install(_ keys: AuditKeys) { storage.withLock { $0 = keys } }
}

/// Lower-case hex of bytes (no `String(format:)` on hot paths).
public enum CivilHex {
    static let digits = Array("0123456789abcdef")
    static func byte(_ b: UInt8) -> String { String([digits[Int(b >> 4)], digits[Int(b & 0x0F)]]) }
    /// The bytes as lower-case hex, two digits each.
    public static func string<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        var out = ""
        out.reserveCapacity(64)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0x0F)]) }
        return out
    }
}

extension JSONEncoder {
    /// Sorted keys, no escaped slashes: the canonical JSON of the audit files.
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }
}
