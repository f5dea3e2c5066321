import Foundation
import Synchronization
import MotCuaCore
import PropertyBased
import Testing

/// Random action sequences by random actors on random procedures: the workflow's invariants hold
/// whatever happens.
struct WorkflowPropertyTests {
    typealias W = WorkflowTests

    /// A small deterministic generator (SplitMix64), seeded by the property's input.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Procedures: one inside the agency, one with a liên thông step at the police, one with fees.
    static let contexts: [WorkflowContext] = {
        let lienThong = [WorkflowStep(name: "Tiếp nhận", role: .reception, hours: 2, agency: nil),
                         WorkflowStep(name: "Thẩm định", role: .specialist, hours: 8, agency: nil),
                         WorkflowStep(name: "Đăng ký thường trú", role: .specialist, hours: 8, agency: "H13.08"),
                         WorkflowStep(name: "Ký", role: .agencyLeader, hours: 4, agency: nil),
                         WorkflowStep(name: "Vào sổ, phát hành", role: .clerk, hours: 4, agency: nil),
                         WorkflowStep(name: "Trả kết quả", role: .reception, hours: 4, agency: nil)]
        var fees = W.context
        fees.listedFees = 200_000
        return [W.context, WorkflowContext(steps: lienThong, limit: TimeLimit(amount: 5, unit: .workingDays), deadlines: W.deadlines), fees]
    }()

    static let actors: [Actor] = [
        W.reception, W.specialist, W.leader,
        Actor(username: "giamdoc", role: .agencyLeader, agencyCode: "H13.01"), Actor(username: "vanthu", role: .clerk, agencyCode: "H13.01"),
        Actor(username: "congan", role: .specialist, agencyCode: "H13.08"), Actor(username: "theodoi", role: .monitor, agencyCode: "H13.01"),
        Actor(username: "quantri", role: .admin, agencyCode: "H13.01"), W.otherAgency,
    ]

    static func randomAction(_ g: inout SplitMix, now: Date) -> DossierAction {
        let reasons = ["Thiếu giấy tờ", "", "Không thuộc thẩm quyền"]
        let reason = reasons[Int(g.next() % UInt64(reasons.count))]
        switch g.next() % 15 {
        case 0: return .receive
        case 1: return .requestSupplement(SupplementRequest(components: g.next() % 4 == 0 ? [] : [WorkflowTests.components[Int(g.next() % 3)]],
                                                            other: g.next() % 3 == 0 ? "Giấy khác" : nil, legalBasis: g.next() % 2 == 0 ? "Điều 9" : nil))
        case 2: return .supplementProvided
        case 3: return .refuse(reason: reason)
        case 4: return .transfer(note: nil)
        case 5: return .sendBack(reason: reason)
        case 6: return .approve(note: "Đồng ý")
        case 7: return .issue(number: "123/GKS")
        case 8: return .recordResult(electronic: g.next() % 2 == 0, file: nil)
        case 9: return .returnResult
        case 10: return .withdraw(reason: reason)
        case 11: return .stop(reason: reason)
        case 12: return .requireFee(amount: Int(g.next() % 3) * 100_000, reason: g.next() % 2 == 0 ? nil : "Theo Thông tư 85/2019/TT-BTC")
        case 13: return .payFee
        default: return .apologize(newDue: now.addingTimeInterval(Double(g.next() % 20) * 86_400), reason: reason)
        }
    }

    @Test func randomSequencesKeepTheInvariants() async {
        await propertyCheck(count: 1000, input: Gen.int(in: 0...Int.max / 2), Gen.int(in: 1...60)) { seed, length in
            var g = SplitMix(state: UInt64(seed))
            let context = Self.contexts[Int(g.next() % UInt64(Self.contexts.count))]
            var s = W.newDossier()
            if g.next() % 2 == 0 { s.channel = .online }
            var now = W.vn("2026-03-02T08:00:00")
            var successes = 0
            for _ in 0..<length {
                now = now.addingTimeInterval(Double(g.next() % (3 * 86_400)))
                let actor = Self.actors[Int(g.next() % UInt64(Self.actors.count))]
                let allowed = Workflow.allowedActions(s, actor: actor, context: context)
                // Half the time an allowed action (so sequences go deep), otherwise anything.
                var action = Self.randomAction(&g, now: now)
                if g.next() % 2 == 0, !allowed.isEmpty {
                    let name = allowed[Int(g.next() % UInt64(allowed.count))]
                    for _ in 0..<200 where action.name != name { action = Self.randomAction(&g, now: now) }
                }
                if s.status.isTerminal {
                    #expect(Self.actors.allSatisfy { Workflow.allowedActions(s, actor: $0, context: context).isEmpty }, "terminal \(s.status) allows actions")
                }
                switch Workflow.apply(s, action, actor: actor, now: now, context: context) {
                case .success(let (next, t)):
                    successes += 1
                    #expect(allowed.contains(action.name), "\(action.name) by \(actor.role) succeeded but was not allowed: \(allowed)")
                    #expect(next.version == s.version + 1)
                    #expect(t.from == s.status && t.to == next.status)
                    #expect(!s.status.isTerminal)
                    #expect([.monitor, .admin].contains(actor.role) == false, "\(actor.role) acted")
                    #expect(next.supplementCount <= 1, "more than one supplement during processing")
                    // Timeliness is set exactly when a received dossier has ended processing.
                    #expect((next.timeliness != nil) == (next.receivedAt != nil && next.processingEndedAt != nil))
                    if next.processingEndedAt != nil { #expect(next.processingEndedAt == s.processingEndedAt ?? now) }
                    s = next
                case .failure(let rejection):
                    // A return refused for a missing apology or result is left out of the allowed list.
                    #expect(rejection.allowed == allowed.filter { ![.apologyRequired, .resultMissing].contains(rejection.code) || $0 != "return" })
                }
            }
            totals.m.withLock { $0.runs += 1; $0.successes += successes; if s.status.isTerminal { $0.terminal += 1 } }
        }
        let t = totals.m.withLock { $0 }
        // The sequences really go somewhere: many transitions, many dossiers ending.
        #expect(t.runs == 1000 && t.successes > 1_000 && t.terminal > 250, "\(t)")
    }
    final class Totals: Sendable { let m = Mutex((runs: 0, successes: 0, terminal: 0)) }
    let totals = Totals()
}
