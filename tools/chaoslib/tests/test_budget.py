"""Invariant 10 from outside (`budget.py`): each check fed one bad and one good story of polls."""

import unittest

from chaoslib.bounds import protocol_bounds
from chaoslib.budget import decode_grant
from chaoslib.checks import Checker
from chaoslib.history import History

NAMES = ["n1", "n2", "n3", "n4", "n5"]
IDS = {name: f"{i + 1:02x}" * 32 for i, name in enumerate(NAMES)}


def slot(term, holder, purpose="rollout"):
    return {"term": term, "holder": holder, "purpose": purpose, "client": None}


def grant(log_slot, term, holder, purpose="rollout"):
    """A `grant-slot` decision as `/v1/decisions` lists it: the value is `DecisionValue`'s wire encoding."""
    # rollout attempt 1, or reboot by client "os" in group "d" (short strings: a length byte, then UTF-8)
    tail = "02" + "00000001" if purpose == "rollout" else "01" + "02" + "6f73" + "01" + "64"
    return {"slot": log_slot, "decision": "grant-slot", "value": "15" + IDS[holder] + f"{term:08x}" + tail,
            "members": [], "ballotRound": 1, "ballotProposer": IDS["n1"], "votes": [IDS["n1"]]}


def rollout(*slots, state="running", budget=1):
    return {"state": state, "maxUnavailable": budget, "slots": list(slots)}


class BudgetTests(unittest.TestCase):
    def setUp(self):
        self.history = History()
        self.checker = Checker(NAMES, protocol_bounds("lan", 5, 0.5, 1.0), self.history, lambda: ["running"] * 5)

    def invariants(self):
        """Budget violations only: the stories' dead members are not killed, which accuracy (6) would flag."""
        return [v["invariant"] for v in self.checker.violations if v["invariant"] == "budget"]

    def message(self):
        return next(v["message"] for v in self.checker.violations if v["invariant"] == "budget")

    def poll(self, t, r, out=None, hosts=range(5), decided=None):
        """Every agent in `hosts` reports the rollout `r`, sees `out` ({name: status, serving or
        health}) out of service, and lists the decision `decided`, if any."""
        for host in hosts:
            members = [{"name": n, "id": IDS[n], "status": "alive", "serving": "serving", "health": "healthy"}
                       for n in NAMES]
            for m in members:
                state = (out or {}).get(m["name"])
                if state in ("dead", "suspect", "left"):
                    m["status"] = state
                elif state in ("draining", "leaving"):
                    m["serving"] = state
                elif state == "unhealthy":
                    m["health"] = state
            self.checker.on_sample(host, t, 1, {"state": "MIXED", "voters": NAMES, "quorum": 3, "decisions": 9},
                                   members, None, [decided] if decided else None, r)

    def story(self, start, end, r, out=None, hosts=range(5)):
        t = start
        while t <= end:
            self.poll(t, r, out, hosts)
            t += 0.5

    def test_two_holders_of_one_term(self):
        self.poll(20, rollout(slot(1, "n2")), hosts=[0, 1])
        self.assertEqual(self.invariants(), [])
        self.poll(20.5, rollout(slot(1, "n3")), hosts=[2])
        self.assertEqual(self.invariants(), ["budget"])
        self.assertIn("term 1 is held by n3", self.message())

    def test_a_holder_named_by_its_id_is_the_same_holder(self):
        self.poll(20, rollout(slot(1, "n2")), hosts=[0, 1])
        self.poll(20.5, rollout(slot(1, IDS["n2"][:16])), hosts=[2])  # n3 knows n2 only by its id
        self.assertEqual(self.invariants(), [])

    def test_one_agent_listing_a_holder_twice(self):
        self.poll(20, rollout(slot(1, "n2"), slot(2, "n2"), budget=2), hosts=[0])
        self.assertIn("2 slots held by n2", self.message())

    def test_more_slots_than_the_budget(self):
        self.story(0, 20, rollout())
        self.poll(20.5, rollout(slot(1, "n2"), slot(2, "n3", "reboot")))
        self.assertEqual(self.invariants(), ["budget"])
        self.assertIn("while 1 slots were held", self.message())

    def test_clean_grants_and_releases(self):
        self.story(0, 20, rollout())
        self.poll(20.5, rollout(slot(1, "n2")), decided=grant(5, 1, "n2"))
        self.story(21, 25, rollout(slot(1, "n2")), out={"n2": "draining"})
        self.story(25.5, 30, rollout())
        self.poll(30.5, rollout(slot(2, "n3", "reboot")), decided=grant(7, 2, "n3", "reboot"))
        self.story(31, 35, rollout(slot(2, "n3", "reboot")))
        self.story(35.5, 40, rollout(state="finished"))
        self.poll(40.5, rollout(slot(3, "n1"), budget=2), decided=grant(9, 3, "n1"))
        self.poll(41, rollout(slot(3, "n1"), slot(4, "n4"), budget=2), out={"n1": "draining"}, decided=grant(10, 4, "n4"))
        self.story(41.5, 45, rollout(slot(3, "n1"), slot(4, "n4"), budget=2), out={"n1": "draining", "n4": "draining"})
        # aborted with two turns under way: the budget is back to 1, the turns finish.
        self.story(45.5, 50, rollout(slot(3, "n1"), slot(4, "n4"), state="aborted", budget=2))
        self.assertEqual(self.invariants(), [])
        self.assertEqual(self.checker.checks["budget at grant"], 4)
        self.assertEqual(self.checker.checks["budget slots"], 4)

    def test_a_killed_holder_keeps_its_slot(self):
        self.story(0, 20, rollout())
        self.poll(20.5, rollout(slot(1, "n2")), decided=grant(5, 1, "n2"))
        self.story(21, 25, rollout(slot(1, "n2")), out={"n2": "draining"})
        self.story(25.5, 60, rollout(slot(1, "n2")), out={"n2": "dead"}, hosts=[0, 2, 3, 4])
        self.story(60.5, 70, rollout(slot(1, "n2")), out={"n2": "draining"})
        self.assertEqual(self.invariants(), [])

    def test_a_grant_while_the_holder_saw_a_member_dead(self):
        self.story(0, 20, rollout(), out={"n5": "dead"})
        self.poll(20.5, rollout(slot(1, "n2")), out={"n5": "dead"}, decided=grant(5, 1, "n2"))
        self.assertEqual(self.invariants(), [], "judged once the holder has been polled after the grant")
        self.story(21, 24.5, rollout(slot(1, "n2")), out={"n5": "dead"})
        self.assertEqual(self.invariants(), ["budget"])
        self.assertIn("n2 reported n5 out of service", self.message())

    def test_a_member_back_in_service_just_before_the_grant(self):
        # n5's turn ended (undrained, slot released) between n2's last poll and n2's reboot grant.
        self.story(0, 20, rollout(slot(1, "n5")), out={"n5": "draining"})
        self.poll(20.5, rollout(slot(2, "n2", "reboot")), decided=grant(6, 2, "n2", "reboot"))
        self.story(21, 25, rollout(slot(2, "n2", "reboot")))
        self.assertEqual(self.invariants(), [])
        self.assertEqual(self.checker.checks["budget at grant"], 1)

    def test_an_unhealthy_application_spends_the_budget_too(self):
        self.story(0, 20, rollout(), out={"n4": "unhealthy"})
        self.poll(20.5, rollout(slot(1, "n2", "reboot")), out={"n4": "unhealthy"}, decided=grant(5, 1, "n2", "reboot"))
        self.story(21, 24.5, rollout(slot(1, "n2", "reboot")), out={"n4": "unhealthy"})
        self.assertEqual(self.invariants(), ["budget"])

    def test_a_grant_the_log_voids_is_judged_too(self):
        # n3 proposed a reboot slot while its own log held n2's turn all along: the log voids the
        # grant (the budget is spent), but n3's view should never have allowed it.
        self.story(0, 20, rollout(slot(1, "n2")), out={"n2": "draining"})
        self.poll(20.5, rollout(slot(1, "n2")), out={"n2": "draining"}, decided=grant(6, 2, "n3", "reboot"))
        self.story(21, 24.5, rollout(slot(1, "n2")), out={"n2": "draining"})
        self.assertEqual(self.invariants(), ["budget"])

    def test_what_the_holder_may_not_have_seen_is_not_held_against_it(self):
        self.story(0, 17, rollout())
        self.story(17.5, 20, rollout(), out={"n5": "dead"})  # died 3 s before: news may not have reached n2
        self.poll(20.5, rollout(slot(1, "n2")), out={"n5": "dead"}, decided=grant(5, 1, "n2"))
        self.story(21, 25, rollout(slot(1, "n2")), out={"n5": "dead"})
        self.assertEqual(self.invariants(), [])
        self.assertEqual(self.checker.checks["budget at grant"], 1)

    def test_a_gap_in_the_holders_samples(self):
        # n2 not polled from 25 s to 40 s (paused, or too slow to answer): it saw n5 unhealthy
        # before and after, but n5 may have been well in between.
        self.story(0, 25, rollout(), out={"n5": "unhealthy"})
        self.story(25.5, 40, rollout(), out={"n5": "unhealthy"}, hosts=[0, 2, 3, 4])
        self.poll(40.5, rollout(slot(1, "n2")), out={"n5": "unhealthy"}, decided=grant(5, 1, "n2"))
        self.story(41, 45, rollout(slot(1, "n2")), out={"n5": "unhealthy"})
        self.assertEqual(self.invariants(), [])
        self.assertEqual(self.checker.checks["budget at grant"], 1)
        # Killed throughout such a gap, a member cannot have come back in n2's view.
        self.history.host_down(4, 45.5, "kill")
        self.story(45.5, 50, rollout(), out={"n5": "dead"})
        self.story(50.5, 60, rollout(), out={"n5": "dead"}, hosts=[0, 2, 3, 4])
        self.poll(60.5, rollout(slot(2, "n2")), out={"n5": "dead"}, decided=grant(7, 2, "n2"))
        self.story(61, 65, rollout(slot(2, "n2")), out={"n5": "dead"})
        self.assertEqual(self.invariants(), ["budget"])

    def test_a_holder_restarted_in_a_gap_is_not_judged(self):
        self.history.host_down(4, 0, "kill")
        self.story(0, 30, rollout(), out={"n5": "dead"})
        self.history.host_down(1, 30.2, "term")
        self.history.host_up(1, 35, restarted=True)
        self.story(30.5, 40, rollout(), out={"n5": "dead"}, hosts=[0, 2, 3, 4])
        self.poll(40.5, rollout(slot(1, "n2")), out={"n5": "dead"}, decided=grant(5, 1, "n2"))
        self.story(41, 45, rollout(slot(1, "n2")), out={"n5": "dead"})
        self.assertEqual(self.invariants(), [])
        self.assertEqual(self.checker.budget.unjudged, 1)

    def test_a_holder_cut_off_in_the_window_is_excused(self):
        self.history.network_end(self.history.network_start(12, "partition", [1], {"style": "isolate"}), 18)
        self.story(0, 20, rollout(), out={"n5": "dead"})
        self.poll(20.5, rollout(slot(1, "n2")), out={"n5": "dead"}, decided=grant(5, 1, "n2"))
        self.story(21, 25, rollout(slot(1, "n2")), out={"n5": "dead"})
        self.assertEqual(self.invariants(), [])
        self.assertEqual(self.checker.budget.excused, 1)

    def test_a_partition_of_other_hosts_excuses_nothing(self):
        self.history.network_end(self.history.network_start(12, "partition", [4], {"style": "isolate"}), 18)
        self.story(0, 20, rollout(), out={"n5": "dead"})
        self.poll(20.5, rollout(slot(1, "n2")), out={"n5": "dead"}, decided=grant(5, 1, "n2"))
        self.story(21, 25, rollout(slot(1, "n2")), out={"n5": "dead"})
        self.assertEqual(self.invariants(), ["budget"])

    def test_a_rollout_budget_of_two(self):
        self.story(0, 20, rollout(budget=2), out={"n5": "dead"})
        self.poll(20.5, rollout(slot(1, "n2"), budget=2), out={"n5": "dead"}, decided=grant(5, 1, "n2"))
        self.assertEqual(self.invariants(), [])
        self.story(21, 35, rollout(slot(1, "n2"), budget=2), out={"n5": "dead", "n2": "draining"})
        self.poll(35.5, rollout(slot(1, "n2"), slot(2, "n3"), budget=2), out={"n5": "dead", "n2": "draining"},
                  decided=grant(6, 2, "n3"))
        self.story(36, 40, rollout(slot(1, "n2"), slot(2, "n3"), budget=2), out={"n5": "dead", "n2": "draining"})
        self.assertEqual(self.invariants(), ["budget"])
        self.assertIn("n2, n5", self.message())

    def test_grant_decoding(self):
        self.assertEqual(decode_grant(grant(5, 258, "n2")["value"]), (IDS["n2"], 258, "rollout"))
        self.assertEqual(decode_grant(grant(5, 3, "n4", "reboot")["value"]), (IDS["n4"], 3, "reboot"))


if __name__ == "__main__":
    unittest.main()
