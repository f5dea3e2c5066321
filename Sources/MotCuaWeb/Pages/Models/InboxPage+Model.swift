import Foundation
import MotCuaCore

/// The desk inbox (`/can-bo`), as a typed view model computed purely from the dossiers, the
/// officer and the clock (no I/O): rows ordered late first then by appointment, and the counts of
/// what is open, due soon and late.
enum InboxPage {
    struct Row {
        let code: String
        let procedureName: String
        let applicantName: String
        let statusLabel: String
        let receivedAt: String
        let dueAt: String?
        let late: Bool
        let dueSoon: Bool
        let stepName: String?
        let mine: Bool
    }

    struct Counts {
        let open: Int
        let dueSoon: Int
        let late: Int
    }

    struct StatusOption {
        let value: String
        let label: String
        let selected: Bool
    }

    /// Where this page is among the inbox's pages (`?trang=N`, `pageSize` rows each).
    struct Paging {
        let page: Int
        let previous: String?
        let next: String?
        /// Whether there is more than one page (the page model is read by reflection: stored).
        let shown: Bool
    }

    /// Rows per inbox page.
    static let pageSize = 50

    struct Model {
        let rows: [Row]
        let counts: Counts
        let paging: Paging?
        let empty: Bool
        /// Ended dossiers are shown too (`?xem=tat-ca`).
        let everything: Bool
        let statuses: [StatusOption]
    }

    /// One dossier with what the page needs to know about it.
    struct Item {
        let state: DossierState
        let context: WorkflowContext
        let procedureName: String
    }

    /// `counts`: of every open dossier of the scope (from the store); without them, of `items`.
    static func model(_ items: [Item], actor: Actor, now: Date, dueSoonDays: Int, status: DossierStatus?, everything: Bool,
                      counts given: Counts? = nil, paging: Paging? = nil) -> Model {
        var open = 0, late = 0, soon = 0
        var rows: [(late: Bool, due: Date?, row: Row)] = []
        for item in items {
            let s = item.state
            let view = DossierView(s, steps: item.context.steps, history: nil, allowed: nil, now: now, deadlines: item.context.deadlines,
                                   dueSoonDays: dueSoonDays)
            let isOpen = !s.status.endsProcessing
            if isOpen { open += 1; if view.late { late += 1 } else if view.dueSoon { soon += 1 } }
            rows.append((isOpen && view.late, isOpen ? s.dueAt : nil, Row(
                code: s.code, procedureName: item.procedureName, applicantName: s.applicant.name, statusLabel: s.status.label,
                receivedAt: VietnameseFormat.dateTime(s.receivedAt ?? s.submittedAt) ?? "", dueAt: VietnameseFormat.dateTime(s.dueAt),
                late: view.late, dueSoon: isOpen && view.dueSoon, stepName: view.currentStep?.name,
                mine: Workflow.waitsOn(s, actor: actor, context: item.context))))
        }
        // Late open dossiers first, then by appointment (none last), then by code.
        rows.sort { a, b in
            if a.late != b.late { return a.late }
            switch (a.due, b.due) {
            case let (x?, y?) where x != y: return x < y
            case (_?, nil): return true
            case (nil, _?): return false
            default: return a.row.code < b.row.code
            }
        }
        return Model(rows: rows.map(\.row), counts: given ?? Counts(open: open, dueSoon: soon, late: late), paging: paging, empty: rows.isEmpty,
                     everything: everything,
                     statuses: DossierStatus.allCases.map { StatusOption(value: $0.rawValue, label: $0.label, selected: $0 == status) })
    }
}

extension InboxPage.Paging {
    /// Page `page` of an inbox whose query string (without `trang`) is `query`; `hasNext` when a
    /// row beyond this page exists.
    init(page: Int, hasNext: Bool, query: [(String, String)]) {
        func link(_ p: Int) -> String {
            let items = query + (p > 1 ? [("trang", String(p))] : [])
            let q = items.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&amp;")
            return "/can-bo" + (q.isEmpty ? "" : "?" + q)
        }
        self.init(page: page, previous: page > 1 ? link(page - 1) : nil, next: hasNext ? link(page + 1) : nil, shown: page > 1 || hasNext)
    }
}
