import SQLKit
import Synchronization

/// Group commit (design-notes §1): concurrent write units queue up; a lane takes every unit waiting,
/// runs them in one transaction — each inside its own SAVEPOINT, so a failing unit rolls back alone —
/// commits once, and only then answers each caller. A caller's success therefore always means its
/// unit is durable. While a batch commits, the next one gathers, so batches grow with load and
/// latency stays at about one commit when the system is idle.
final class GroupCommitWriter: Sendable {
    private struct Unit: Sendable {
        let run: @Sendable (any SQLDatabase) async throws -> Void
        let finish: @Sendable ((any Error)?) -> Void
    }

    private struct State {
        var pending: [Unit] = []
        var activeLanes = 0
    }

    private let backend: any DatabaseBackend
    private let maxBatch: Int
    private let state = Mutex(State())
    private let batchSizes = Mutex<(batches: Int, units: Int)>((0, 0))

    init(backend: any DatabaseBackend, maxBatch: Int = 256) {
        self.backend = backend
        self.maxBatch = maxBatch
    }

    /// Batches committed and units in them since start (for metrics and benchmarks).
    var statistics: (batches: Int, units: Int) { batchSizes.withLock { $0 } }

    /// Runs `body` inside a transaction shared with other concurrent writes; returns after commit.
    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let result = Mutex<T?>(nil)
            let unit = Unit(
                run: { db in
                    let value = try await body(db)
                    result.withLock { $0 = value }
                },
                finish: { error in
                    if let error {
                        continuation.resume(throwing: error)
                    } else {
                        continuation.resume(returning: result.withLock { $0! })
                    }
                })
            let startLane = state.withLock { s -> Bool in
                s.pending.append(unit)
                if s.activeLanes < backend.writeLanes {
                    s.activeLanes += 1
                    return true
                }
                return false
            }
            if startLane { Task { await self.runLane() } }
        }
    }

    private func nextBatch() -> [Unit] {
        state.withLock { s in
            if s.pending.isEmpty {
                s.activeLanes -= 1
                return []
            }
            let n = min(maxBatch, s.pending.count)
            let batch = Array(s.pending.prefix(n))
            s.pending.removeFirst(n)
            return batch
        }
    }

    private func runLane() async {
        while true {
            let batch = nextBatch()
            if batch.isEmpty { return }
            await commit(batch)
        }
    }

    private func commit(_ batch: [Unit]) async {
        let kind = backend.kind
        do {
            let outcomes: [(any Error)?] = try await backend.withWriter { db in
                try await db.raw(Dialect.begin(kind)).run()
                do {
                    var outcomes: [(any Error)?] = []
                    if batch.count == 1 {
                        do {
                            try await batch[0].run(db)
                            outcomes.append(nil)
                        } catch {
                            try await db.raw("ROLLBACK").run()
                            return [error]
                        }
                    } else {
                        for (i, unit) in batch.enumerated() {
                            let sp = SQLQueryString("SAVEPOINT u\(unsafeRaw: String(i))")
                            try await db.raw(sp).run()
                            do {
                                try await unit.run(db)
                                try await db.raw(SQLQueryString("RELEASE SAVEPOINT u\(unsafeRaw: String(i))")).run()
                                outcomes.append(nil)
                            } catch {
                                try await db.raw(SQLQueryString("ROLLBACK TO SAVEPOINT u\(unsafeRaw: String(i))")).run()
                                try await db.raw(SQLQueryString("RELEASE SAVEPOINT u\(unsafeRaw: String(i))")).run()
                                outcomes.append(error)
                            }
                        }
                    }
                    try await db.raw("COMMIT").run()
                    return outcomes
                } catch {
                    try? await db.raw("ROLLBACK").run()
                    throw error
                }
            }
            batchSizes.withLock { $0 = ($0.batches + 1, $0.units + batch.count) }
            for (unit, outcome) in zip(batch, outcomes) { unit.finish(outcome) }
        } catch {
            for unit in batch { unit.finish(error) }
        }
    }
}
