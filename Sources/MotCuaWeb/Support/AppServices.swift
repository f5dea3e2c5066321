import Foundation
import Logging
import MotCuaCore
import MotCuaStore
import Prometheus
import Synchronization

/// Everything the routes need, built once at start and passed in (no globals): the database, the
/// cached working calendar, the repositories, the metrics registry, the page renderer and a clock.
public final class AppServices: Sendable {
    public let database: Database
    public let catalog: CatalogRepository
    public let calendarRepository: CalendarRepository
    public let staff: StaffRepository
    public let dossiers: DossierRepository
    public let indicators: IndicatorService
    public let files: FileRepository
    public let citizens: CitizenRepository
    public let citizenDocuments: CitizenDocumentRepository
    public let onlineDossiers: OnlineDossierRepository
    public let outbox: Outbox
    public let blobs: BlobStore
    public let citizenAuth: CitizenAuth
    public let payments: PaymentRepository
    public let ratings: RatingRepository
    public let feedback: FeedbackRepository
    /// The OpenID Connect provider of the portal's e-identification login, if configured.
    let oidc: OIDCClient?
    /// The secret shared with the payment gateway (the sandbox's, kept in the settings table, unless configured).
    public let paymentSecret: String
    /// Guesses at public tracking (code + check value), throttled like logins.
    let trackingThrottle = SharedThrottle()
    /// Upload limits and the public address used in e-mailed links.
    public let portal: PortalSettings
    let procedures: ProcedureCache
    public let auth: StaffAuth
    public let hasher: PasswordHasher
    /// A dossier is "due soon" this many working days before its appointment.
    public let dueSoonDays: Int
    /// Trusted proxies and cookie settings.
    public let security: SecuritySettings
    public let metrics: PrometheusCollectorRegistry
    public let pages: PageRenderer
    public let logger: Logger
    /// The clock; tests replace it to freeze time.
    public let now: @Sendable () -> Date
    private let calendarCache: Mutex<WorkingCalendar>
    private let hoursCache: Mutex<[String: OfficeHours]>

    public init(database: Database, metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), logger: Logger,
                hasher: PasswordHasher = PasswordHasher(), dueSoonDays: Int = 2, security: SecuritySettings = SecuritySettings(),
                portal: PortalSettings = PortalSettings(), now: @escaping @Sendable () -> Date = { Date() }) async throws {
        self.database = database
        self.catalog = CatalogRepository(database: database)
        self.calendarRepository = CalendarRepository(database: database)
        self.staff = StaffRepository(database: database)
        self.dossiers = DossierRepository(database: database)
        self.indicators = IndicatorService(database: database)
        self.files = FileRepository(database: database)
        self.citizens = CitizenRepository(database: database)
        self.blobs = BlobStore(root: portal.blobDir)
        self.citizenDocuments = CitizenDocumentRepository(database: database, blobs: blobs)
        self.onlineDossiers = OnlineDossierRepository(database: database)
        self.outbox = Outbox(database: database)
        self.citizenAuth = CitizenAuth(citizens: citizens, hasher: hasher)
        self.portal = portal
        self.payments = PaymentRepository(database: database)
        self.ratings = RatingRepository(database: database)
        self.feedback = FeedbackRepository(database: database)
        self.oidc = OIDCClient(settings: portal.oidc)
        self.paymentSecret = try await Self.paymentSecret(portal, SettingsRepository(database: database))
        self.procedures = ProcedureCache(catalog: catalog)
        self.hasher = hasher
        self.auth = StaffAuth(staff: staff, hasher: hasher)
        self.dueSoonDays = dueSoonDays
        self.security = security
        self.metrics = metrics
        self.logger = logger
        self.now = now
        self.pages = try await PageRenderer()
        self.calendarCache = Mutex(try await calendarRepository.workingCalendar())
        self.hoursCache = Mutex(Self.hours(try await catalog.agencies()))
    }

    /// The configured gateway secret, or the sandbox's own, created once and kept in the database so
    /// that every app node signs and checks alike.
    static func paymentSecret(_ portal: PortalSettings, _ settings: SettingsRepository) async throws -> String {
        if let configured = portal.paymentSecret { return configured }
        if let stored = try await settings.value("payment.sandbox_secret") { return stored }
        let fresh = StaffRepository.randomSecret()
        try await settings.set("payment.sandbox_secret", fresh)
        return try await settings.value("payment.sandbox_secret") ?? fresh
    }

    static func hours(_ agencies: [Agency]) -> [String: OfficeHours] {
        Dictionary(agencies.filter { $0.officeHours != nil || $0.sameDayCutoff != nil }.map { ($0.code, $0.hours) }, uniquingKeysWith: { a, _ in a })
    }

    /// The working calendar (defaults + official schedules), cached.
    public var calendar: WorkingCalendar { calendarCache.withLock { $0 } }

    /// Reloads the calendar and agencies' office hours after they changed.
    public func reloadCalendar() async throws {
        let fresh = try await calendarRepository.workingCalendar()
        let hours = Self.hours(try await catalog.agencies())
        calendarCache.withLock { $0 = fresh }
        hoursCache.withLock { $0 = hours }
    }

    /// Deadline arithmetic with an agency's own office hours.
    public func deadlines(for agencyCode: String) -> DeadlineCalculator {
        DeadlineCalculator(calendar: calendar, hours: hoursCache.withLock { $0[agencyCode] } ?? .standard)
    }

    /// Deadline arithmetic with the standard office hours.
    public var deadlines: DeadlineCalculator { DeadlineCalculator(calendar: calendar) }
}

/// Settings of the citizens' portal: where uploaded files are kept, how large they may be, and the
/// site's public address for links sent by e-mail.
public struct PortalSettings: Sendable, Equatable {
    /// Folder of the content-addressed blob store.
    public var blobDir = "motcua-data/blobs"
    /// Largest single uploaded file, in bytes.
    public var uploadFileLimit = 10 * 1024 * 1024
    /// Largest total of the files attached to one dossier, in bytes.
    public var uploadDossierLimit = 50 * 1024 * 1024
    /// Base URL of the portal as citizens reach it (links in e-mails), without a trailing slash.
    public var publicBaseURL = "http://127.0.0.1:8080"
    /// The secret shared with the payment gateway; nil: the built-in sandbox's own.
    public var paymentSecret: String? = nil
    /// Serve the built-in sandbox payment gateway (`/cong-thanh-toan-thu-nghiem`).
    public var paymentSandbox = true
    /// The postage of a result returned by post (bưu chính công ích), in VND, paid on delivery.
    public var postalReturnFee = 25_000
    /// Working days an agency has to answer a feedback (phản ánh, kiến nghị).
    public var feedbackAnswerDays = 15
    /// The identity provider of the OpenID Connect login (VNeID, a provincial SSO).
    public var oidc = OIDCSettings()

    public init(blobDir: String = "motcua-data/blobs", uploadFileLimit: Int = 10 * 1024 * 1024, uploadDossierLimit: Int = 50 * 1024 * 1024,
                publicBaseURL: String = "http://127.0.0.1:8080") {
        self.blobDir = blobDir
        self.uploadFileLimit = uploadFileLimit
        self.uploadDossierLimit = uploadDossierLimit
        self.publicBaseURL = publicBaseURL
    }
}
