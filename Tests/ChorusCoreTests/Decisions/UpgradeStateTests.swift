import ChorusCore
import ChorusWire
import Testing

/// SPEC §4's version-driven transitions, derived from an agreed log and the voters' facts.
@Suite("Upgrade state derivation")
struct UpgradeStateTests {
    let ids = (1...3).map { NodeID(bytes: Array(repeating: UInt8($0), count: 32))! }

    func upgrading() -> AgreedState {
        var agreed = AgreedState()
        agreed.apply(.found(founder: ids[0], clusterVersion: "1.0.0"), slot: 0)
        agreed.apply(.admit([ids[1]]), slot: 1)
        agreed.apply(.admit([ids[2]]), slot: 2)
        agreed.apply(.startUpgrade, slot: 3)
        return agreed
    }

    func state(_ versions: [String], statuses: [MemberStatus] = [.alive, .alive, .alive]) -> UpgradeStatus {
        var members = MemberFactsView()
        for index in ids.indices { members[ids[index]] = MemberFacts(status: statuses[index], version: versions[index]) }
        return UpgradeStatus.derive(upgrading(), members: members)
    }

    @Test func versionsDriveTheUpgradeStates() {
        #expect(state(["1.0.0", "1.0.0", "1.0.0"]).state == .readyToUpgrade)
        #expect(state(["1.1.0", "1.0.0", "1.0.0"]).state == .mixed)
        let ready = state(["1.1.0", "1.1.0", "1.1.0"])
        #expect(ready.state == .readyToRunUpgradeTasks)
        #expect(ready.targetVersion == "1.1.0")
        // A downgrade of one voter goes back to MIXED; of all of them, to READY_TO_UPGRADE.
        #expect(state(["1.1.0", "1.0.0", "1.1.0"]).state == .mixed)
    }

    @Test func twoNewerVersionsAreMixed() {
        let status = state(["1.1.0", "1.2.0", "1.1.0"])
        #expect(status.state == .mixed)
        #expect(status.targetVersion == "1.2.0")
        #expect(status.waitingFor?.contains("different newer versions") == true)
    }

    @Test func aDeadVoterBlocksEvenOnTheNewVersion() {
        let status = state(["1.1.0", "1.1.0", "1.1.0"], statuses: [.alive, .dead, .alive])
        #expect(status.state == .mixed)
        #expect(status.waitingFor?.contains("not alive") == true)
    }

    @Test func theAgreedPhaseWinsOverVersions() {
        var agreed = upgrading()
        agreed.apply(.approveUpgrade(targetVersion: "1.1.0"), slot: 4)
        let members = MemberFactsView(uniqueKeysWithValues: ids.map { ($0, MemberFacts(status: .alive, version: "1.0.0")) })
        #expect(UpgradeStatus.derive(agreed, members: members).state == .runningUpgradeTasks)
        #expect(agreed.clusterVersion == "1.0.0") // the feature gate moves only when the tasks finish
        agreed.apply(.grantLease(runner: ids[0], term: 1, durationMilliseconds: 10_000), slot: 5)
        let staleApplied = agreed.apply(.finishTasks(term: 2), slot: 6)
        #expect(staleApplied == false) // fenced: not the current term
        let currentApplied = agreed.apply(.finishTasks(term: 1), slot: 7)
        #expect(currentApplied)
        #expect(agreed.clusterVersion == "1.1.0")
        #expect(UpgradeStatus.derive(agreed, members: members).state == .stable)
    }
}

/// The task lease's duration is part of the grant, so every agent times the same lease.
@Suite("Lease duration in the grant")
struct LeaseGrantTests {
    let ids = (1...3).map { NodeID(bytes: Array(repeating: UInt8($0), count: 32))! }

    func running() -> AgreedState {
        var agreed = AgreedState()
        agreed.apply(.found(founder: ids[0], clusterVersion: "1.0.0"), slot: 0)
        agreed.apply(.startUpgrade, slot: 1)
        agreed.apply(.approveUpgrade(targetVersion: "1.1.0"), slot: 2)
        return agreed
    }

    @Test func theGrantSetsTheAgreedDuration() {
        var agreed = running()
        let applied = agreed.apply(.grantLease(runner: ids[0], term: 1, durationMilliseconds: 42_000), slot: 3)
        #expect(applied)
        #expect(agreed.lease?.duration == .seconds(42))
    }

    @Test func aDurationOutOfRangeIsVoidEverywhere() {
        for duration: UInt32 in [0, 999, 3_600_001, .max] {
            var agreed = running()
            #expect(agreed.voidReason(of: .grantLease(runner: ids[0], term: 1, durationMilliseconds: duration), slot: 3)?
                .contains("out of range") == true)
            let applied = agreed.apply(.grantLease(runner: ids[0], term: 1, durationMilliseconds: duration), slot: 3)
            #expect(!applied)
            #expect(agreed.lease == nil)
        }
    }

    @Test func theDurationSurvivesTheWire() throws {
        let grant = DecisionValue.grantLease(runner: ids[1], term: 7, durationMilliseconds: 123_456)
        var reader = ByteReader(grant.encoded)
        #expect(try DecisionValue.decode(from: &reader) == grant)
        // A grant cut short before its duration is rejected, not read with a default.
        var truncated = ByteReader(Array(grant.encoded.dropLast()))
        #expect(throws: WireError.self) { try DecisionValue.decode(from: &truncated) }
    }
}
