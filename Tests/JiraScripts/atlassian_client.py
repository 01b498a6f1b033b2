"""atlassian-python-api (PyPI), a Jira client nobody here wrote, against one agent (issue 16):
its cluster-node and ZDU-state methods, and its authenticated post for start and cancel with
HTTP Basic auth. A refusal must reach its user with our reason, not "Unknown error".

Usage: atlassian_client.py URL NODES TOKEN  (a STABLE cluster of NODES agents)
"""
import sys

from atlassian import Jira
from requests import HTTPError


def main(url: str, nodes: int, token: str) -> None:
    jira = Jira(url=url, username="ops", password=token)
    listed = jira.get_cluster_all_nodes()
    expect(len(listed) == nodes, f"{len(listed)} nodes listed, not {nodes}")
    for node in listed:
        for field, kind in [("nodeId", str), ("state", str), ("alive", bool), ("ip", str), ("cacheListenerPort", int),
                            ("nodeVersion", str), ("nodeBuildNumber", int), ("lastStateChangeTimestamp", int)]:
            expect(isinstance(node.get(field), kind), f"{field} of {node.get('nodeId')} is {node.get(field)!r}")
        expect(node["state"] == "ACTIVE", f"{node['nodeId']} is {node['state']}")
    # get_cluster_alive_nodes() is not called: in atlassian-python-api 5.0.5 it calls .values()
    # on the list Jira's /cluster/nodes returns (a list by Jira's description too), and raises
    # against Jira itself. Its filter, done here:
    expect(len([node for node in listed if node["alive"]]) == nodes, "not every node alive")

    state = jira.get_cluster_zdu_state()
    expect(state["state"] == "STABLE", f"state {state}")
    expect(isinstance(state["build"]["buildNumber"], int), f"build {state['build']}")

    jira.post("rest/api/2/cluster/zdu/start")
    try:
        jira.post("rest/api/2/cluster/zdu/start")
        expect(False, "a second start was not refused")
    except HTTPError as error:
        expect("Unknown error" not in str(error) and str(error).strip(), f"the refusal reads {str(error)!r}")
    jira.post("rest/api/2/cluster/zdu/cancel")
    print("atlassian_client: nodes, alive nodes, state, start, refused start, cancel")


def expect(condition, message: str) -> None:
    if not condition:
        print(f"atlassian_client: FAILED: {message}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
