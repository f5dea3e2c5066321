import Foundation
import Hummingbird
import MotCuaCore
import MotCuaStore

/// What the desk sees of an online submission: the files the citizen attached per component
/// (reused ones marked, for indicator 4.3), the postal return address, and a download of each file
/// (audited on the dossier's chain, visible to those who may see the dossier).
enum DeskOnlineDocuments {
    static func register(_ routes: inout RouteRegistry, services: AppServices) {
        routes.get("/can-bo/ho-so/:code/tai-lieu/:id") { request, context in
            let session = try await DeskSession.require(request, services)
            let code = try context.parameters.require("code"), id = try context.parameters.require("id")
            guard let s = try await services.dossiers.state(code: code), try await services.dossiers.canSee(s, actor: session.member),
                  let d = try await services.onlineDossiers.staffDocument(code: code, documentID: id, chain: s.agencyCode, by: session.member.username,
                                                                          now: services.now()) else {
                throw APIError.notFound("Không tìm thấy tệp.")
            }
            return try PortalDossierPages.download(d, services)
        }
    }

    /// The page context of the online part of a dossier, nil for counter dossiers.
    static func context(code: String, _ services: AppServices) async throws -> [String: Any]? {
        guard let view = try await services.onlineDossiers.deskView(code: code) else { return nil }
        return present([
            "files": view.documents.map { d in
                ["name": d.document.name, "component": d.component, "reused": d.reused, "size": PortalUploads.sizeText(d.document.size),
                 "href": "/can-bo/ho-so/\(code)/tai-lieu/\(d.document.id)"] as [String: Any]
            },
            "hasFiles": !view.documents.isEmpty,
            "reusedCount": view.documents.filter(\.reused).count,
            "postalAddress": view.postalAddress,
            "postalFee": view.postalAddress == nil ? nil : Money.vnd(services.portal.postalReturnFee),
        ])
    }
}
