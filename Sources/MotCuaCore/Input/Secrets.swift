/// Small helpers for secrets and digests (pure): lower-case hex, and comparison in constant time
/// (for check values, signatures and OpenID Connect state/nonce, so timing tells nothing).
public enum Secrets {
    /// Lower-case hex of bytes (a SHA-256 digest as the database and the gateway spell it).
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether two strings are equal, in time that depends only on their length.
    public static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
