import Testing

@testable import ChorusAgent

@Suite("Timer loop alarm")
struct WakeAlarmTests {
    @Test func aRingCutsALongSleepShort() async {
        let alarm = WakeAlarm()
        let start = ContinuousClock.now
        async let slept: Void = alarm.sleep(upTo: .seconds(30))
        try? await Task.sleep(for: .milliseconds(50))
        alarm.ring()
        await slept
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    @Test func aRingWithNobodySleepingEndsTheNextSleepAtOnce() async {
        let alarm = WakeAlarm()
        alarm.ring()
        let start = ContinuousClock.now
        await alarm.sleep(upTo: .seconds(30))
        #expect(ContinuousClock.now - start < .seconds(5))
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
