import Foundation

/// Failed-login throttling as a value (no clock, no I/O: `now` is passed in).
///
/// Three counters, each with growing delays rather than a hard lock (after `free` failures in the
/// window, the next attempt waits 2, 4, 8 … seconds, at most `maxDelay`):
/// - per username from addresses the account has not logged in from (`user`): a password-guessing
///   attack on one officer from anywhere is slowed, yet the officer's usual address is exempt, so
///   nobody can lock an officer out from elsewhere;
/// - per username and address (`pair`): guessing from the officer's usual address is slowed too;
/// - per address (`client`): one address trying many usernames is slowed.
/// The tables are bounded (`capacity` keys each; the oldest are dropped) and pruned as the window
/// passes, so a flood of distinct usernames or addresses cannot grow memory.
///
/// `attempt` checks and counts in one step (a failure is presumed until `recordSuccess` takes it
/// back), so parallel guesses cannot all pass the check before any failure is counted. The usual
/// addresses are kept in memory per node: after a restart, or on another node, an officer's
/// address becomes usual again at the first successful login from it.
public struct LoginThrottle: Sendable {
    /// Whether an attempt may be checked now, or must wait.
    public enum Decision: Equatable, Sendable {
        case allowed
        case wait(seconds: Int)
    }

    struct Counter: Sendable {
        var failures: Int
        var last: Date
    }

    public var window: TimeInterval = 15 * 60
    public var maxDelay: TimeInterval = 15 * 60
    public var userFree = 5
    public var pairFree = 5
    public var clientFree = 20
    public var capacity = 10_000
    /// Addresses remembered per account as "usual" after a successful login.
    public var usualPerUser = 5

    var user: [String: Counter] = [:]
    var pair: [String: Counter] = [:]
    var client: [String: Counter] = [:]
    var usual: [String: [String]] = [:]
    var lastPrune: Date? = nil

    public init() {}

    /// The delay after `failures` failures of which `free` are free.
    public static func delay(failures: Int, free: Int, max: TimeInterval) -> TimeInterval {
        guard failures >= free else { return 0 }
        let exponent = Swift.min(failures - free + 1, 20)
        return Swift.min(pow(2, Double(exponent)), max)
    }

    /// Whether `username` may try to log in from `address` at `now`.
    public mutating func check(username: String, address: String, now: Date) -> Decision {
        prune(now: now)
        let u = username.lowercased()
        var waits: [TimeInterval] = [remaining(pair["\(u)|\(address)"], free: pairFree, now: now),
                                     remaining(client[address], free: clientFree, now: now)]
        if !(usual[u]?.contains(address) ?? false) { waits.append(remaining(user[u], free: userFree, now: now)) }
        let wait = waits.max() ?? 0
        return wait > 0 ? .wait(seconds: Int(wait.rounded(.up))) : .allowed
    }

    /// Checks and, when allowed, counts the attempt as a failure at once (taken back by
    /// `recordSuccess`), so that concurrent attempts see each other.
    public mutating func attempt(username: String, address: String, now: Date) -> Decision {
        let decision = check(username: username, address: address, now: now)
        if decision == .allowed { recordFailure(username: username, address: address, now: now) }
        return decision
    }

    /// Records a wrong password (or an unknown username).
    public mutating func recordFailure(username: String, address: String, now: Date) {
        let u = username.lowercased()
        Self.bump(&pair, "\(u)|\(address)", now: now, capacity: capacity)
        Self.bump(&client, address, now: now, capacity: capacity)
        if !(usual[u]?.contains(address) ?? false) { Self.bump(&user, u, now: now, capacity: capacity) }
    }

    /// Records a successful login: the pair's failures are forgotten and the address becomes usual.
    public mutating func recordSuccess(username: String, address: String) {
        let u = username.lowercased()
        pair["\(u)|\(address)"] = nil
        // Take back the failure `attempt` presumed.
        if var c = client[address] { c.failures -= 1; client[address] = c.failures > 0 ? c : nil }
        if !(usual[u]?.contains(address) ?? false), var c = user[u] { c.failures -= 1; user[u] = c.failures > 0 ? c : nil }
        var addresses = usual[u, default: []].filter { $0 != address }
        addresses.append(address)
        usual[u] = Array(addresses.suffix(usualPerUser))
        if usual.count > capacity, let victim = usual.keys.first(where: { $0 != u }) { usual[victim] = nil }
    }

    /// Keys held, for tests and metrics.
    public var size: Int { user.count + pair.count + client.count + usual.count }

    private func remaining(_ c: Counter?, free: Int, now: Date) -> TimeInterval {
        guard let c else { return 0 }
        let until = c.last.addingTimeInterval(Self.delay(failures: c.failures, free: free, max: maxDelay))
        return max(0, until.timeIntervalSince(now))
    }

    private static func bump(_ table: inout [String: Counter], _ key: String, now: Date, capacity: Int) {
        if var c = table[key] {
            c.failures += 1
            c.last = now
            table[key] = c
            return
        }
        if table.count >= capacity, let oldest = table.min(by: { $0.value.last < $1.value.last })?.key { table[oldest] = nil }
        table[key] = Counter(failures: 1, last: now)
    }

    /// Forgets counters whose last failure is older than the window and whose delay has passed.
    private mutating func prune(now: Date) {
        if let last = lastPrune, now.timeIntervalSince(last) < 60 { return }
        lastPrune = now
        func keep(_ c: Counter) -> Bool { now.timeIntervalSince(c.last) < max(window, maxDelay) }
        user = user.filter { keep($0.value) }
        pair = pair.filter { keep($0.value) }
        client = client.filter { keep($0.value) }
    }
}
