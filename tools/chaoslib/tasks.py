"""The chaos run's upgrade-tasks command: a shell script every agent runs as its
CHORUS_UPGRADE_TASKS_COMMAND, logging to one file all agents share."""

import os

SCRIPT = """#!/bin/sh
# The chaos run's upgrade tasks: one line when they start and one when they end, in a log all
# agents share, so the harness can check that one runner at a time runs them and how often they
# finished. A file `tasks-fail-once` makes the next run fail (the harness arms it at random).
log="{run_dir}/tasks.log"
dir="{run_dir}"
now() {{ date +%s.%N; }}
echo "$(now) start node=$CHAOS_NODE from=$CHORUS_UPGRADE_FROM to=$CHORUS_UPGRADE_TO attempt=$CHORUS_UPGRADE_ATTEMPT term=$CHORUS_UPGRADE_TERM pid=$$" >>"$log"
if mv "$dir/tasks-fail-once" "$dir/tasks-fail-once.taken.$$" 2>/dev/null; then
    echo "$(now) fail node=$CHAOS_NODE term=$CHORUS_UPGRADE_TERM pid=$$" >>"$log"
    exit 1
fi
sleep {seconds}
echo "$(now) done node=$CHAOS_NODE from=$CHORUS_UPGRADE_FROM to=$CHORUS_UPGRADE_TO term=$CHORUS_UPGRADE_TERM pid=$$" >>"$log"
"""


def write(run_dir: str, seconds: float) -> str:
    """Writes the script into the run directory; its path."""
    path = os.path.join(run_dir, "upgrade-tasks.sh")
    with open(path, "w") as f:
        f.write(SCRIPT.format(run_dir=run_dir, seconds=seconds))
    os.chmod(path, 0o755)
    return path


def environment(node: str, script: str) -> dict[str, str]:
    """What an agent's environment needs for the script: its name for the log, and the command."""
    return {"CHAOS_NODE": node, "CHORUS_UPGRADE_TASKS_COMMAND": script}
