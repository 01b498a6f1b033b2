"""Running a command to completion: its standard output, or an error that carries its standard error."""

import subprocess


def run(argv: list[str], check: bool = True, stdin: str | None = None, timeout: float = 30) -> str:
    """The command's standard output; RuntimeError with its standard error when it fails and `check`."""
    done = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=timeout)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {done.stderr.strip()}")
    return done.stdout


def first_output_line(argv: list[str]) -> str:
    """The first line a command prints (a version string), or why there is none."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"unknown ({error})"
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0] if lines else "unknown"
