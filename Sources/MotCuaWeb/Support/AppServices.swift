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
    public let auth: StaffAuth
    public let hasher: PasswordHasher
    /// A dossier is "due soon" this many working days before its appointment.
    public let dueSoonDays: Int
    public let metrics: PrometheusCollectorRegistry
    public let pages: PageRenderer
    public let logger: Logger
    /// The clock; tests replace it to freeze time.
    public let now: @Sendable () -> Date
    private let calendarCache: Mutex<WorkingCalendar>

    public init(database: Database, metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), logger: Logger,
                hasher: PasswordHasher = PasswordHasher(), dueSoonDays: Int = 2,
                now: @escaping @Sendable () -> Date = { Date() }) async throws {
        self.database = database
        self.catalog = CatalogRepository(database: database)
        self.calendarRepository = CalendarRepository(database: database)
        self.staff = StaffRepository(database: database)
        self.dossiers = DossierRepository(database: database)
        self.indicators = IndicatorRepository(database: database)
        self.hasher = hasher
        self.auth = StaffAuth(staff: staff, hasher: hasher, throttle: LoginThrottle())
        self.dueSoonDays = dueSoonDays
        self.metrics = metrics
        self.logger = logger
        self.now = now
        self.pages = try await PageRenderer()
        self.calendarCache = Mutex(try await calendarRepository.workingCalendar())
    }

    /// The working calendar (defaults + official schedules), cached.
    public var calendar: WorkingCalendar { calendarCache.withLock { $0 } }

    /// Reloads the calendar after the schedules changed.
    public func reloadCalendar() async throws {
        let fresh = try await calendarRepository.workingCalendar()
        calendarCache.withLock { $0 = fresh }
    }

    /// Deadline arithmetic with the standard office hours.
    public var deadlines: DeadlineCalculator { DeadlineCalculator(calendar: calendar) }
}
