import Crypto
import Foundation
import MotCuaCore

/// Content-addressed file storage outside the database rows: a file is kept once, at
/// `root/ab/abcdef…` named by the SHA-256 of its bytes; the database keeps only metadata (name,
/// type, size, hash, owner). Uploads stream into a temporary file in the same folder while being
/// hashed and checked, then are renamed into place (atomic on one file system), so a crash never
/// leaves a half-written blob under a hash name. App nodes share the folder (a shared mount).
public struct BlobStore: Sendable {
    public let root: URL

    public init(root: String) {
        self.root = URL(fileURLWithPath: root, isDirectory: true)
    }

    /// Where the blob of `sha256` lives (nil for anything that is not 64 lower-case hex digits).
    public func url(for sha256: String) -> URL? {
        guard sha256.count == 64, sha256.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
        return root.appendingPathComponent(String(sha256.prefix(2)), isDirectory: true).appendingPathComponent(sha256)
    }

    /// Whether the blob exists.
    public func contains(_ sha256: String) -> Bool {
        url(for: sha256).map { FileManager.default.fileExists(atPath: $0.path) } ?? false
    }

    /// The blob's bytes (downloads are bounded by the per-file upload limit).
    public func read(_ sha256: String) throws -> Data {
        guard let u = url(for: sha256) else { throw BlobError.notFound }
        do { return try Data(contentsOf: u) } catch { throw BlobError.notFound }
    }

    /// A writer for one upload of at most `limit` bytes declared as `contentType`.
    public func writer(contentType: String, limit: Int) throws -> BlobWriter {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let temp = root.appendingPathComponent(".upload-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: temp.path, contents: nil, attributes: [.posixPermissions: 0o600]),
              let handle = try? FileHandle(forWritingTo: temp) else { throw BlobError.storage("cannot create \(temp.path)") }
        return BlobWriter(store: self, temp: temp, handle: handle, contentType: contentType, limit: limit)
    }
}

/// Why a blob cannot be stored or read.
public enum BlobError: Error, Equatable, CustomStringConvertible {
    case tooLarge(limit: Int)
    case rejected(FileRules.Problem)
    case notFound
    case storage(String)

    public var description: String {
        switch self {
        case .tooLarge(let limit): "the file is larger than \(limit) bytes"
        case .rejected(let p): "the file is refused: \(p.rawValue)"
        case .notFound: "no such file"
        case .storage(let s): "file storage error: \(s)"
        }
    }
}

/// One upload in progress: bytes are hashed and appended to a temporary file as they arrive; the
/// first 64 KiB are kept to sniff the type, and XML is scanned chunk by chunk (with an overlap) for
/// XHTML or SVG content. Used by a single task.
public final class BlobWriter {
    let store: BlobStore
    let temp: URL
    let handle: FileHandle
    let contentType: String
    let limit: Int
    private var hasher = SHA256()
    private var head = Data()
    private var tail = Data()
    private var activeContent = false
    public private(set) var size = 0
    private var closed = false

    init(store: BlobStore, temp: URL, handle: FileHandle, contentType: String, limit: Int) {
        self.store = store
        self.temp = temp
        self.handle = handle
        self.contentType = contentType
        self.limit = limit
    }

    /// Appends bytes; throws `tooLarge` (and discards the upload) past the limit.
    public func write(_ bytes: some Collection<UInt8>) throws {
        guard !closed else { return }
        size += bytes.count
        guard size <= limit else {
            discard()
            throw BlobError.tooLarge(limit: limit)
        }
        let data = Data(bytes)
        hasher.update(data: data)
        if head.count < 65_536 { head.append(data.prefix(65_536 - head.count)) }
        if contentType == "application/xml" || contentType == "text/xml" {
            let window = tail + data
            if FileRules.hasActiveContent(window) { activeContent = true }
            tail = window.suffix(64)
        }
        do { try handle.write(contentsOf: data) } catch {
            discard()
            throw BlobError.storage("\(error)")
        }
    }

    /// Checks the file, moves it under its hash and returns (sha256, size); on a refused file the
    /// upload is discarded and `rejected` thrown.
    public func finish() throws -> (sha256: String, size: Int) {
        guard !closed else { throw BlobError.storage("upload already closed") }
        if let problem = FileRules.problem(head, type: contentType) ?? (activeContent ? .activeContent : nil) {
            discard()
            throw BlobError.rejected(problem)
        }
        closed = true
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            try? FileManager.default.removeItem(at: temp)
            throw BlobError.storage("\(error)")
        }
        let digest = Secrets.hex(hasher.finalize())
        guard let target = store.url(for: digest) else { throw BlobError.storage("bad digest") }
        let fm = FileManager.default
        if fm.fileExists(atPath: target.path) {
            try? fm.removeItem(at: temp)  // the same bytes are already stored
        } else {
            do {
                try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                // rename(2) replaces atomically; another node storing the same bytes is harmless.
                guard rename(temp.path, target.path) == 0 else { throw BlobError.storage("cannot move the upload into place") }
            } catch {
                try? fm.removeItem(at: temp)
                throw BlobError.storage("\(error)")
            }
        }
        return (digest, size)
    }

    /// Drops the upload.
    public func discard() {
        guard !closed else { return }
        closed = true
        try? handle.close()
        try? FileManager.default.removeItem(at: temp)
    }

    deinit { discard() }
}
