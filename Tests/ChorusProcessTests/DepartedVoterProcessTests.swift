import Foundation
import Testing
import ChorusTesting

/// What a newcomer hit first (issue 16): five agents up, all stopped, three started again on the
/// same data directories. The other two stay voters that no running agent has a member entry
/// for; they must be listed by name, named in the refusal to upgrade, and removable by name.
@Suite(.serialized) struct DepartedVoterProcessTests {
    @Test func votersThatNeverCameBackAreListedAndRemovedByName() async throws {
        let cluster = try ProcessCluster(count: 5, label: "departed")
        defer { cluster.stop() }
        try await cluster.startServing()
        let formed = await eventually(within: .seconds(20)) { await cluster.agents[0].cluster()?.voters.count == 5 }
        try #require(formed != nil, "five voters were not admitted")

        for agent in cluster.agents { agent.kill(SIGTERM) }
        for agent in cluster.agents { #expect(await agent.waitForExit(timeout: .seconds(15)) == 0, "\(agent.name) did not stop") }
        let survivors = Array(cluster.agents.prefix(3))
        for agent in survivors { try agent.start(join: agent === survivors[0] ? nil : cluster.base, trust: cluster.trust) }
        let regrouped = await eventually(within: .seconds(20)) {
            await survivors[0].members()?.filter { $0.status == "alive" }.count == 3
        }
        try #require(regrouped != nil, "the three restarted agents did not find each other")

        let listing = try survivors[1].runClientReadingOutput(["members"], admin: false)
        #expect(listing.status == 0)
        for name in ["node-4", "node-5"] {
            let row = listing.output.split(separator: "\n").first { $0.hasPrefix(name + " ") }
            #expect(row?.contains("unknown") == true, "\(name) is not listed as an unknown voter:\n\(listing.output)")
        }
        let refusal = try survivors[1].runClientReadingError(["upgrade", "start"])
        #expect(refusal.status == 3, "upgrade start with two departed voters must be refused")
        #expect(["node-4", "node-5"].contains { refusal.error.contains("voter \($0) is not alive") },
                "the refusal does not name the departed voter: \(refusal.error)")

        #expect(try survivors[2].runClient(["members", "remove", "node-4"]) == 0)
        #expect(try survivors[0].runClient(["members", "remove", "node-5"]) == 0)
        let removed = await eventually(within: .seconds(5)) {
            await survivors.asyncAllSatisfy { await $0.cluster()?.voters.sorted() == ["node-1", "node-2", "node-3"] }
        }
        #expect(removed != nil, "the departed voters are still voters somewhere")
        #expect(try survivors[1].runClient(["upgrade", "start"]) == 0)
    }
}
