import math
import os
import re
import unittest

from chaoslib import bounds

SWIFT = os.path.join(os.path.dirname(__file__), "..", "..", "..",
                     "Sources", "ChorusCore", "Membership", "MembershipSettings.swift")


def seconds(text: str) -> float:
    number, unit = re.fullmatch(r"\.(milliseconds|seconds)\(([\d.]+)\)", text).group(2, 1)
    return float(number) / (1000 if unit == "milliseconds" else 1)


class BoundsTests(unittest.TestCase):
    def test_presets_match_the_swift_settings(self):
        with open(SWIFT) as f:
            source = f.read()
        for preset, ours in bounds.PRESETS.items():
            block = re.search(rf"static let {preset} = MembershipSettings\((.*?)\)\n", source, re.S).group(1)
            fields = dict(re.findall(r"(\w+): ([^,]+(?:\([^)]*\))?)", block))
            self.assertEqual(ours["probe_interval"], seconds(fields["probeInterval"]), preset)
            self.assertEqual(ours["gossip_interval"], seconds(fields["gossipInterval"]), preset)
            self.assertEqual(ours["anti_entropy_interval"], seconds(fields["antiEntropyInterval"]), preset)
            self.assertEqual(ours["retransmit_multiplier"], int(fields["retransmitMultiplier"]), preset)
            self.assertEqual(ours["suspicion_multiplier"], float(fields["suspicionMultiplier"]), preset)
            self.assertEqual(ours["suspicion_max_multiplier"], float(fields["suspicionMaxMultiplier"]), preset)

    def test_lan_25_matches_the_simulator_docs(self):
        # docs/simulator.md: lan, N = 25: 5 s + 6.29 s + 0.8 s = 12.1 s; convergence 42.1 s.
        b = bounds.protocol_bounds("lan", 25, 0.5, 1.0)
        self.assertAlmostEqual(b.detection, 12.09, places=1)
        self.assertAlmostEqual(b.convergence, 42.09, places=1)
        self.assertAlmostEqual(b.observed(b.detection), b.detection + 1.5)
        self.assertTrue(math.isclose(bounds.protocol_bounds("lan", 5, 0.5, 1.0).detection, 5 + 4.5 + 0.4))


if __name__ == "__main__":
    unittest.main()
