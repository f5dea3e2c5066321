import Foundation
import Hummingbird
import MotCuaCore
import MotCuaStore

/// Uploads of the portal (a draft's components, a supplement's) and the component table shared by
/// the draft page and the supplement form.
enum PortalUploads {
    /// The component named by its index in the case (form field `component`), nil when unknown.
    static func component(_ index: String?, _ p: Procedure, _ caseCode: String?) -> String? {
        guard let index, let i = Int(index), let c = p.procedureCase(caseCode), c.components.indices.contains(i) else { return nil }
        return c.components[i].name
    }

    /// Streams the request's files into the blob store and attaches them to `owner` under the
    /// component of field `component`; returns a Vietnamese error or nil.
    static func receive(_ request: Request, _ session: CitizenSession, _ services: AppServices, owner: AttachmentOwner, procedure p: Procedure,
                        caseCode: String?, attached: [AttachedDocument]) async throws -> String? {
        let used = attached.reduce(0) { $0 + $1.document.size }
        let room = services.portal.uploadDossierLimit - used
        guard room > 0 else { return "Hồ sơ đã đạt dung lượng tối đa \(services.portal.uploadDossierLimit / (1024 * 1024)) MB." }
        let form: StreamedForm
        do {
            form = try await StreamedForm.read(request, blobs: services.blobs, fileLimit: services.portal.uploadFileLimit, totalLimit: room)
        } catch let f as StreamedForm.Failure {
            if case .tooLarge(let limit) = f, limit == room {
                return "Tổng dung lượng các tệp của hồ sơ vượt quá \(services.portal.uploadDossierLimit / (1024 * 1024)) MB."
            }
            return PortalMessages.upload(f)
        }
        guard let component = component(form["component"], p, caseCode) else { return "Hãy chọn thành phần hồ sơ cần đính kèm." }
        guard !form.files.isEmpty else { return "Hãy chọn tệp cần tải lên." }
        for f in form.files {
            guard TextRules.problem(f.filename, maxLength: TextRules.Limit.fileName) == nil, !f.filename.contains("/"), !f.filename.contains("\\") else {
                return "Tên tệp quá dài (tối đa 200 ký tự) hoặc chứa ký tự không hợp lệ."
            }
        }
        for f in form.files {
            _ = try await services.citizenDocuments.addUpload(citizenID: session.account.id, owner: owner, component: component, name: f.filename,
                                                              contentType: f.contentType, sha256: f.sha256, size: f.size, now: services.now())
        }
        return nil
    }

    static func sizeText(_ bytes: Int) -> String {
        bytes >= 1024 * 1024 ? "\(bytes * 10 / (1024 * 1024) / 10),\(bytes * 10 / (1024 * 1024) % 10) MB" : "\(max(1, bytes / 1024)) KB"
    }

    /// One row per component of the case: what is attached (reused marked), an upload form and a
    /// choice from the citizen's store.
    static func componentRows(_ c: ProcedureCase?, attached: [AttachedDocument], store: [CitizenDocument], csrf: String,
                              uploadAction: String, reuseAction: String, removeAction: String, only: Set<String>? = nil) -> [[String: Any]] {
        guard let c else { return [] }
        return c.components.enumerated().compactMap { i, comp -> [String: Any]? in
            if let only, !only.contains(comp.name) { return nil }
            let here = attached.filter { $0.component == comp.name }
            let ids = Set(here.map(\.document.id))
            let choices = store.filter { !ids.contains($0.id) }
            // An empty action means the form is not offered (swift-mustache treats "" as present).
            return ["index": i, "name": comp.name, "required": comp.required, "template": comp.template ?? false,
                    "uploadAction": "\(uploadAction)?csrf=\(csrf)", "reuseAction": reuseAction.isEmpty ? false : reuseAction,
                    "removeAction": removeAction.isEmpty ? false : removeAction,
                    "attached": here.map { d in
                        ["id": d.document.id, "name": d.document.name, "size": sizeText(d.document.size), "reused": d.reused,
                         "component": comp.name] as [String: Any]
                    },
                    "hasAttached": !here.isEmpty,
                    "choices": choices.map { ["id": $0.id, "label": "\($0.name) (\($0.source == "result" ? "kết quả điện tử" : "đã tải lên") \(VietnameseFormat.date(DeadlineCalculator.localDate(of: $0.createdAt))))"] },
                    "hasChoices": !choices.isEmpty]
        }
    }
}
