"""Every check must be able to fail: each test feeds the checker one bad and one good story."""

import os
import subprocess
import tempfile
import unittest

from chaoslib.bounds import protocol_bounds
from chorustools import events
from chaoslib.checks import Checker
from chaoslib.history import History

A, B, C = "aa" * 32, "bb" * 32, "cc" * 32


def slot(k, decision, member=None, votes=(A,), value=None):
    return {"slot": k, "decision": decision, "members": [member] if member else [], "value": value or f"{decision}-{member}",
            "ballotRound": 1, "ballotProposer": A, "votes": list(votes)}


LOG = [slot(0, "found", A, [A]), slot(1, "admit", B, [A]), slot(2, "admit", C, [A, B]),
       slot(3, "start", votes=[B, C])]


def members(**status):
    return [{"name": name, "status": s} for name, s in status.items()]


def cluster(state="STABLE", decisions=4, voters=("n1", "n2", "n3"), quorum=2, version="1.0.0"):
    return {"state": state, "clusterVersion": version, "voters": list(voters), "quorum": quorum,
            "decisions": decisions}


class CheckerTests(unittest.TestCase):
    def setUp(self):
        self.history = History()
        self.states = ["running"] * 3
        self.bounds = protocol_bounds("lan", 3, 0.5, 1.0)
        self.checker = Checker(["n1", "n2", "n3"], self.bounds, self.history, lambda: self.states)

    def invariants(self):
        return [v["invariant"] for v in self.checker.violations]

    def sample(self, host, t, life=1, c=None, m=None, me=None, d=None):
        self.checker.on_sample(host, t, life, c or cluster(), m if m is not None else members(n1="alive", n2="alive", n3="alive"),
                               me or {"id": f"id{host}", "incarnation": life}, d)

    def test_agreement(self):
        self.sample(0, 1, d=LOG)
        self.sample(1, 1, d=LOG)
        self.assertEqual(self.invariants(), [])
        self.sample(2, 1, d=LOG[:3] + [slot(3, "cancel", votes=[B, C])])
        self.assertEqual(self.invariants(), ["1 agreement"])

    def test_proofs_need_a_majority_of_the_slots_voters(self):
        self.sample(0, 1, d=LOG)
        self.assertEqual(self.invariants(), [])  # slot 1 by the founder alone is a majority of one
        self.sample(1, 2, d=LOG + [slot(4, "approve", votes=[C])])
        self.assertEqual(self.invariants(), ["3 quorum"])
        self.assertIn("1 votes of its 3 voters", self.checker.violations[0]["message"])

    def test_reported_quorum_is_a_majority(self):
        self.sample(0, 1, c=cluster(quorum=1))
        self.assertEqual(self.invariants(), ["3 quorum"])

    def test_transitions_follow_the_table(self):
        for name in (events.UPGRADE_STARTED, events.UPGRADE_MIXED, events.UPGRADE_READY, events.UPGRADE_APPROVED,
                     events.UPGRADE_TASKS_FAILED, events.UPGRADE_APPROVED, events.UPGRADE_FINISHED,
                     events.UPGRADE_STARTED, events.UPGRADE_CANCELLED):
            self.checker.on_event(0, 1, 1, {"event": name, "cluster": {}})
        self.assertEqual(self.invariants(), [])
        self.checker.on_event(1, 1, 1, {"event": events.UPGRADE_STARTED, "cluster": {}})
        self.checker.on_event(1, 2, 1, {"event": events.UPGRADE_FINISHED, "cluster": {}})
        self.assertEqual(self.invariants(), ["2 transitions"])

    def test_completeness_and_detection_time(self):
        self.checker.on_kill(2, 10.0)
        self.states[2] = "killed"
        self.sample(0, 13.0, m=members(n1="alive", n2="alive", n3="dead"))
        self.checker.tick(14.0)
        self.assertEqual(self.invariants(), [])
        self.checker.tick(10.0 + self.bounds.observed(self.bounds.detection) + 0.1)
        self.assertEqual(self.invariants(), ["5 completeness"])
        self.assertIn("n2", self.checker.violations[0]["message"].split("polling)")[1])

    def test_completeness_measures_and_is_excused_by_a_partition(self):
        self.checker.on_kill(2, 10.0)
        self.states[2] = "killed"
        for host in (0, 1):
            self.sample(host, 12.5, m=members(n1="alive", n2="alive", n3="dead"))
        self.checker.tick(13.0)
        self.assertEqual(self.checker.detection_all, [2.5])
        self.checker.on_kill(1, 20.0)
        self.states[1] = "killed"
        self.history.network_start(21.0, "partition", [0], {})
        self.checker.tick(40.0)
        self.assertEqual(self.invariants(), [])

    def test_accuracy(self):
        self.sample(0, 100.0, m=members(n1="alive", n2="dead", n3="alive"))
        self.assertEqual(self.invariants(), ["6 accuracy"])

    def test_accuracy_excuses_a_paused_or_partitioned_host(self):
        self.history.host_down(1, 80.0, "pause")
        self.history.host_up(1, 90.0, restarted=False)
        self.sample(0, 100.0, m=members(n1="alive", n2="dead", n3="alive"))
        entry = self.history.network_start(150.0, "partition", [2], {})
        self.history.network_end(entry, 160.0)
        self.sample(0, 170.0, m=members(n1="alive", n2="alive", n3="dead"))
        self.assertEqual(self.invariants(), [])

    def test_accuracy_from_events_catches_a_death_shorter_than_a_poll(self):
        # An insider's lone "dead" verdict believed at once and refuted 100 ms later: no poll sees it.
        self.checker.on_event(0, 100.0, 1, {"event": events.MEMBER_FAILED, "member": {"name": "n2", "status": "alive"}})
        self.assertEqual(self.invariants(), ["6 accuracy"])
        self.assertIn("event", self.checker.violations[0]["message"])

    def test_accuracy_from_events_is_excused_like_polls(self):
        self.history.host_down(1, 80.0, "term")
        self.history.host_up(1, 90.0, restarted=True)
        self.checker.on_event(0, 100.0, 1, {"event": events.MEMBER_LEAVE, "member": {"name": "n2"}})
        self.states[2] = "killed"
        self.checker.on_event(0, 100.0, 1, {"event": events.MEMBER_FAILED, "member": {"name": "n3"}})
        self.checker.on_event(0, 100.0, 1, {"event": events.MEMBER_JOIN, "member": {"name": "n3"}})
        self.assertEqual(self.invariants(), [])

    def incarnations(self, host, t, life=1, **by_name):
        m = [{"name": name, "id": f"id-{name}", "status": "alive", "incarnation": inc} for name, inc in by_name.items()]
        self.sample(host, t, life=life, m=m, me={"id": f"id{host}", "incarnation": life})

    def test_integrity_incarnations_never_go_back(self):
        self.incarnations(0, 10.0, n2=5, n3=7)
        self.incarnations(0, 11.0, n2=6, n3=7)
        self.incarnations(1, 11.0, n2=4, n3=7)  # another observer may lag behind: no violation
        self.incarnations(0, 12.0, life=2, n2=3, n3=7)  # a restarted observer starts over
        self.assertEqual(self.invariants(), [])
        self.incarnations(0, 13.0, life=2, n2=2, n3=7)  # a stale heartbeat replaced a newer one
        self.assertEqual(self.invariants(), ["8 integrity"])
        self.assertIn("below the 3", self.checker.violations[0]["message"])

    def test_integrity_incarnations_stay_in_range(self):
        self.incarnations(0, 10.0, n2=5, n3=5 + 1025)  # a believable accusation refuted: fine
        self.assertEqual(self.invariants(), [])
        self.incarnations(0, 11.0, n2=2**64 - 1, n3=1030)  # an extreme heartbeat taken in
        self.sample(2, 12.0, me={"id": "id2", "incarnation": 2**62})  # refuted an accusation at 2^62
        self.assertEqual(self.invariants(), ["8 integrity", "8 integrity"])

    def test_reflection_ratio(self):
        self.checker.on_reflection(20.0, 2, injected=1200, received=708, detail="digest via n1")
        self.checker.on_reflection(21.0, 2, injected=0, received=0, detail="nothing captured yet")
        self.assertEqual(self.invariants(), [])
        self.assertEqual(self.checker.checks["§2 amplification"], 1, "a reflection that sent nothing checks nothing")
        self.checker.on_reflection(30.0, 1, injected=369, received=1140, detail="join-request via n3")
        self.assertEqual(self.invariants(), ["§2 amplification"])
        self.assertIn("ratio 3.09", self.checker.violations[0]["message"])
        self.assertEqual(self.checker.figures()["reflectionRatio"]["max"], 3.089)

    def test_minority_side_decides_nothing(self):
        entry = self.history.network_start(10.0, "partition", [2], {})
        self.checker.on_partition(10.0, [2], entry)
        self.sample(2, 13.0, c=cluster(decisions=4))
        self.sample(2, 14.0, c=cluster(decisions=4))
        self.assertEqual(self.invariants(), [])
        self.sample(2, 15.0, c=cluster(decisions=5))
        self.assertEqual(self.invariants(), ["3 minority"])

    def test_durability(self):
        self.sample(0, 1.0, c=cluster(decisions=4), me={"id": "x", "incarnation": 3})
        self.sample(0, 9.0, life=2, c=cluster(decisions=4), me={"id": "x", "incarnation": 4})
        self.assertEqual(self.invariants(), [])
        self.sample(0, 19.0, life=3, c=cluster(decisions=2), me={"id": "y", "incarnation": 4})
        self.assertEqual(sorted(self.invariants()), ["9 durability"] * 3)

    def test_convergence(self):
        self.checker.quiet_floor = 0.0
        for host in range(3):
            self.sample(host, 5.0, c=cluster(decisions=4 + (host == 2)))
        self.checker.tick(6.0)
        self.checker.tick(self.bounds.observed(self.bounds.convergence) + 1)
        self.assertEqual(self.invariants(), ["7 convergence"])

    def test_convergence_time_after_a_partition(self):
        self.checker.quiet_floor = 0.0
        entry = self.history.network_start(10.0, "partition", [2], {})
        self.history.network_end(entry, 20.0)
        self.checker.on_heal(20.0, [2])
        self.sample(2, 22.0, m=members(n1="dead", n2="alive", n3="alive"))
        self.checker.tick(22.0)
        self.assertEqual(self.checker.heal_times, [])
        for host in range(3):
            self.sample(host, 23.0)
        self.checker.tick(23.5)
        self.assertEqual(self.invariants(), [])
        self.assertEqual(self.checker.figures()["convergenceAfterPartition"]["max"], 3.5)

    def test_sides_that_never_meet_again(self):
        entry = self.history.network_start(10.0, "oneway", [2], {"direction": "out"})
        self.history.network_end(entry, 20.0)
        self.checker.on_heal(20.0, [2])
        for host in range(3):
            self.sample(host, 30.0, m=members(n1="alive", n2="alive", n3="suspect"))
        self.checker.tick(20.0 + self.bounds.observed(self.bounds.convergence) + 1)
        self.assertEqual(self.invariants(), ["7 convergence"])
        self.assertIn("n1 sees n3 suspect", self.checker.violations[0]["message"])

    def test_two_task_runs_at_once(self):
        sleepers = [subprocess.Popen(["sleep", "30"]) for _ in range(2)]
        try:
            with tempfile.TemporaryDirectory() as d:
                log = os.path.join(d, "tasks.log")
                with open(log, "w") as f:
                    f.write(f"1.0 start node=n1 from=1.0.0 to=1.1.0 attempt=1 term=1 pid={sleepers[0].pid}\n")
                self.checker.tasks.path = log
                self.checker.tick(1.0)
                self.assertEqual(self.invariants(), [])
                with open(log, "a") as f:
                    f.write(f"2.0 start node=n2 from=1.0.0 to=1.1.0 attempt=2 term=2 pid={sleepers[1].pid}\n")
                self.checker.tick(2.0)
                self.assertEqual(self.invariants(), ["4 tasks"])
        finally:
            for s in sleepers:
                s.kill()
                s.wait()

    def test_a_finished_upgrade_needs_a_completed_run(self):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "tasks.log")
            with open(log, "w") as f:
                f.write("1.0 start node=n1 from=1.0.0 to=1.1.0 attempt=1 term=1 pid=1\n"
                        "4.0 done node=n1 from=1.0.0 to=1.1.0 term=1 pid=1\n")
            self.checker.tasks.path = log
            self.checker.on_event(0, 5, 1, {"event": events.UPGRADE_FINISHED, "cluster": {"clusterVersion": "1.1.0"}})
            self.assertEqual(self.invariants(), [])
            self.checker.on_event(0, 9, 1, {"event": events.UPGRADE_FINISHED, "cluster": {"clusterVersion": "1.2.0"}})
            self.assertEqual(self.invariants(), ["2 transitions", "4 tasks"])


if __name__ == "__main__":
    unittest.main()
