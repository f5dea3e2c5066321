import Foundation

/// The dossier workflow as a pure state machine:
/// `(state, action, actor, now, context) → (new state, transition) | rejection`.
///
/// Rules: each action belongs to roles; workflow steps are completed by their owner role
/// (reception and specialist `transfer`, leaders `approve`, the clerk `issue`); a supplement may be
/// requested only once and stops the clock (the appointment moves by the working time paused); a
/// late dossier is returned only after an apology with a new appointment; terminal states accept
/// nothing.
public enum Workflow {
    static let leaders: Set<StaffRole> = [.departmentLeader, .agencyLeader]

    /// The action that completes a step owned by `role`.
    static func completion(for role: StaffRole) -> String {
        switch role {
        case .departmentLeader, .agencyLeader: "approve"
        case .clerk: "issue"
        default: "transfer"
        }
    }

    /// Whether `actor` owns the current step (an agency leader may act for a department leader).
    static func ownsStep(_ actor: Actor, _ step: WorkflowStep) -> Bool {
        actor.role == step.role || (step.role == .departmentLeader && actor.role == .agencyLeader)
    }

    /// Whether the dossier waits on `actor` ("việc của tôi"): its current step is one the actor owns at
    /// the actor's agency, or — for reception — it waits to be received, for a supplement, for fees or
    /// to be returned.
    public static func waitsOn(_ s: DossierState, actor: Actor, context: WorkflowContext) -> Bool {
        switch s.status {
        case .submitted, .received, .supplementRequested, .feeDue, .finished:
            return actor.role == .reception && actor.agencyCode == s.agencyCode
        case .processing:
            guard s.stepIndex < context.steps.count, actor.agencyCode == s.handlingAgency else { return false }
            return ownsStep(actor, context.steps[s.stepIndex])
        case .refused, .withdrawn, .stopped, .returned:
            return false
        }
    }

    /// The actions `actor` may take now, by name.
    /// With `now`, an action that would still be refused by a rule checked when applied is left
    /// out (`return` before the apology a late dossier needs, or before a result exists), so that
    /// pages and API answers offer only what will work.
    public static func allowedActions(_ s: DossierState, actor: Actor, context: WorkflowContext, now: Date) -> [String] {
        allowedActions(s, actor: actor, context: context).filter { $0 != ActionKind.returnResult.rawValue || (s.hasResult && !s.needsApologyBeforeReturn(at: now)) }
    }

    public static func allowedActions(_ s: DossierState, actor: Actor, context: WorkflowContext) -> [String] {
        guard actor.agencyCode == s.handlingAgency || actor.agencyCode == s.agencyCode else { return [] }
        let reception = actor.role == .reception
        var out: [String] = []
        // A liên thông partner agency only completes or sends back its own step; supplements, stop,
        // results, apologies and the rest stay with the receiving unit.
        guard actor.agencyCode == s.agencyCode else {
            if s.status == .processing, s.stepIndex < context.steps.count, ownsStep(actor, context.steps[s.stepIndex]) {
                out.append(completion(for: context.steps[s.stepIndex].role))
                if s.stepIndex > 0 { out.append("send-back") }
            }
            return out
        }
        switch s.status {
        case .submitted, .received:
            if reception { out += ["receive", "request-supplement", "refuse", "withdraw"] }
        case .processing:
            if s.stepIndex < context.steps.count {
                let step = context.steps[s.stepIndex]
                if ownsStep(actor, step) && actor.agencyCode == s.handlingAgency {
                    out.append(completion(for: step.role))
                    if s.stepIndex > 0 { out.append("send-back") }
                }
            }
            if (reception || actor.role == .specialist) && s.supplementCount == 0 { out.append("request-supplement") }
            if context.ownsResult(actor), s.stepIndex >= (context.resultStepIndex ?? 0) { out.append("record-result") }
            if leaders.contains(actor.role) { out.append("stop") }
            if reception { out += ["withdraw", "fee-due"] }
            if reception || leaders.contains(actor.role) { out.append("apologize") }
        case .supplementRequested:
            if reception { out += ["supplement-provided", "withdraw"] }
            if leaders.contains(actor.role) { out.append("stop") }
        case .feeDue:
            if reception { out += ["fee-paid", "withdraw"] }
        case .finished:
            if reception { out.append("return") }
            if context.ownsResult(actor) { out.append("record-result") }
            if reception || leaders.contains(actor.role) { out.append("apologize") }
        case .refused, .withdrawn, .stopped, .returned:
            break
        }
        var seen: Set<String> = []
        return out.filter { seen.insert($0).inserted }
    }

    /// Applies an action; on success returns the new state and the control-sheet row.
    public static func apply(_ state: DossierState, _ action: DossierAction, actor: Actor, now: Date,
                             context: WorkflowContext) -> Result<(DossierState, Transition), WorkflowRejection> {
        let allowed = allowedActions(state, actor: actor, context: context)
        guard allowed.contains(action.name) else {
            let code: WorkflowRejection.Code
            if actor.agencyCode != state.handlingAgency && actor.agencyCode != state.agencyCode {
                code = .wrongAgency
            } else if action.name == "request-supplement" && state.supplementCount > 0 {
                code = .supplementOnce
            } else if StaffRole.allCases.contains(where: {
                allowedActions(state, actor: Actor(username: "", role: $0, agencyCode: state.handlingAgency), context: context).contains(action.name)
            }) {
                code = .wrongRole
            } else {
                code = .notAllowed
            }
            let message = code == .supplementOnce
                ? "a supplement may be requested only once (Mẫu 02)"
                : "action \(action.name) is not allowed for \(actor.role.rawValue) while the dossier is \(state.status.rawValue)"
            return .failure(WorkflowRejection(code: code, message: message, allowed: allowed))
        }
        return perform(state, action, actor: actor, now: now, context: context, allowed: allowed)
    }

    /// Applies an action already known to be allowed (by the staff rules or the applicant's).
    static func perform(_ state: DossierState, _ action: DossierAction, actor: Actor, now: Date, context: WorkflowContext,
                        allowed: [String], byApplicant: Bool = false) -> Result<(DossierState, Transition), WorkflowRejection> {
        var s = state
        var t = Transition(action: action.name, from: state.status, to: state.status, actor: actor.username, actorRole: actor.role,
                           agencyCode: actor.agencyCode, at: now, note: nil, stepName: nil, stepDueAt: nil, stepTimeliness: nil, effects: [],
                           byApplicant: byApplicant ? true : nil)
        let d = context.deadlines

        func invalid(_ code: WorkflowRejection.Code, _ message: String) -> Result<(DossierState, Transition), WorkflowRejection> {
            .failure(WorkflowRejection(code: code, message: message, allowed: allowed))
        }
        /// Closes the current step on the control sheet.
        func closeStep() {
            guard s.stepIndex < context.steps.count else { return }
            t.stepName = context.steps[s.stepIndex].name
            t.stepDueAt = s.stepDueAt
            if let due = s.stepDueAt { t.stepTimeliness = DeadlineCalculator.classify(end: now, due: due) }
        }
        /// Starts step `i`; entering a final reception step (trả kết quả) finishes processing.
        func enterStep(_ i: Int) {
            s.stepIndex = i
            guard i < context.steps.count else {
                endProcessing(.finished)
                return
            }
            let step = context.steps[i]
            s.stepStartedAt = now
            s.stepDueAt = Date(timeIntervalSince1970: TimeInterval(d.addWorkingSeconds(step.hours * 3600, to: Int(now.timeIntervalSince1970))))
            // A step naming an agency code is liên thông; a kind ("department") stays in the unit.
            s.handlingAgency = step.agency.flatMap { AgencyKind(rawValue: $0) == nil ? $0 : nil } ?? s.agencyCode
            if i == context.steps.count - 1 && step.role == .reception && i > 0 {
                endProcessing(.finished)
            } else {
                s.status = .processing
            }
        }
        /// Ends processing (indicator 2.1) with the national scoring rules.
        func endProcessing(_ status: DossierStatus) {
            s.status = status
            if status == .finished {
                t.effects.append(.notifyApplicant(form: "result-ready", message: "Hồ sơ \(s.code) đã giải quyết xong, kết quả sẵn sàng để nhận"))
            }
            guard s.processingEndedAt == nil else { return }
            s.processingEndedAt = now
            if s.receivedAt == nil {
                t.effects.append(.processingEnded(nil))
                return
            }
            // Ended while waiting for a supplement (withdrawn, stopped): the clock stopped at the
            // request, so the request instant is the end that counts.
            let end = state.status == .supplementRequested ? (s.supplementRequestedAt ?? now) : now
            let timeliness: Timeliness
            if s.supplementCount > 1 { timeliness = .late }
            else if let due = s.dueAt { timeliness = DeadlineCalculator.classify(end: end, due: due) }
            else { timeliness = .onTime }
            s.timeliness = timeliness
            if let received = s.receivedAt {
                s.processingSeconds = max(0, d.workingSeconds(from: received, to: end) - s.pausedSeconds)
            }
            t.effects.append(.processingEnded(timeliness))
        }

        switch action {
        case .receive:
            s.receivedAt = now
            s.dueAt = context.limit.map { d.due(from: now, limit: $0) }
            s.reusedAtReceipt = s.documents.contains { $0.reused == true }
            t.effects.append(.received)
            t.effects.append(.notifyApplicant(form: "01", message: "Hồ sơ \(s.code) đã được tiếp nhận"))
            enterStep(0)
        case .requestSupplement(let request):
            switch request.problem(published: context.components) {
            case .empty?: return invalid(.supplementEmpty, "name the missing components of the case (or another paper with its legal basis)")
            case .unpublishedComponent?: return invalid(.supplementUnpublished, "only components published for this case may be asked for")
            case .otherWithoutLegalBasis?: return invalid(.supplementOtherWithoutBasis, "a paper outside the published components needs its legal basis")
            case nil: break
            }
            let reason = request.summary
            s.supplementRequests = (s.supplementRequests ?? []) + [SupplementRecord(at: now, by: actor.username, request: request, beforeReceipt: s.receivedAt == nil)]
            s.resumeStatus = s.status
            s.status = .supplementRequested
            if s.receivedAt == nil { s.guidanceCount = (s.guidanceCount ?? 0) + 1 } else { s.supplementCount += 1 }
            s.supplementRequestedAt = now
            t.note = reason
            t.effects.append(.notifyApplicant(form: "02", message: "Hồ sơ \(s.code) cần bổ sung: \(reason)"))
        case .supplementProvided:
            let requested = s.supplementRequestedAt ?? now
            let paused = d.workingSeconds(from: requested, to: now)
            s.pausedSeconds += paused
            if let due = s.dueAt { s.dueAt = Date(timeIntervalSince1970: TimeInterval(d.addWorkingSeconds(paused, to: Int(due.timeIntervalSince1970)))) }
            if let due = s.stepDueAt { s.stepDueAt = Date(timeIntervalSince1970: TimeInterval(d.addWorkingSeconds(paused, to: Int(due.timeIntervalSince1970)))) }
            s.status = s.resumeStatus ?? .processing
            s.resumeStatus = nil
            t.note = "Tạm dừng \(paused / 60) phút làm việc"
        case .refuse(let reason):
            guard !reason.trimmed.isEmpty else { return invalid(.reasonRequired, "reason is required (Mẫu 03)") }
            t.note = reason
            endProcessing(.refused)
            t.effects.append(.notifyApplicant(form: "03", message: "Hồ sơ \(s.code) bị từ chối: \(reason)"))
        case .transfer(let note), .approve(let note):
            t.note = note
            closeStep()
            enterStep(s.stepIndex + 1)
        case .issue(let number):
            guard !number.trimmed.isEmpty else { return invalid(.numberRequired, "the result number is required") }
            s.resultNumber = number
            t.note = "Số: \(number)"
            closeStep()
            enterStep(s.stepIndex + 1)
        case .sendBack(let reason):
            guard !reason.trimmed.isEmpty else { return invalid(.reasonRequired, "reason is required") }
            t.note = reason
            closeStep()
            enterStep(s.stepIndex - 1)
        case .recordResult(let electronic, let file):
            // An attached file is an electronic result; a paper result replaces an earlier file.
            s.resultElectronic = electronic || file != nil
            s.resultFile = file ?? (electronic ? s.resultFile : nil)
            s.resultRecordedAt = now
            t.note = s.resultElectronic ? "Kết quả điện tử" : "Kết quả giấy"
        case .returnResult:
            if s.needsApologyBeforeReturn(at: now) {
                return .failure(WorkflowRejection(code: .apologyRequired,
                                                  message: "the dossier is late: record an apology with a new appointment (Mẫu 04) before returning the result",
                                                  allowed: allowed.filter { $0 != "return" }))
            }
            guard s.hasResult else {
                return .failure(WorkflowRejection(code: .resultMissing, message: "no result has been recorded: record-result first",
                                                  allowed: allowed.filter { $0 != "return" }))
            }
            closeStep()
            s.returnedAt = now
            endProcessing(.returned)
            t.effects.append(.notifyApplicant(form: "10", message: "Đã trả kết quả hồ sơ \(s.code)"))
        case .withdraw(let reason):
            t.note = reason
            endProcessing(.withdrawn)
            t.effects.append(.notifyApplicant(form: "withdrawn", message: "Hồ sơ \(s.code) đã được rút theo yêu cầu: \(reason)"))
        case .stop(let reason):
            guard !reason.trimmed.isEmpty else { return invalid(.reasonRequired, "reason is required (Mẫu 05)") }
            t.note = reason
            endProcessing(.stopped)
            t.effects.append(.notifyApplicant(form: "05", message: "Hồ sơ \(s.code) bị dừng giải quyết: \(reason)"))
        case .requireFee(let amount, let reason):
            guard amount > 0 else { return invalid(.amountInvalid, "amount must be a positive number of VND") }
            let reason = reason?.trimmed ?? ""
            guard context.listedFees > 0 || !reason.isEmpty else {
                return invalid(.feeReasonRequired, "the procedure lists no fee for this channel: give the legal reason for the fee")
            }
            s.feeAmount = amount
            s.feePaid = false
            s.resumeStatus = s.status
            s.status = .feeDue
            t.note = Money.vnd(amount) + (reason.isEmpty ? "" : " — \(reason)")
            t.effects.append(.notifyApplicant(form: "fee", message: "Hồ sơ \(s.code) cần nộp phí, lệ phí: \(Money.vnd(amount))"))
        case .payFee:
            s.feePaid = true
            s.status = s.resumeStatus ?? .processing
            s.resumeStatus = nil
        case .apologize(let newDue, let reason):
            guard !reason.trimmed.isEmpty else { return invalid(.reasonRequired, "reason is required (Mẫu 04)") }
            guard newDue > now, (s.apologyNewDue ?? s.dueAt).map({ newDue > $0 }) ?? true else { return invalid(.appointmentInvalid, "the new appointment must be after now and after the current one") }
            let afterDue = s.dueAt.map { now > $0 } ?? false
            s.apologyAt = now
            s.apologyNewDue = newDue
            s.apologies = (s.apologies ?? []) + [Apology(at: now, newDue: newDue, reason: reason, by: actor.username, late: afterDue)]
            t.note = reason + (afterDue ? " (xin lỗi sau thời hạn: tính là trễ)" : "")
            let day = DeadlineCalculator.localDate(of: newDue)
            let date = "\(CivilDate.zeroPadded(day.day, 2))/\(CivilDate.zeroPadded(day.month, 2))/\(day.year)"
            t.effects.append(.notifyApplicant(form: "04", message: "Xin lỗi về việc trễ hẹn hồ sơ \(s.code): \(reason). Ngày hẹn trả kết quả mới: \(date)"))
        }
        s.version += 1
        t.to = s.status
        return .success((s, t))
    }
}
