import Foundation

/// One addition to a counter: on the local `day`, `measure` grows by `value`.
public struct CounterBooking: Hashable, Sendable {
    public var day: CivilDate
    public var measure: IndicatorMeasure
    public var value: Int

    public init(_ day: CivilDate, _ measure: IndicatorMeasure, _ value: Int = 1) {
        self.day = day
        self.measure = measure
        self.value = value
    }
}

/// What a transition adds to the indicator counters (pure). The shell writes the bookings in the
/// transition's transaction; the rebuild calls the same function with the dossier's final state
/// and every transition, which gives the same bookings because each one reads only facts that are
/// fixed once the transition happened (receipt facts, the end of processing, the returned result,
/// the payment row itself).
public enum IndicatorBookings {
    /// The bookings of transition `t`, given `s`, the dossier's state after it (or any later state).
    public static func bookings(_ t: Transition, state s: DossierState) -> [CounterBooking] {
        var out: [CounterBooking] = []
        let paperResult = s.resultOnPaper ?? true
        for effect in t.effects {
            switch effect {
            case .received:
                let day = DeadlineCalculator.localDate(of: s.receivedAt ?? t.at)
                out.append(CounterBooking(day, .received))
                if s.channel == .online {
                    out.append(CounterBooking(day, .receivedOnline))
                    if !paperResult { out.append(CounterBooking(day, .onlineCounted)) }
                }
                let reused = s.reusedAtReceipt ?? false
                if reused { out.append(CounterBooking(day, .receivedReused)) }
                if s.targetsCitizens ?? false {
                    out.append(CounterBooking(day, .receivedForCitizens))
                    if reused || (s.applicantEIdentified ?? false) { out.append(CounterBooking(day, .receivedPopulationData)) }
                }
            case .processingEnded(let timeliness?):
                let day = DeadlineCalculator.localDate(of: t.at)
                out.append(CounterBooking(day, IndicatorMeasure.ended(timeliness)))
                if let seconds = s.processingSeconds { out.append(CounterBooking(day, .endedSeconds, seconds)) }
            case .processingEnded(nil), .notifyApplicant:
                break
            }
        }
        let day = DeadlineCalculator.localDate(of: t.at)
        if t.action == ActionKind.returnResult.rawValue, t.to == .returned {
            out.append(CounterBooking(day, .returned))
            let electronic = s.resultElectronic && s.resultFile != nil
            if paperResult {
                out.append(CounterBooking(day, .returnedPaperResult))
                if electronic { out.append(CounterBooking(day, .returnedElectronicResult)) }
                if electronic && s.channel == .online { out.append(CounterBooking(day, .onlineCounted)) }
            }
            if isDigitised(s) {
                out.append(CounterBooking(day, .returnedDigitised))
                if s.channel == .online { out.append(CounterBooking(day, .returnedShared)) }
            }
        }
        if t.action == ActionKind.payFee.rawValue {
            out.append(CounterBooking(day, .feePaid))
            if t.byApplicant == true { out.append(CounterBooking(day, .feePaidOnline)) }
        }
        return out
    }

    /// Digitised (4.2): every input component and the result are files.
    public static func isDigitised(_ s: DossierState) -> Bool {
        !s.documents.isEmpty && s.documents.allSatisfy { $0.file != nil || $0.form == .electronic } && s.resultFile != nil
    }

    /// The bookings of a rating given on `at` (5.4).
    public static func rating(_ level: Rating.Level, at: Date) -> [CounterBooking] {
        let day = DeadlineCalculator.localDate(of: at)
        return [CounterBooking(day, .rated)] + (level == .dissatisfied ? [CounterBooking(day, .ratedDissatisfied)] : [])
    }
}
