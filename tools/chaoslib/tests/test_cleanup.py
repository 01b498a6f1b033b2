"""After the harness itself is killed with -9, `tools/chaos cleanup` removes its agents,
namespaces, veths and bridge. Needs root (namespaces) and a built chorus; skipped otherwise."""

import os
import signal
import subprocess
import time
import unittest

from chaoslib import registry
from chorustools import hosts

TOOLS = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("CHORUS_BIN", os.path.join(os.path.dirname(TOOLS), ".build", "debug", "chorus"))


def agent_pids() -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if b"chorus\0agent" in f.read():
                        found.add(int(entry))
            except OSError:
                pass
    return found


def namespace_pids(prefix: str) -> set[int]:
    names = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout.split()
    pids = set()
    for name in names:
        if name.startswith(prefix + "-"):
            pids |= {int(p) for p in subprocess.run(["ip", "netns", "pids", name], capture_output=True,
                                                     text=True).stdout.split()}
    return pids


@unittest.skipUnless(os.geteuid() == 0 and os.access(BINARY, os.X_OK) and hosts.namespaces_available() is None,
                     "needs root, network namespaces and a built chorus")
class CleanupAfterCrashTests(unittest.TestCase):
    def test_cleanup_removes_what_a_killed_harness_left(self):
        before = hosts.leftover_prefixes()
        harness = subprocess.Popen([os.path.join(TOOLS, "chaos"), "run", "--nodes", "3", "--duration", "80s",
                                    "--seed", "1", "--faults", "pause", "--binary", BINARY],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            # Other runs may be going on at the same time: only this run's prefix and pids count.
            ours, started = set(), set()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and len(started) < 3:
                time.sleep(0.5)
                ours = hosts.leftover_prefixes() - before
                started = {pid for prefix in ours for pid in namespace_pids(prefix)} & agent_pids()
            self.assertEqual(len(ours), 1, "the run did not make its namespaces")
            self.assertEqual(len(started), 3, "the run did not start three agents")
        finally:
            os.killpg(harness.pid, signal.SIGKILL)  # the harness and nothing else: agents have their own sessions
            harness.wait()
        self.assertTrue(agent_pids() & started, "the agents must outlive the killed harness for this test to mean anything")
        registry.cleanup()
        time.sleep(0.5)
        self.assertEqual(agent_pids() & started, set())
        self.assertEqual(hosts.leftover_prefixes() & ours, set())


if __name__ == "__main__":
    unittest.main()
