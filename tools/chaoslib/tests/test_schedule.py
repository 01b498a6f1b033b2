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


if __name__ == "__main__":
    unittest.main()
