import MotCuaCore
import Synchronization

/// Decoded dossier states by their stored JSON: a read of `dossiers.state` whose text equals the text
/// last written or read for that code gets the decoded state without parsing it again. Because the hit
/// is decided by the stored text itself (not by a version that a rolled-back transaction or another
/// app node could have reused), a cached state is always exactly what the row holds; nothing needs
/// invalidating. Parsing the state was about a tenth of an action's CPU (issue 11).
final class DossierStateCache: Sendable {
    private struct Entry: Sendable {
        let json: String
        let state: DossierState
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let capacity: Int

    /// The process's cache (entries are checked against the row's text, so databases can share it).
    static let shared = DossierStateCache(capacity: 4096)

    init(capacity: Int) { self.capacity = capacity }

    /// The state stored as `json` for `code`: from the cache when the text is the same, else decoded
    /// (and remembered).
    func state(code: String, json: String) throws -> DossierState {
        if let hit = entries.withLock({ $0[code] }), hit.json == json { return hit.state }
        let state = try StoredJSON.decode(DossierState.self, from: json)
        remember(code: code, json: json, state: state)
        return state
    }

    /// Remembers the text written for a state.
    func remember(code: String, json: String, state: DossierState) {
        entries.withLock { e in
            if e.count >= capacity, e[code] == nil { e.removeAll(keepingCapacity: true) }
            e[code] = Entry(json: json, state: state)
        }
    }
}
