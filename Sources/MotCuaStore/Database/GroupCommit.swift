import SQLKit
import Synchronization

/// Group commit: concurrent write units queue up; a lane takes every unit waiting,
/// runs them in one transaction — each inside its own SAVEPOINT, so a failing unit rolls back alone —
/// commits once, and only then answers each caller. A caller's success therefore always means its
/// unit is durable. While a batch commits, the next one gathers, so batches grow with load and
/// latency stays at about one commit when the system is idle.
final class GroupCommitWriter: Sendable {
    private struct Unit: Sendable {
        let run: @Sendable (any SQLDatabase) async throws -> Void
        let finish: @Sendable ((any Error)?) -> Void
        var attempts = 0
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

    /// Write units waiting for a batch.
    var pending: Int { state.withLock { $0.pending.count } }

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

    /// Commits a batch. First optimistically without savepoints (two statements fewer per unit);
    /// if any unit fails, the whole transaction is rolled back and the batch runs again with one
    /// savepoint per unit, so that only the failing unit is rolled back. A unit failing with a
    /// retryable error (a deadlock between app nodes on PostgreSQL) goes back to the queue, up to
    /// three times, instead of failing its caller.
    private func commit(_ batch: [Unit]) async {
        do {
            var outcomes = try await run(batch, savepoints: false)
            if outcomes == nil { outcomes = try await run(batch, savepoints: true) }
            guard let outcomes else { throw CancellationError() }
            batchSizes.withLock { $0 = ($0.batches + 1, $0.units + batch.count) }
            var retry: [Unit] = []
            for (unit, outcome) in zip(batch, outcomes) {
                if let error = outcome, backend.isRetryable(error), unit.attempts < 3 {
                    retry.append(Unit(run: unit.run, finish: unit.finish, attempts: unit.attempts + 1))
                } else {
                    unit.finish(outcome)
                }
            }
            if !retry.isEmpty { state.withLock { $0.pending.insert(contentsOf: retry, at: 0) } }
        } catch {
            for unit in batch { unit.finish(error) }
        }
    }

    /// Runs the batch in one transaction. Without savepoints, the units run on a `WriteBatch`
    /// (their append-only rows written together at the end) and nil is returned (after rolling
    /// back) as soon as a unit or the final write fails; with savepoints, every statement runs at
    /// once and each unit's outcome is returned.
    private func run(_ batch: [Unit], savepoints: Bool) async throws -> [(any Error)?]? {
        let kind = backend.kind
        return try await backend.withWriter { db in
            try await db.raw(Dialect.begin(kind)).run()
            do {
                var outcomes: [(any Error)?] = []
                if !savepoints {
                    let batched = WriteBatch(db)
                    do {
                        for unit in batch {
                            try await unit.run(batched)
                            outcomes.append(nil)
                        }
                        try await batched.flush()
                    } catch {
                        try await db.raw("ROLLBACK").run()
                        // A lone unit needs no second run: its outcome is known.
                        return batch.count == 1 ? [error] : nil
                    }
                }
                for (i, unit) in batch.enumerated() where savepoints {
                    try await db.raw(SQLQueryString("SAVEPOINT u\(unsafeRaw: String(i))")).run()
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
                try await db.raw("COMMIT").run()
                return outcomes
            } catch {
                try? await db.raw("ROLLBACK").run()
                throw error
            }
        }
    }
}
