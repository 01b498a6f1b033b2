import unittest

from chaoslib import schedule


class ScheduleTests(unittest.TestCase):
    def plan(self, seed, nodes=7, duration=600.0, kinds=schedule.KINDS):
        return schedule.plan(seed, nodes, duration, list(kinds), detection=10.0, convergence=40.0)

    def test_same_seed_same_plan_and_other_seed_other_plan(self):
        self.assertEqual(self.plan(3), self.plan(3))
        self.assertEqual(schedule.digest(self.plan(3)), schedule.digest(self.plan(3)))
        self.assertNotEqual(schedule.digest(self.plan(3)), schedule.digest(self.plan(4)))

    def test_rules_hold(self):
        for seed in range(1, 40):
            faults = self.plan(seed)
            self.assertTrue(faults)
            for f in faults:
                self.assertLessEqual(f.until, 600 - 40 - 5, f)
                if f.kind == "kill":
                    self.assertGreaterEqual(f.until - f.at, 10.0, "a kill lasts past the detection bound")
                if f.kind == "partition":
                    self.assertLessEqual(len(f.hosts), 3, "the partitioned side is a minority")
            for moment in range(0, 600, 1):
                down = {f.hosts[0] for f in faults if f.kind in schedule.PROCESS_KINDS and f.at <= moment <= f.until}
                self.assertLessEqual(len(down), 3, f"seed {seed} at {moment}: a majority stays up")
                network = [f for f in faults if f.kind not in schedule.PROCESS_KINDS and f.at <= moment <= f.until]
                self.assertLessEqual(len(network), 1)

    def test_only_the_chosen_kinds(self):
        kinds = {f.kind for f in self.plan(5, kinds=["kill", "pause"])}
        self.assertTrue(kinds <= {"kill", "pause"})
        self.assertEqual(self.plan(5, kinds=["upgrade"]), [])


class HostileScheduleTests(unittest.TestCase):
    ALL = list(schedule.KINDS) + list(schedule.HOSTILE_KINDS)

    def plan(self, seed, nodes=5, duration=300.0, kinds=ALL):
        return schedule.plan(seed, nodes, duration, list(kinds), detection=10.0, convergence=40.0)

    def test_default_plans_are_unchanged(self):
        # Digests of the plan before hostile kinds existed (same arguments): CI's runs replay as before.
        for (seed, nodes, duration), digest in {(1, 5, 120.0): "27e6435cc929", (7, 7, 600.0): "bdbec2cc3728",
                                                 (42, 9, 3600.0): "e97dbd038716"}.items():
            faults = schedule.plan(seed, nodes, duration, list(schedule.KINDS), 10.0, 40.0)
            self.assertEqual(schedule.digest(faults), digest, (seed, nodes, duration))
        self.assertNotIn("replay", schedule.KINDS, "hostile kinds are opt-in, not in the default set")
        self.assertNotIn("rollout", schedule.KINDS, "the rollout operator is opt-in, not in the default set")

    def test_the_rollout_operator_leaves_the_plan_as_it_is(self):
        for seed in range(1, 20):
            self.assertEqual(self.plan(seed, kinds=self.ALL + ["rollout"]), self.plan(seed), seed)

    def test_hostile_faults_are_laid_over_the_same_plan(self):
        for seed in range(1, 30):
            with_hostile = self.plan(seed)
            without = self.plan(seed, kinds=schedule.KINDS)
            self.assertEqual([f for f in with_hostile if f.kind not in schedule.HOSTILE_KINDS], without, seed)
            self.assertEqual(with_hostile, self.plan(seed), "same seed, same plan")
            self.assertEqual(with_hostile, sorted(with_hostile, key=lambda f: f.at))
            self.assertTrue({f.kind for f in with_hostile} & set(schedule.HOSTILE_KINDS), seed)

    def test_hostile_rules_hold(self):
        seen = set()
        for seed in range(1, 60):
            faults = self.plan(seed)
            base = [f for f in faults if f.kind not in schedule.HOSTILE_KINDS]
            floods = [f for f in faults if f.kind == "flood"]
            for a, b in zip(floods, floods[1:]):
                self.assertGreater(b.at, a.until, f"seed {seed}: one flood at a time")
            for f in faults:
                self.assertLessEqual(f.until, 300 - 40 - 5, f)
                if f.kind not in schedule.HOSTILE_KINDS:
                    continue
                self.assertGreaterEqual(f.at, 12 + 5, "something is captured before the first")
                seen.add(f.kind if f.kind != "insider" else f.params["lie"])
                p = f.params
                if f.kind == "insider" and p["lie"] in ("false-dead", "false-suspect", "far-accusation"):
                    victim = f.hosts[0]
                    self.assertNotEqual(victim, p["insider"])
                    self.assertFalse(schedule._down(base, victim, f.at), f"seed {seed}: {f} accuses a host the plan took down")
                if f.kind == "insider" and p["lie"] in ("false-dead", "false-suspect"):
                    self.assertLessEqual(p["lead"], 1024, "a believable accusation")
                if f.kind == "insider" and p["lie"] == "far-accusation":
                    self.assertTrue(p.get("lead", 0) > 1024 or p.get("incarnation", 0) > 2**62, f)
                if f.kind == "insider" and p["lie"] == "extreme-heartbeat":
                    self.assertEqual(f.hosts, [p["insider"]])
                    self.assertGreater(p["incarnation"], 2**62)
                    self.assertLess(p["incarnation"], 2**64)
                if f.kind == "replay":
                    if "of" not in p:
                        self.assertNotIn(p["from"], f.hosts, "sent from another host's address")
                    else:
                        self.assertNotIn(p["of"], f.hosts, "the killed host's datagrams go to the survivors")
                        self.assertTrue(any(k.kind == "kill" and k.hosts == [p["of"]] and k.at <= f.at < k.until
                                            for k in base), f"seed {seed}: {f} replays a host that is not dead")
                if f.kind == "reflect":
                    self.assertTrue(p["via"] and f.hosts[0] not in p["via"])
                if f.kind == "flood":
                    self.assertIn(p["style"], schedule.FLOOD_STYLES)
                    self.assertNotEqual(p.get("from"), f.hosts[0])
        self.assertEqual(seen, {"replay", "reflect", "flood"} | set(schedule.INSIDER_LIES), "every lie is drawn")

    def test_only_the_chosen_hostile_kinds_and_the_plan_prints_names(self):
        faults = self.plan(3, kinds=["insider"])
        self.assertTrue(faults and {f.kind for f in faults} == {"insider"})
        names = [f"n{i + 1}" for i in range(5)]
        text = faults[0].describe(names)
        self.assertIn(f"insider={names[faults[0].params['insider']]}", text)
        reflect = next(f for f in self.plan(3, kinds=["reflect"]))
        self.assertIn("via=" + ",".join(names[i] for i in reflect.params["via"]), reflect.describe(names))


if __name__ == "__main__":
    unittest.main()
