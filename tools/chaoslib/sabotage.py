"""The harness's own test: a deliberately broken agent must make it fail.

`tools/chaos sabotage` copies the source tree (every file git knows, as in the working tree) to
.build-sabotage/src, applies sabotage/quorum-of-one.patch (every decision then needs one vote),
builds that copy with its own scratch path, runs the harness against it with a fixed seed, and
passes only if the run exits 1 with a quorum or agreement violation. A patch that no longer
applies, or a build that fails, fails loudly (exit 2): the test must never pass by not running.
The shipped binary has no switch that weakens safety; only this copy is broken.
"""

import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
EXPECTED = ("3 quorum", "3 minority", "1 agreement")


def fail(message: str) -> int:
    print(f"chaos sabotage: FAILED: {message}", file=sys.stderr)
    return 2


def build(patch: str, work: str) -> str:
    src = os.path.join(work, "src")
    # The copy stays (with its build) for an incremental rebuild; files are rewritten only when they differ.
    files = subprocess.run(["git", "-C", REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, files):
        if not (name.startswith(("Sources/", "Tests/")) or name.startswith("Package.")):
            continue
        source, target = os.path.join(REPO, name), os.path.join(src, name)
        if not os.path.isfile(source):
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(source, "rb") as f:
            content = f.read()
        if not os.path.exists(target) or open(target, "rb").read() != content:
            with open(target, "wb") as f:
                f.write(content)
    resolved = os.path.join(REPO, "Package.resolved")
    if os.path.exists(resolved):
        shutil.copy(resolved, os.path.join(src, "Package.resolved"))
    # git apply outside any repository (GIT_DIR points nowhere): paths are relative to the copy.
    plain = dict(os.environ, GIT_DIR=os.path.join(work, "no-repository"))
    done = subprocess.run(["git", "apply", patch], cwd=src, env=plain, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{os.path.basename(patch)} no longer applies to the sources:\n{done.stdout}{done.stderr}"
                           "\nUpdate the patch so it still breaks the same rule.")
    try:
        print(f"chaos sabotage: building the patched copy in {work} (swift build --scratch-path)", file=sys.stderr)
        built = subprocess.run(["swift", "build", "--product", "chorus", "--package-path", src,
                                "--scratch-path", os.path.join(work, "build")], capture_output=True, text=True)
        if built.returncode != 0:
            raise RuntimeError(f"the patched copy does not build:\n{built.stdout[-3000:]}{built.stderr[-3000:]}")
    finally:
        # Undo the patch so the next run applies it to fresh files (and sees whether it still applies).
        subprocess.run(["git", "apply", "-R", patch], cwd=src, env=plain, capture_output=True)
    return os.path.join(work, "build", "debug", "chorus")


def main(args) -> int:
    patch = os.path.join(HERE, "sabotage", f"{args.patch}.patch")
    if not os.path.exists(patch):
        return fail(f"no patch {patch}")
    work = os.path.join(REPO, ".build-sabotage")
    os.makedirs(work, exist_ok=True)
    try:
        binary = build(patch, work)
    except RuntimeError as error:
        return fail(str(error))
    report = os.path.join(work, "report")
    for stale in (report + ".json", report + ".md"):
        if os.path.exists(stale):
            os.unlink(stale)
    command = [os.path.join(REPO, "tools", "chaos"), "run", "--binary", binary, "--nodes", str(args.nodes),
               "--duration", args.duration, "--seed", str(args.seed), "--faults", "partition,upgrade,kill",
               "--report", report]
    print("chaos sabotage: " + " ".join(command), file=sys.stderr)
    code = subprocess.run(command).returncode
    if code != 1:
        return fail(f"the harness exited {code} against a quorum-of-one build; it must exit 1 with a violation")
    with open(report + ".json") as f:
        violations = json.load(f)["violations"]
    # The agent's own report of its quorum size does not count: the decisions themselves must be caught.
    caught = [v for v in violations if v["invariant"] in EXPECTED and "reports quorum" not in v["message"]]
    if not caught:
        return fail("violations were reported, but no decision without a majority nor a disagreement: "
                    + "; ".join(v["invariant"] + ": " + v["message"] for v in violations))
    print(f"chaos sabotage: OK, the quorum-of-one build was caught ({len(caught)} quorum/agreement violations), "
          f"first: {caught[0]['invariant']}: {caught[0]['message']}", file=sys.stderr)
    return 0
