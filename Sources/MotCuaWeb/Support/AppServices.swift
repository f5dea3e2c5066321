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
    public let indicators: IndicatorRepository
    public let files: FileRepository
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
                now: @escaping @Sendable () -> Date = { Date() }) async throws {
        self.database = database
        self.catalog = CatalogRepository(database: database)
        self.calendarRepository = CalendarRepository(database: database)
        self.staff = StaffRepository(database: database)
        self.dossiers = DossierRepository(database: database)
        self.indicators = IndicatorRepository(database: database)
        self.files = FileRepository(database: database)
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
