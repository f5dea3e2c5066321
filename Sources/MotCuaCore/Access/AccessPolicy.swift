/// Who may see and do what, deny by default (pure: the agencies below an actor are passed in).
///
/// - Handling roles (reception, specialist, leaders, clerk) see the dossiers received by their
///   agency and those at a liên thông step at their agency, and may attach files to them.
/// - A monitor reads (never acts on) the dossiers and indicators of its agency and the units below.
/// - An administrator administers (catalog, calendar, accounts) and never sees applicants' data.
/// - Only reception officers open dossiers.
public enum AccessPolicy {
    /// Roles that handle dossiers.
    public static let handlingRoles: Set<StaffRole> = [.reception, .specialist, .departmentLeader, .agencyLeader, .clerk]

    /// Whether `actor` may see a dossier received at `dossierAgency` and now at `handlingAgency`.
    /// `below` holds the agencies under the actor's agency (used for monitors).
    public static func canSee(dossierAgency: String, handlingAgency: String, actor: Actor, below: Set<String>) -> Bool {
        switch actor.role {
        case .admin: false
        case .monitor: actor.agencyCode == dossierAgency || below.contains(dossierAgency)
        default: actor.agencyCode == dossierAgency || actor.agencyCode == handlingAgency
        }
    }

    /// Whether `actor` may attach a file to the dossier (handling roles of the receiving agency or
    /// of the agency at whose liên thông step it is).
    public static func canAttachFile(dossierAgency: String, handlingAgency: String, actor: Actor) -> Bool {
        handlingRoles.contains(actor.role) && (actor.agencyCode == dossierAgency || actor.agencyCode == handlingAgency)
    }

    /// Whether `actor` may list dossiers (everyone but administrators; the list is scoped by `canSee`).
    public static func canListDossiers(_ actor: Actor) -> Bool { actor.role != .admin }

    /// Whether `actor` may open (receive) dossiers.
    public static func canOpenDossiers(_ actor: Actor) -> Bool { actor.role == .reception }

    /// Whether `actor` may read the indicators of `scope`: a monitor its agency and the units below,
    /// other handling roles their own agency only, an administrator none.
    public static func canReadIndicators(scope: String, actor: Actor, below: Set<String>) -> Bool {
        switch actor.role {
        case .admin: false
        case .monitor: scope == actor.agencyCode || below.contains(scope)
        default: scope == actor.agencyCode
        }
    }

    /// The agencies below `code` (children, their children, …) from each agency's parent.
    public static func agencies(below code: String, parents: [String: String]) -> Set<String> {
        var children: [String: [String]] = [:]
        for (child, parent) in parents { children[parent, default: []].append(child) }
        var out: Set<String> = []
        var queue = children[code] ?? []
        while let next = queue.popLast() {
            guard out.insert(next).inserted else { continue }
            queue += children[next] ?? []
        }
        return out
    }
}

/// What a token is for: an API bearer token, or a desk (web) session.
public enum TokenKind: String, Sendable, Hashable, CaseIterable {
    case api, web
}
