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

    struct Model {
        let rows: [Row]
        let counts: Counts
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

    static func model(_ items: [Item], actor: Actor, now: Date, dueSoonDays: Int, status: DossierStatus?, everything: Bool) -> Model {
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
        return Model(rows: rows.map(\.row), counts: Counts(open: open, dueSoon: soon, late: late), empty: rows.isEmpty, everything: everything,
                     statuses: DossierStatus.allCases.map { StatusOption(value: $0.rawValue, label: $0.label, selected: $0 == status) })
    }
}
