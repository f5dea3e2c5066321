import Foundation
import Hummingbird
import MotCuaCore
import MotCuaStore
import MultipartKit
import NIOCore

/// A `multipart/form-data` upload read as it arrives: each file part is streamed into the blob
/// store (hashed, sniffed and size-checked on the way, never held whole in memory); the other
/// fields are kept as text (at most 64 KiB in all). The request body limit of ordinary forms does
/// not apply; `fileLimit` and `totalLimit` do.
struct StreamedForm {
    /// A file stored by the upload.
    struct File {
        let field: String
        let filename: String
        let contentType: String
        let sha256: String
        let size: Int
    }

    var values: [String: String] = [:]
    var files: [File] = []

    /// Why an upload was refused (the caller answers in the page's language).
    enum Failure: Error {
        case malformed
        case tooLarge(limit: Int)
        case rejected(name: String, FileRules.Problem)
        case tooManyFiles
        case storage
    }

    static let maxTextBytes = 64 * 1024
    static let maxFiles = 20

    subscript(_ key: String) -> String? {
        guard let v = values[key]?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return nil }
        return v
    }

    static func read(_ request: Request, blobs: BlobStore, fileLimit: Int, totalLimit: Int) async throws -> StreamedForm {
        guard let type = MediaType(request.headers[.contentType]), type.value == "multipart/form-data",
              let boundary = type.parameters["boundary"], FormBody.boundaryLengths.contains(boundary.utf8.count) else {
            throw Failure.malformed
        }
        let parser = MultipartParser(boundary: boundary)
        var form = StreamedForm()
        var headers: [String: String] = [:]
        var text = ByteBuffer()
        var writer: BlobWriter? = nil
        var fileInfo: (field: String, name: String, type: String)? = nil
        var started = false
        var failure: Failure? = nil
        var textBytes = 0, total = 0

        func begin() {
            started = true
            guard let disposition = MediaType(headers["content-disposition"], requireSlash: false), disposition.value == "form-data",
                  let name = disposition.parameters["name"] else { return }
            if let filename = disposition.parameters["filename"] {
                guard !filename.isEmpty else { return }  // an empty file input
                guard form.files.count < maxFiles else { failure = .tooManyFiles; return }
                let declared = MediaType(headers["content-type"])?.value ?? "application/octet-stream"
                fileInfo = (TextRules.normalized(name), TextRules.normalized(filename), declared)
                do { writer = try blobs.writer(contentType: declared, limit: fileLimit) } catch { failure = .storage }
            } else {
                fileInfo = nil
            }
        }
        parser.onHeader = { name, value in headers[name.lowercased()] = value }
        parser.onBody = { chunk in
            if !started { begin() }
            guard failure == nil else { return }
            if let w = writer {
                total += chunk.readableBytes
                if total > totalLimit { failure = .tooLarge(limit: totalLimit); w.discard(); return }
                do { try w.write(chunk.readableBytesView) } catch BlobError.tooLarge(let limit) { failure = .tooLarge(limit: limit) } catch { failure = .storage }
            } else if fileInfo == nil {
                textBytes += chunk.readableBytes
                if textBytes > maxTextBytes { failure = .malformed; return }
                text.writeBuffer(&chunk)
            }
        }
        parser.onPartComplete = {
            if !started { begin() }
            defer { headers = [:]; text = ByteBuffer(); writer = nil; fileInfo = nil; started = false }
            guard failure == nil else { return }
            if let w = writer, let info = fileInfo {
                if w.size == 0 { w.discard(); return }  // an empty file input sends an empty part
                do {
                    let (sha, size) = try w.finish()
                    form.files.append(File(field: info.field, filename: info.name, contentType: info.type, sha256: sha, size: size))
                } catch BlobError.rejected(let p) { failure = .rejected(name: info.name, p) } catch { failure = .storage }
            } else if fileInfo == nil, let disposition = MediaType(headers["content-disposition"], requireSlash: false),
                      let name = disposition.parameters["name"], disposition.parameters["filename"] == nil {
                let key = TextRules.normalized(name)
                if form.values[key] == nil { form.values[key] = TextRules.normalized(String(decoding: text.readableBytesView, as: UTF8.self)) }
            }
        }
        do {
            for try await chunk in request.body {
                try parser.execute(chunk)
                if let failure { writer?.discard(); throw failure }
            }
        } catch let f as Failure {
            throw f
        } catch {
            writer?.discard()
            throw Failure.malformed
        }
        if let failure { throw failure }
        for (k, v) in form.values where TextRules.problem(k, maxLength: .max) != nil || TextRules.problem(v, maxLength: .max, multiline: true) != nil {
            throw Failure.malformed
        }
        return form
    }
}
