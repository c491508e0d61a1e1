import Vapor
import YixianCore

/// Every HTML page's path pattern, in one place: routes are registered from these, and the
/// access each was registered with decides which menu items a user sees.
enum SitePattern: String, CaseIterable, Sendable {
    case home = "/"
    case login = "/login"
    case logout = "/logout"
    case language = "/language"
    case units = "/units"
    case cadres = "/cadres"
    case cadre = "/cadres/:id"
    case cadreAppointment = "/cadres/:id/appointment"
    case collectives = "/collectives"
    case students = "/students"
    case student = "/students/:id"
    case studentSensitive = "/students/:id/sensitive"
    case support = "/support"
    case supportAssign = "/support/assign"
    case supportLog = "/support/log"
    case calendar = "/calendar"
    case calendarImport = "/calendar/import"
    case calendarExport = "/calendar/export"
    case calendarHolidays = "/calendar/holidays"
    case importForm = "/import/:kind"
    case importJob = "/import/jobs/:id"
    case importConfirm = "/import/jobs/:id/confirm"
    case export = "/export/:kind"
    case users = "/admin/users"
    case userCreate = "/admin/users/new"
    case userUnlock = "/admin/users/:id/unlock"
    case userDeactivate = "/admin/users/:id/deactivate"
    case userRole = "/admin/users/:id/role"
    case userResetPassword = "/admin/users/:id/reset-password"
    case userResetTOTP = "/admin/users/:id/reset-totp"
    case accountsRoster = "/admin/accounts"
    case accountsProvision = "/admin/accounts/provision"
    case accountsCodes = "/admin/accounts/codes"
    case activate = "/activate"
    case audit = "/admin/audit"
    case auditVerify = "/admin/audit/verify"
    case myData = "/account/my-data"
    case tokens = "/account/tokens"
    case accountSecurity = "/account/security"
    case accountPassword = "/account/password"
    case totpStart = "/account/security/totp"
    case totpConfirm = "/account/security/totp/confirm"
    case tokenCreate = "/account/tokens/new"
    case tokenRevoke = "/account/tokens/:id/revoke"
    case secondFactor = "/login/second-factor"
    case casLogin = "/login/cas"
    case casCallback = "/login/cas/callback"
    case progress = "/progress"
    case compliance = "/compliance"
    case complianceUnit = "/compliance/units/:code"
    case complianceCell = "/compliance/cell"
    case complianceAttention = "/compliance/attention"
    case policies = "/policies"
    case policyFormat = "/policies/format"
    case policyWorkbench = "/policies/workbench"
    case policyWorkbenchCheck = "/policies/workbench/check"
    case workbenchScript = "/assets/workbench.js"
    case ledger = "/ledger"
    case ledgerNew = "/ledger/new"
    case ledgerRecord = "/ledger/:id"
    case ledgerEdit = "/ledger/:id/edit"
    case ledgerDelete = "/ledger/:id/delete"
    case ledgerVoid = "/ledger/:id/void"
    case attachment = "/attachments/:id"
    case problems = "/problems"
    case problemsReport = "/problems/report"
    case integrity = "/integrity"
    case integrityVerdict = "/integrity/verdict"
    case filings = "/filings"
    case filingAttachment = "/filings/attachments/:id"
    case filingDocuments = "/filings/documents"
    case filingDocument = "/filings/documents/:id"
    case filingDocumentFile = "/filings/document-files/:id"
    case dossiers = "/dossiers"
    case spotChecks = "/spotchecks"
    case dashboard = "/dashboard"
    case bulletins = "/bulletins"
    case accountability = "/accountability"
    case showcase = "/showcase"
    case bulletin = "/bulletins/:id"
    case spotCheck = "/spotchecks/:id"
    case dossierCadre = "/dossiers/cadres/:code"
    case dossierUnit = "/dossiers/units/:code"
    case dossierBatch = "/dossiers/batch"
    case dossierBatchJob = "/dossiers/batch/:id"
    case dossierBatchDownload = "/dossiers/batch/:id/download"
    case confirmLookup = "/c"
    case confirm = "/c/:code"
    case pairings = "/pairings"
    case pairingsExport = "/pairings/table.xlsx"
    case pairingsPrint = "/pairings/print"
    case pairingsImport = "/pairings/import"
    case pairingsCoverage = "/pairings/coverage"
    case pairingsMatching = "/pairings/matching"
    case pairingsHandover = "/pairings/handover"
    case pairingsAdd = "/pairings/add"
    case pairingWishes = "/pairings/wishes"
    case notifications = "/notifications"
    case notificationsRead = "/notifications/read"
    case cases = "/cases"
    case caseNew = "/cases/new"
    case caseTopics = "/cases/topics"
    case caseForum = "/cases/forum"
    case caseDetail = "/cases/:id"
    case caseAct = "/cases/:id/act"
    case mailbox = "/mailbox"
    case mailboxTrack = "/mailbox/track"
    case mailboxRate = "/mailbox/track/rate"
    case stylesheet = "/assets/app.css"

    var components: [PathComponent] { rawValue.pathComponents }
}

/// A link to one page. Cases carry their parameters, so a link cannot leave `:id` in a URL,
/// and the compiler finds every link when a page's parameters change.
enum SiteRoute: Hashable, Sendable {
    case home, login, logout, language
    case units, cadres, cadre(UUID), collectives
    case cadreAppointment(UUID)
    case students, student(UUID), studentSensitive(UUID)
    case support, supportAssign, supportLog
    case calendar, calendarImport, calendarExport, calendarHolidays
    case importForm(RosterKind), importJob(UUID), importConfirm(UUID), export(String)
    case users, userCreate, userUnlock(UUID), userDeactivate(UUID), userRole(UUID), userResetPassword(UUID), userResetTOTP(UUID), audit, auditVerify
    case accountsRoster, accountsProvision, accountsCodes, activate
    case myData, tokens, accountSecurity, accountPassword, totpStart, totpConfirm, tokenCreate, tokenRevoke(UUID), secondFactor, casLogin, casCallback
    case progress, compliance, complianceUnit(code: String), complianceCell, complianceAttention, policies, policyFormat, policyWorkbench, policyWorkbenchCheck, workbenchScript
    case ledger, ledgerNew, ledgerRecord(UUID), ledgerEdit(UUID), ledgerDelete(UUID), ledgerVoid(UUID), attachment(UUID)
    case problems, problemsReport, integrity, integrityVerdict, filings, filingAttachment(UUID), filingDocuments, filingDocument(UUID), filingDocumentFile(UUID)
    case spotChecks, spotCheck(UUID), dashboard, bulletins, bulletin(UUID), accountability, showcase
    case dossiers, dossierCadre(staff: String), dossierUnit(code: String), dossierBatch, dossierBatchJob(UUID), dossierBatchDownload(UUID)
    case confirmLookup, confirm(code: String)
    case pairings, pairingsExport, pairingsPrint, pairingsImport, pairingsCoverage, pairingsMatching, pairingsHandover, pairingsAdd, pairingWishes
    case notifications, notificationsRead
    case cases, caseNew, caseTopics, caseForum, caseDetail(UUID), caseAct(UUID), mailbox, mailboxTrack, mailboxRate
    case stylesheet

    var pattern: SitePattern {
        switch self {
        case .home: .home
        case .login: .login
        case .logout: .logout
        case .language: .language
        case .units: .units
        case .cadres: .cadres
        case .cadre: .cadre
        case .cadreAppointment: .cadreAppointment
        case .collectives: .collectives
        case .students: .students
        case .student: .student
        case .studentSensitive: .studentSensitive
        case .support: .support
        case .supportAssign: .supportAssign
        case .supportLog: .supportLog
        case .calendar: .calendar
        case .calendarImport: .calendarImport
        case .calendarExport: .calendarExport
        case .calendarHolidays: .calendarHolidays
        case .importForm: .importForm
        case .importJob: .importJob
        case .importConfirm: .importConfirm
        case .export: .export
        case .users: .users
        case .userCreate: .userCreate
        case .userUnlock: .userUnlock
        case .userDeactivate: .userDeactivate
        case .userRole: .userRole
        case .userResetPassword: .userResetPassword
        case .userResetTOTP: .userResetTOTP
        case .accountsRoster: .accountsRoster
        case .accountsProvision: .accountsProvision
        case .accountsCodes: .accountsCodes
        case .activate: .activate
        case .audit: .audit
        case .auditVerify: .auditVerify
        case .myData: .myData
        case .tokens: .tokens
        case .accountSecurity: .accountSecurity
        case .accountPassword: .accountPassword
        case .totpStart: .totpStart
        case .totpConfirm: .totpConfirm
        case .tokenCreate: .tokenCreate
        case .tokenRevoke: .tokenRevoke
        case .secondFactor: .secondFactor
        case .casLogin: .casLogin
        case .casCallback: .casCallback
        case .progress: .progress
        case .compliance: .compliance
        case .complianceUnit: .complianceUnit
        case .complianceCell: .complianceCell
        case .complianceAttention: .complianceAttention
        case .policies: .policies
        case .policyWorkbench: .policyWorkbench
        case .policyWorkbenchCheck: .policyWorkbenchCheck
        case .workbenchScript: .workbenchScript
        case .policyFormat: .policyFormat
        case .ledger: .ledger
        case .ledgerNew: .ledgerNew
        case .ledgerRecord: .ledgerRecord
        case .ledgerEdit: .ledgerEdit
        case .ledgerDelete: .ledgerDelete
        case .ledgerVoid: .ledgerVoid
        case .attachment: .attachment
        case .problems: .problems
        case .problemsReport: .problemsReport
        case .integrity: .integrity
        case .integrityVerdict: .integrityVerdict
        case .filings: .filings
        case .filingAttachment: .filingAttachment
        case .filingDocuments: .filingDocuments
        case .filingDocument: .filingDocument
        case .filingDocumentFile: .filingDocumentFile
        case .dossiers: .dossiers
        case .spotChecks: .spotChecks
        case .dashboard: .dashboard
        case .bulletins: .bulletins
        case .accountability: .accountability
        case .showcase: .showcase
        case .bulletin: .bulletin
        case .spotCheck: .spotCheck
        case .dossierCadre: .dossierCadre
        case .dossierUnit: .dossierUnit
        case .dossierBatch: .dossierBatch
        case .dossierBatchJob: .dossierBatchJob
        case .dossierBatchDownload: .dossierBatchDownload
        case .confirmLookup: .confirmLookup
        case .confirm: .confirm
        case .pairings: .pairings
        case .pairingsExport: .pairingsExport
        case .pairingsPrint: .pairingsPrint
        case .pairingsImport: .pairingsImport
        case .pairingsCoverage: .pairingsCoverage
        case .pairingsMatching: .pairingsMatching
        case .pairingsHandover: .pairingsHandover
        case .pairingsAdd: .pairingsAdd
        case .pairingWishes: .pairingWishes
        case .notifications: .notifications
        case .notificationsRead: .notificationsRead
        case .cases: .cases
        case .caseNew: .caseNew
        case .caseTopics: .caseTopics
        case .caseForum: .caseForum
        case .caseDetail: .caseDetail
        case .caseAct: .caseAct
        case .mailbox: .mailbox
        case .mailboxTrack: .mailboxTrack
        case .mailboxRate: .mailboxRate
        case .stylesheet: .stylesheet
        }
    }

    /// The values of the pattern's `:name` placeholders, in order.
    private var parameters: [String] {
        switch self {
        case .cadre(let id), .cadreAppointment(let id), .student(let id), .studentSensitive(let id),
             .importJob(let id), .importConfirm(let id), .userUnlock(let id), .userDeactivate(let id),
             .userRole(let id), .userResetPassword(let id), .userResetTOTP(let id), .tokenRevoke(let id),
             .caseDetail(let id), .caseAct(let id),
             .ledgerRecord(let id), .ledgerEdit(let id), .ledgerDelete(let id), .ledgerVoid(let id), .attachment(let id), .filingAttachment(let id), .filingDocument(let id), .filingDocumentFile(let id),
             .dossierBatchJob(let id), .dossierBatchDownload(let id), .spotCheck(let id), .bulletin(let id):
            [id.uuidString]
        case .importForm(let kind): [kind.rawValue]
        case .export(let kind): [kind]
        case .complianceUnit(let code), .confirm(let code), .dossierCadre(staff: let code), .dossierUnit(code: let code): [code]
        default: []
        }
    }

    /// The page of a ledger line known by the core's id (a UUID's text); the ledger if it is not one.
    static func ledgerLine(_ id: String) -> String {
        UUID(uuidString: id).map { SiteRoute.ledgerRecord($0).path() } ?? SiteRoute.ledger.path()
    }

    /// The concrete path, parameters percent-encoded as one path segment each.
    func path(query: [String: String] = [:]) -> String {
        let parameters = parameters
        // Most links name no value: the pattern is the path. (Splitting and re-joining it, and a
        // CharacterSet built per segment, were a twentieth of a compliance page with 80 links.)
        var path: String
        if parameters.isEmpty {
            path = pattern.rawValue
        } else {
            var values = parameters.makeIterator()
            path = ""
            for part in pattern.rawValue.split(separator: "/") {
                path += "/"
                guard part.hasPrefix(":") else { path += part; continue }
                // A missing value is a programming error the enum rules out; the precondition keeps it so.
                guard let value = values.next() else { preconditionFailure("\(pattern) needs a value for \(part)") }
                path += value.percentEncoded(allowing: String.pathSegmentAllowed)
            }
        }
        if !query.isEmpty {
            path += "?"
            for (index, key) in query.keys.sorted().enumerated() {
                if index > 0 { path += "&" }
                path += key
                path += "="
                path += query[key]!.urlQueryEncoded
            }
        }
        return path
    }
}

extension String {
    /// Percent-encodes a query value byte by byte, as `addingPercentEncoding(withAllowedCharacters:
    /// .urlQueryValueAllowed)` does, without its round trip through CoreFoundation (which cost a
    /// page with a hundred links more than rendering them).
    var urlQueryEncoded: String { percentEncoded(allowing: Self.queryValueAllowed) }

    /// Every byte the table does not allow as `%XX`; the string itself when all are allowed.
    func percentEncoded(allowing allowed: [Bool]) -> String {
        var text = self
        return text.withUTF8 { bytes -> String? in
            guard bytes.contains(where: { !allowed[Int($0)] }) else { return nil }
            let hex = Array("0123456789ABCDEF".utf8)
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count * 3)
            for byte in bytes {
                if allowed[Int(byte)] {
                    out.append(byte)
                } else {
                    out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                }
            }
            return String(decoding: out, as: UTF8.self)
        } ?? self
    }

    /// By byte: letters, digits and `!$'()*,-./:;@_~` (`urlQueryAllowed` without `&=+?#`).
    private static let queryValueAllowed = asciiTable(extra: "!$'()*,-./:;@_~")

    /// By byte: what `urlPathAllowed` allows in one segment (no `/`): letters, digits and `!$&'()*+,-.:=@_~`.
    static let pathSegmentAllowed = asciiTable(extra: "!$&'()*+,-.:=@_~")

    private static func asciiTable(extra: String) -> [Bool] {
        (0..<256).map { byte in
            guard byte < 128 else { return false }
            let scalar = Unicode.Scalar(UInt8(byte))
            return ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || extra.unicodeScalars.contains(scalar)
        }
    }
}

extension CharacterSet {
    static let urlQueryValueAllowed: CharacterSet = {
        var set = CharacterSet.urlQueryAllowed
        set.remove(charactersIn: "&=+?#")
        return set
    }()
}
