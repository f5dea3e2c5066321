import Foundation
import Synchronization

/// A task executor with one thread of its own, for SQLite's write connection: a write batch runs on
/// it from BEGIN to COMMIT without a thread hop per statement, and the fsync of COMMIT blocks this
/// thread, never one of the cooperative pool's (two on this machine) that serve the requests.
/// One per process: every SQLite database opened in it (tests open many) shares it, each still
/// serialised by its own writer lock.
final class WriterThread: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    /// The process's SQLite writer thread.
    static let shared = WriterThread(name: "motcua-sqlite-writer")

    private init(name: String) {
        let thread = Thread { self.loop() }
        thread.name = name
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        condition.lock()
        jobs.append(unowned)
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        var batch: [UnownedJob] = []
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            swap(&batch, &jobs)
            condition.unlock()
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
            batch.removeAll(keepingCapacity: true)
        }
    }
}
