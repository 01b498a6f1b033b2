"""A whole zero-downtime upgrade driven the way Atlassian's own upgrade automation drives Jira
Data Center: a requests session with HTTP Basic auth (any user, the token as password); start
must answer 201, cancel and approve 200; the state is polled between steps (issue 16).

Usage: zdu_automation.py CLUSTER_DIR NODES TOKEN  (a cluster from tools/local-cluster, on 1.0.0)
Exits non-zero, saying which step, when anything differs.
"""
import subprocess
import sys
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]


def main(cluster_dir: str, nodes: int, token: str) -> None:
    env = dict(line.split("=", 1) for line in Path(cluster_dir, "cluster.env").read_text().split() if "=" in line)
    base_port = int(env["BASE_PORT"])
    # The script talks to node 2: no agent is special.
    url = f"http://127.0.0.1:{base_port + 3}/"
    session = requests.Session()
    session.auth = ("jira-automation", token)

    def state() -> str:
        response = session.get(url + "rest/api/2/cluster/zdu/state", timeout=5)
        expect(response.status_code == requests.codes.ok, f"state answered {response.status_code}")
        return response.json()["state"]

    def wait_for(wanted: str, within: float = 60) -> None:
        deadline = time.monotonic() + within
        current = state()
        while current != wanted:
            expect(time.monotonic() < deadline, f"still {current} after {within} s, waiting for {wanted}")
            time.sleep(0.5)
            current = state()

    def post(path: str, wanted: int) -> requests.Response:
        response = session.post(url + "rest/api/2/cluster/zdu/" + path, timeout=30)
        expect(response.status_code == wanted, f"{path} answered {response.status_code}, not {wanted}: {response.text}")
        return response

    def upgrade_every_node(version: str) -> None:
        for index in range(1, nodes + 1):
            subprocess.run([str(REPO / "tools/local-cluster"), "restart", str(index), "--app-version", version,
                            "--dir", cluster_dir], check=True, stdout=subprocess.DEVNULL)

    wait_for("STABLE")

    # Start, a refused second start, cancel.
    post("start", requests.codes.created)
    wait_for("READY_TO_UPGRADE")
    refused = post("start", requests.codes.conflict)
    expect(refused.json().get("errorMessages"), f"a refusal without errorMessages: {refused.text}")
    post("cancel", requests.codes.ok)
    wait_for("STABLE")

    # The upgrade, with the first run of the upgrade tasks failing, then retried.
    Path(cluster_dir, "fail-next-tasks").touch()
    post("start", requests.codes.created)
    wait_for("READY_TO_UPGRADE")
    upgrade_every_node("2.0.0")
    wait_for("READY_TO_RUN_UPGRADE_TASKS")
    post("approve", requests.codes.ok)
    wait_for("UPGRADE_TASKS_FAILED")
    post("retryUpgrade", requests.codes.ok)
    wait_for("READY_TO_RUN_UPGRADE_TASKS")
    post("approve", requests.codes.ok)
    wait_for("STABLE")

    build = session.get(url + "rest/api/2/cluster/zdu/state", timeout=5).json()["build"]
    expect(build == {"buildNumber": 2_000_000, "version": "2.0.0"}, f"after the upgrade the build is {build}")
    print("zdu_automation: start 201, cancel 200, approve 200, retryUpgrade 200; upgraded to 2.0.0")


def expect(condition, message: str) -> None:
    if not condition:
        print(f"zdu_automation: FAILED: {message}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
