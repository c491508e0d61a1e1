import Fluent
import NIOCore
import NIOHTTP1
import Vapor
import YixianCore

/// Assembles the application: database, migrations, middleware, routes.
public func configure(_ app: Application, config: AppConfig = .fromEnvironment()) async throws {
    app.yixian = config
    // Tests may register their own database (a PostgreSQL schema of their own) first.
    if app.databases.ids().isEmpty { try app.configureDatabase(config) }
    try app.configureDataProtection(config)
    app.migrations.add(migrations)
    // Outermost first: request ids for every log line, security headers even on errors.
    app.middleware = Middlewares()
    // After Fluent's lifecycle handler (added when `app.databases` was first used, above): handlers
    // shut down last to first, so running requests are waited for before the databases close.
    let inFlight = InFlightRequests()
    app.middleware.use(inFlight)
    app.lifecycle.use(inFlight)
    app.middleware.use(RequestIDMiddleware())
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(AppErrorMiddleware())
    app.middleware.use(AccessAuditMiddleware())
    app.middleware.use(ControlCharacterMiddleware())
    app.middleware.use(ContentEncodingMiddleware())
    app.middleware.use(AuthMiddleware())
    app.middleware.use(RecentWritesMiddleware())
    app.middleware.use(RateLimitMiddleware())
    app.middleware.use(IdempotencyMiddleware())
    app.routes.defaultMaxBodySize = "64kb"
    // A connection silent this long is closed: 500 half-open connections were held for 75 s. It also
    // counts a request still being answered, so it stays well above the slowest page or upload.
    app.http.server.configuration.idleTimeout = .seconds(Int64(config.idleTimeoutSeconds))
    // Vapor inflates gzip bodies by default, and past its limit drops the connection with no answer;
    // bodies are taken as sent and a compressed one is refused with 415 (ContentEncodingMiddleware).
    app.http.server.configuration.requestDecompression = .disabled
    try await app.prepareSQLiteConnections()
    warmHTTPPipelineMetadata()
    // Created here, before any request, because Application.storage is not safe to fill concurrently.
    app.storage[ImportJobStoreKey.self] = ImportJobStore()
    app.storage[DossierJobStoreKey.self] = DossierJobStore()
    app.storage[PhraseCacheKey.self] = PhraseCache()
    app.storage[ComplianceStoreKey.self] = ComplianceStore(staleness: config.staleReadSeconds)
    app.storage[RecentWrites.Key.self] = RecentWrites()
    app.storage[FragmentCache.Key.self] = FragmentCache()
    app.storage[IntegrityService.CacheKey.self] = IntegrityService.Cache(staleness: config.staleReadSeconds)
    app.storage[RateLimiterKey.self] = RateLimiter(settings: config.rateLimits)
    registerRoutes(app)
    app.storage[PageAccess.Key.self] = PageAccess(app.routes)
}

/// In order; never edit one that has shipped, add a new one.
let migrations: [any Migration] = [
    CreateUnit(), CreateCadre(), CreateCollective(), CreateStudent(), CreateStudentSensitive(), CreatePairing(),
    CreateCalendar(), CreateUser(), CreateSession(), CreateAPIToken(), CreateAuditEvent(),
    CreatePolicyVersion(), CreateContactRecord(), CreateFiling(), CreateLedgerDetails(), CreateAttachment(),
    CreatePairingWish(),
    KeyAuditChain(), AuditAppendOnly(), SealStudentSensitive(), CreateIdempotencyKeys(),
    AddAccountSecurity(), CreateDataVersions(), CreateCases(), CreateNotifications(), CreateActivationCodes(), AddLedgerTrust(), CreateFilingVersions(), CreateCASTickets(), AddCaseExtensionsAndClosures(), CreateIntegrityVerdicts(), AddUnitSortOrder(), CreateFilingAttachments(), CreateSpotChecks(), CreateBulletins(), CreateAccountabilityRecords(), CreateGoodPractices(), CreateFilingDocuments(), CreateWorkdayUploads(),
    CreateCadrePostHistory(),
    CreateSupportLogs(),
    AddFilingCadre(),
    AddContactParticipants(),
    AddPairingCollege(),
    TrackPrincipalTables(),
]

func registerRoutes(_ app: Application) {
    HealthRoutes.register(app)
    LoginPages.register(app)
    HomePage.register(app)
    RosterPages.register(app)
    CalendarPage.register(app)
    CalendarAdmin.register(app)
    WorkdayUploads.register(app)
    AdminPages.register(app)
    DataProtectionPages.register(app)
    AccountPages.register(app)
    ActivationPages.register(app)
    CASLogin.register(app)
    UnitsAPI.register(app)
    CadresAPI.register(app)
    CollectivesAPI.register(app)
    StudentsAPI.register(app)
    CalendarAPI.register(app)
    AccountsAPI.register(app)
    ImportExport.register(app)
    CompliancePages.register(app)
    AttentionPage.register(app)
    LedgerAPI.register(app)
    LedgerPages.register(app)
    PairingPages.register(app)
    SupportPages.register(app)
    CoveragePages.register(app)
    HandoverService.register(app)
    WishPages.register(app)
    IntegrityPages.register(app)
    PolicyPages.register(app)
    PolicyWorkbench.register(app)
    FilingPages.register(app)
    FilingDocumentPages.register(app)
    DossierPages.register(app)
    AppointmentPages.register(app)
    SpotChecks.register(app)
    DashboardPage.register(app)
    Bulletins.register(app)
    Accountability.register(app)
    Showcase.register(app)
    CasesAPI.register(app)
    CasePages.register(app)
    MailboxPages.register(app)
    ProblemListPages.register(app)
    Notifications.register(app)
    TopicsPage.register(app)
    ForumPage.register(app)
    OpenAPIDocument.register(app)
}

enum HealthRoutes {
    struct Status: Content {
        var status: String
        var database: String?
    }

    static func register(_ app: Application) {
        app.routes.on(.GET, ["healthz"], access: .anyone) { _ in Status(status: "ok") }
        // Ready when the database answers and migrations have run.
        app.routes.on(.GET, ["readyz"], access: .anyone) { req -> Response in
            do {
                _ = try await UnitModel.query(on: req.db).count()
                return try await Status(status: "ready", database: req.db.isSQLite ? "sqlite" : "postgresql").encodeResponse(for: req)
            } catch {
                req.logger.warning("not ready: \(error)")
                let response = try await Status(status: "unavailable", database: nil).encodeResponse(for: req)
                response.status = .serviceUnavailable
                return response
            }
        }
        app.routes.on(.GET, SitePattern.stylesheet.components, access: .anyone) { _ -> Response in
            let response = Response(status: .ok, body: .init(string: Stylesheet.css))
            response.headers.contentType = HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"])
            response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
            return response
        }
    }
}

/// Swift's runtime can crash when two threads instantiate the same generic type's metadata at
/// once: CI saw a null dereference in `ChannelPipeline.addVaporHTTP1Handlers` when two event loops
/// accepted their first connections together. The HTTP/1 pipeline's generic types are instantiated
/// here, once, on one thread, before the server accepts anything.
func warmHTTPPipelineMetadata() {
    var handlers: [any RemovableChannelHandler] = [HTTPResponseEncoder()]
    handlers.append(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes)))
    handlers.append(HTTPServerPipelineHandler())
    handlers.append(HTTPServerProtocolErrorHandler())
    _ = handlers.count
}
