import ChorusCore
import Testing

@testable import ChorusAgent

/// `DELETE /v1/members/NAME` when a host came back under its old name with a new key: the dead
/// identity is the one removed (issue 15: it picked the live one, which answered 409, so the dead
/// one could never be removed); two live ones are named by id.
@Suite struct MemberRemovalTests {
    static func member(_ name: String, seed: UInt8, _ status: MemberStatus) -> MemberSnapshot {
        FakeStatusSource.member(name, seed: seed, status: status)
    }

    @Test func theMemberThatIsNotAliveIsTheOneMeant() throws {
        let live = Self.member("n3", seed: 3, .alive)
        let dead = Self.member("n3", seed: 4, .dead)
        for order in [[live, dead], [dead, live]] {
            #expect(try ClusterRoutes.memberToRemove(named: "n3", among: order).id == dead.id)
        }
        #expect(try ClusterRoutes.memberToRemove(named: "n3", among: [live]).id == live.id, "alone, the live one (the engine refuses)")
    }

    @Test func twoLiveMembersOfOneNameAreRemovedByID() throws {
        let first = Self.member("n3", seed: 3, .alive)
        let second = Self.member("n3", seed: 4, .alive)
        #expect(throws: APIError.self) { try ClusterRoutes.memberToRemove(named: "n3", among: [first, second]) }
        #expect(try ClusterRoutes.memberToRemove(named: String(second.id.hex.prefix(12)), among: [first, second]).id == second.id)
        #expect(throws: APIError.self) { try ClusterRoutes.memberToRemove(named: "n9", among: [first, second]) }
    }
}
