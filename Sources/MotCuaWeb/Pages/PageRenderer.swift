import Foundation
import Hummingbird
import Mustache
import NIOCore

/// Renders the server-side HTML pages from the Mustache templates shipped as resources.
public struct PageRenderer: Sendable {
    let library: MustacheLibrary

    public init() async throws {
        guard let dir = Bundle.module.url(forResource: "Resources/templates", withExtension: nil) else {
            throw APIError(.internalServerError, code: "internal_error", "templates missing from the bundle")
        }
        library = try await MustacheLibrary(directory: dir.path)
    }

    /// Renders `template` inside the layout with a page title.
    func page(_ template: String, title: String, _ context: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        var ctx = context
        ctx["pageTitle"] = title
        let html = library.render(ctx, withTemplate: template) ?? "<!doctype html><title>Lỗi</title><p>Không hiển thị được trang.</p>"
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// A Vietnamese error page; with the staff member's layout (header, logout) when `layout` is given.
    func errorPage(_ error: APIError, layout: [String: Any] = [:]) -> Response {
        let message: String
        switch error.status.code {
        case 404: message = DeskMessages.isVietnamese(error.message) ? error.message : "Không tìm thấy trang bạn yêu cầu."
        case 405: message = "Phương thức không được hỗ trợ cho địa chỉ này."
        case 413: message = "Dữ liệu gửi lên quá lớn."
        case 429: message = "Thao tác quá nhiều lần. Vui lòng thử lại sau ít phút."
        case 400..<500: message = DeskMessages.vietnamese(error)
        default: message = "Hệ thống đang gặp sự cố. Vui lòng thử lại sau."
        }
        var context = layout
        context["status"] = error.status.code
        context["message"] = message
        context["home"] = layout["staff"] != nil ? "/can-bo" : "/"
        return page("error", title: "Lỗi \(error.status.code)", context, status: error.status)
    }
}
