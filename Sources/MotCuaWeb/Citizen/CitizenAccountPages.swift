import Foundation
import Hummingbird
import MotCuaCore
import MotCuaStore

/// The portal's account pages (Vietnamese, no JavaScript): register, confirm the e-mail, log in
/// and out, the profile. Forms before login carry a double-submit CSRF token; after login the
/// session's own.
enum CitizenAccountPages {
    static func register(_ routes: inout RouteRegistry, services: AppServices) {
        routes.get("/dang-ky") { request, context in formPage("citizen-register", "Đăng ký tài khoản", request, context, services, [:], status: .ok) }
        routes.post("/dang-ky") { request, context in try await registerPost(request, context, services) }
        routes.get("/xac-nhan-email") { request, _ in
            do {
                let account = try await services.citizens.confirmEmail(secret: request.query("ma") ?? "", now: services.now())
                return services.pages.page("message", title: "Đã xác nhận thư điện tử",
                                           ["heading": "Đã xác nhận thư điện tử",
                                            "text": "Tài khoản \(account.email ?? "") đã được xác nhận. Ông/Bà có thể đăng nhập và nộp hồ sơ trực tuyến.",
                                            "link": ["href": "/dang-nhap", "label": "Đăng nhập"]])
            } catch let e as CitizenError {
                return services.pages.page("message", title: "Không xác nhận được", ["heading": "Không xác nhận được", "errorMessage": PortalMessages.citizen(e)],
                                           status: .badRequest)
            }
        }
        routes.get("/xac-nhan-sdt") { request, context in formPage("citizen-phone", "Xác nhận số điện thoại", request, context, services, [:], status: .ok) }
        routes.post("/xac-nhan-sdt") { request, context in
            let form = try await FormBody.read(request, context: context)
            func fail(_ message: String, _ status: HTTPResponse.Status) -> Response {
                formPage("citizen-phone", "Xác nhận số điện thoại", request, context, services, ["phone": form["phone"] ?? "", "errorMessage": message], status: status)
            }
            guard let sent = form["csrf"], sent == StaffAuth.cookie(request, CitizenAuth.formCSRFCookie) else {
                return fail("Phiên làm việc đã hết hạn, vui lòng nhập lại.", .forbidden)
            }
            let phone = CitizenRules.loginKey(form["phone"] ?? "")
            do {
                // Codes are guessed like passwords: the same throttle.
                try services.citizenAuth.throttle.admit("sms:" + phone, client: services.security.clientAddress(request, peer: context.remoteAddress), now: services.now())
                _ = try await services.citizens.confirmPhone(phone, code: form["code"] ?? "", now: services.now())
            } catch let e as APIError where e.status == .tooManyRequests {
                return fail("Nhập sai quá nhiều lần. Vui lòng thử lại sau \(e.headers[.retryAfter] ?? "ít phút") giây.", .tooManyRequests)
            } catch is CitizenError {
                return fail("Mã xác nhận không đúng hoặc đã hết hạn.", .badRequest)
            }
            services.citizenAuth.throttle.succeeded("sms:" + phone, client: services.security.clientAddress(request, peer: context.remoteAddress))
            return services.pages.page("message", title: "Đã xác nhận số điện thoại", [
                "heading": "Đã xác nhận số điện thoại", "text": "Số điện thoại \(phone) đã được xác nhận. Ông/Bà có thể đăng nhập và nộp hồ sơ trực tuyến.",
                "link": ["href": "/dang-nhap", "label": "Đăng nhập"]])
        }
        routes.get("/dang-nhap") { request, context in
            formPage("citizen-login", "Đăng nhập", request, context, services, ["next": CitizenSession.safeNext(request.query("next"))], status: .ok)
        }
        routes.post("/dang-nhap") { request, context in try await loginPost(request, context, services) }
        routes.post("/dang-xuat") { request, context in
            let session = try await CitizenSession.require(request, services)
            try session.checkCSRF(try await FormBody.read(request, context: context)["csrf"])
            try await services.citizens.revoke(token: session.token)
            let secure = services.security.isSecure(request, peer: context.remoteAddress)
            throw DeskRedirect(location: "/", cookie: services.security.cookie(CitizenAuth.cookieName, "", maxAge: 0, secure: secure))
        }
        routes.get("/ca-nhan") { request, _ in
            let session = try await CitizenSession.require(request, services)
            return profilePage(session, services, flash: request.query("ok") == "1" ? "Đã lưu thông tin." : nil, errors: [], status: .ok)
        }
        routes.post("/ca-nhan") { request, context in
            let session = try await CitizenSession.require(request, services)
            let form = try await FormBody.read(request, context: context)
            try session.checkCSRF(form["csrf"])
            let name = form["fullName"] ?? "", address = form["address"], phone = form["phone"].map(CitizenRules.loginKey)
            var errors: [String] = []
            if name.count < 2 { errors.append(PortalMessages.problem(FieldProblem("fullName", "required"))) }
            for (f, v, limit) in [("fullName", name, TextRules.Limit.personName), ("address", address ?? "", TextRules.Limit.address)] {
                if let p = TextRules.problem(v, maxLength: limit) { errors.append(PortalMessages.problem(FieldProblem(f, p.rawValue))) }
            }
            if let p = phone, !Intake.isPhone(p) { errors.append(PortalMessages.problem(FieldProblem("phone", "invalid_phone"))) }
            guard errors.isEmpty else { return profilePage(session, services, flash: nil, errors: errors, status: .unprocessableContent) }
            do {
                try await services.citizens.updateProfile(id: session.account.id, fullName: name, address: address, phone: phone)
            } catch let e as CitizenError {
                return profilePage(session, services, flash: nil, errors: [PortalMessages.citizen(e)], status: .conflict)
            }
            throw DeskRedirect(location: "/ca-nhan?ok=1")
        }
    }

    /// A pre-login form with a fresh double-submit CSRF token (cookie + hidden field).
    static func formPage(_ template: String, _ title: String, _ request: Request, _ context: AppRequestContext, _ services: AppServices,
                         _ values: [String: Any], status: HTTPResponse.Status) -> Response {
        let csrf = StaffRepository.randomSecret()
        var ctx = values
        ctx["csrf"] = csrf
        if let oidc = services.oidc { ctx["oidcName"] = oidc.settings.name }
        var response = services.pages.page(template, title: title, ctx, status: status)
        response.headers[.setCookie] = services.security.cookie(CitizenAuth.formCSRFCookie, csrf, maxAge: 3600,
                                                                secure: services.security.isSecure(request, peer: context.remoteAddress))
        return response
    }

    static func registerPost(_ request: Request, _ context: AppRequestContext, _ services: AppServices) async throws -> Response {
        let form = try await FormBody.read(request, context: context)
        var values: [String: Any] = form.values.filter { !$0.key.hasPrefix("password") && $0.key != "csrf" }
        values["organisation"] = form["kind"] == "organisation"
        func fail(_ errors: [String], _ status: HTTPResponse.Status) -> Response {
            var v = values
            v["errors"] = errors
            return formPage("citizen-register", "Đăng ký tài khoản", request, context, services, v, status: status)
        }
        guard let sent = form["csrf"], sent == StaffAuth.cookie(request, CitizenAuth.formCSRFCookie) else {
            return fail(["Phiên đăng ký đã hết hạn, vui lòng nhập lại."], .forbidden)
        }
        let registration = CitizenRules.normalized(CitizenRegistration(
            kind: form["kind"] == "organisation" ? .organisation : .person, fullName: form["fullName"] ?? "", idNumber: form["idNumber"] ?? "",
            email: form["email"], phone: form["phone"], password: form.values["password"] ?? ""))
        var problems = CitizenRules.problems(registration)
        if form.values["password"] != form.values["password2"] { problems.append(FieldProblem("password", "password_mismatch")) }
        guard problems.isEmpty else { return fail(problems.map(PortalMessages.problem), .unprocessableContent) }
        let base = services.portal.publicBaseURL
        do {
            let hash = services.hasher.hash(registration.password)
            _ = try await services.citizens.register(registration, passwordHash: hash, now: services.now()) { account, secret in
                let m = NotificationTemplates.accountConfirmation(name: account.fullName, link: "\(base)/xac-nhan-email?ma=\(secret)")
                return (m.subject, m.body)
            }
        } catch let e as CitizenError {
            return fail([PortalMessages.citizen(e)], .conflict)
        }
        if registration.email == nil {
            return services.pages.page("message", title: "Đăng ký thành công", [
                "heading": "Đăng ký thành công",
                "text": "Tài khoản đã được tạo. Chúng tôi đã gửi mã xác nhận gồm 6 chữ số đến số điện thoại \(registration.phone ?? ""); nhập mã để xác nhận trước khi nộp hồ sơ.",
                "link": ["href": "/xac-nhan-sdt", "label": "Nhập mã xác nhận"]], status: .created)
        }
        let text = "Tài khoản đã được tạo. Chúng tôi đã gửi thư đến \(registration.email ?? ""); vui lòng mở liên kết trong thư để xác nhận trước khi nộp hồ sơ."
        return services.pages.page("message", title: "Đăng ký thành công", ["heading": "Đăng ký thành công", "text": text,
                                                                         "link": ["href": "/dang-nhap", "label": "Đăng nhập"]], status: .created)
    }

    static func loginPost(_ request: Request, _ context: AppRequestContext, _ services: AppServices) async throws -> Response {
        let form = try await FormBody.read(request, context: context)
        let next = CitizenSession.safeNext(form["next"])
        func fail(_ message: String, _ status: HTTPResponse.Status) -> Response {
            formPage("citizen-login", "Đăng nhập", request, context, services, ["login": form["login"] ?? "", "next": next, "errorMessage": message],
                     status: status)
        }
        guard let sent = form["csrf"], sent == StaffAuth.cookie(request, CitizenAuth.formCSRFCookie) else {
            return fail("Phiên đăng nhập đã hết hạn, vui lòng nhập lại.", .forbidden)
        }
        let account: CitizenAccount?
        do {
            account = try await services.citizenAuth.login(form["login"] ?? "", password: form.values["password"] ?? "",
                                                           client: services.security.clientAddress(request, peer: context.remoteAddress), now: services.now())
        } catch let e as APIError where e.status == .tooManyRequests || e.status == .unprocessableContent {
            var r = fail(e.status == .tooManyRequests ? "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau \(e.headers[.retryAfter] ?? "ít phút") giây."
                                                      : "Tên đăng nhập hoặc mật khẩu quá dài.", e.status)
            if let retry = e.headers[.retryAfter] { r.headers[.retryAfter] = retry }
            return r
        }
        guard let account else { return fail("Thư điện tử/số điện thoại hoặc mật khẩu không đúng.", .unauthorized) }
        let issued = try await services.citizens.issueToken(citizenID: account.id, kind: .web, lifetime: CitizenAuth.sessionLifetime, now: services.now())
        let secure = services.security.isSecure(request, peer: context.remoteAddress)
        throw DeskRedirect(location: next, cookie: services.security.cookie(CitizenAuth.cookieName, issued.token, maxAge: Int(CitizenAuth.sessionLifetime),
                                                                            secure: secure))
    }

    static func profilePage(_ session: CitizenSession, _ services: AppServices, flash: String?, errors: [String], status: HTTPResponse.Status) -> Response {
        let a = session.account
        var ctx = session.layoutContext
        ctx["account"] = present(["fullName": a.fullName, "idNumber": a.idNumber, "email": a.email, "phone": a.phone, "address": a.address,
                                  "kind": a.kind == .person ? "Cá nhân" : "Tổ chức, doanh nghiệp",
                                  "emailStatus": a.email == nil ? nil : (a.emailVerified ? "đã xác nhận" : "chưa xác nhận"),
                                  "eid": a.eIdentification.map { "Đã xác thực điện tử (mức \($0))" } ?? "Chưa xác thực điện tử"])
        if !errors.isEmpty { ctx["errors"] = errors }
        if let flash { ctx["flash"] = flash }
        return services.pages.page("citizen-profile", title: "Thông tin tài khoản", ctx, status: status)
    }
}
