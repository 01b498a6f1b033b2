import ChorusCore
import Testing

/// `--preset` sets decision timing with membership timing: each decision timeout is LAN's scaled
/// by the preset's probe-timeout ratio (DecisionSettings(preset:) says why), bar the wan command timeout.
@Suite struct DecisionPresetTests {
    @Test func lanIsWhatTheSimulatorAndCoreTestsUse() {
        #expect(DecisionSettings(preset: .lan) == DecisionSettings())
    }

    @Test(arguments: [TimingPreset.local, .wan])
    func timeoutsScaleWithTheProbeTimeout(preset: TimingPreset) {
        let ratio = MembershipSettings.preset(preset).probeTimeout / MembershipSettings.lan.probeTimeout
        let (scaled, lan) = (DecisionSettings(preset: preset), DecisionSettings())
        let timeouts: [(String, KeyPath<DecisionSettings, Duration>)] = [
            ("roundTimeout", \.roundTimeout), ("recoveryDelay", \.recoveryDelay),
            ("automaticGrace", \.automaticGrace), ("leaseDuration", \.leaseDuration),
        ]
        for (name, timeout) in timeouts {
            #expect(abs(scaled[keyPath: timeout] / lan[keyPath: timeout] - ratio) < 1e-9, "\(preset) \(name)")
        }
        #expect(scaled.autoApprove == false)
    }

    @Test func commandsAreAnsweredBeforeTheCLIGivesUp() {
        let cliWait = Duration.seconds(30)  // OperatorCommandRequest's timeout
        for preset in TimingPreset.allCases {
            let settings = DecisionSettings(preset: preset)
            #expect(settings.commandTimeout < cliWait, "\(preset)")
            #expect(settings.commandTimeout >= settings.roundTimeout * 8, "\(preset): room for several rounds")
        }
        #expect(DecisionSettings(preset: .local).commandTimeout == .seconds(2), "LAN's 5 s x 0.4")
    }
}
