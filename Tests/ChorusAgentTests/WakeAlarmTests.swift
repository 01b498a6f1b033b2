import Testing

@testable import ChorusAgent

/// Upper bounds on wall time would fail whenever the simulator suites hold both threads of the
/// cooperative pool, so the rung sleeps here are an hour long: returning at all is the proof, and
/// the time limit turns a missed ring into a failure instead of a hang.
@Suite("Timer loop alarm", .timeLimit(.minutes(10)))
struct WakeAlarmTests {
    @Test func aRingCutsALongSleepShort() async {
        let alarm = WakeAlarm()
        async let slept: Void = alarm.sleep(upTo: .seconds(3600))
        try? await Task.sleep(for: .milliseconds(50))
        alarm.ring()
        await slept
    }

    @Test func aRingWithNobodySleepingEndsTheNextSleepAtOnce() async {
        let alarm = WakeAlarm()
        alarm.ring()
        await alarm.sleep(upTo: .seconds(3600))
    }

    @Test func withoutARingTheSleepLastsItsDurationAndLeavesNothingBehind() async {
        let alarm = WakeAlarm()
        let start = ContinuousClock.now
        await alarm.sleep(upTo: .milliseconds(200))
        #expect(ContinuousClock.now - start >= .milliseconds(200))
        // The ended sleep left no ring: the next one sleeps too.
        let second = ContinuousClock.now
        await alarm.sleep(upTo: .milliseconds(200))
        #expect(ContinuousClock.now - second >= .milliseconds(200))
    }
}
