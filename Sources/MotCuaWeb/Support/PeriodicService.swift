import Logging
import ServiceLifecycle

/// Work repeated every `interval` as a service of the server's service group (the calendar reload,
/// the audit checkpoints): it stops at graceful shutdown, and `atShutdown` runs once then.
public struct PeriodicService: Service {
    public let name: String
    public let interval: Duration
    public let logger: Logger
    public let work: @Sendable () async throws -> Void
    public let atShutdown: (@Sendable () async throws -> Void)?

    public init(name: String, interval: Duration, logger: Logger, work: @escaping @Sendable () async throws -> Void,
                atShutdown: (@Sendable () async throws -> Void)? = nil) {
        self.name = name
        self.interval = interval
        self.logger = logger
        self.work = work
        self.atShutdown = atShutdown
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                do { try await work() } catch { logger.error("\(name) failed", metadata: ["error": "\(error)"]) }
            }
        }
        if let atShutdown {
            do { try await atShutdown() } catch { logger.error("\(name) at shutdown failed", metadata: ["error": "\(error)"]) }
        }
    }
}
