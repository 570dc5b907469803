"""The build's data check, in a process of its own: `python -m brief.engine.data_check DATA_DIR [NICENESS]`.

A build checks the data while its notebooks run. On a thread of the build's own process, the check
(importing pandas and pandera, then validating: about 1 s of CPU) held the interpreter's lock that the
thread running the notebooks needs for every message from its kernel, and it did so at low priority,
so the notebooks waited on it: a one-notebook rebuild took about 0.6 s longer. In a child process it
takes a core of its own. (The preview, whose process has pandas loaded already, validates in-process.)

The child prints the problems as JSON, one per line, and exits 0 whether or not it found any;
anything else (a crash) is reported as one, with the child's last words.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

from brief.errors import DataError, Problem


def problems_in_child(data_dir: Path, niceness: int = 0) -> list[Problem]:
    """brief.data.validation_problems(data_dir), computed by a child process at `niceness`."""
    child = subprocess.run([sys.executable, "-m", __name__, str(data_dir), str(niceness)], capture_output=True, text=True, encoding="ascii", errors="replace")
    if child.returncode != 0:
        last_words = "\n".join(child.stderr.strip().splitlines()[-5:]) or f"exit status {child.returncode}"
        raise RuntimeError(f"the data check ended before it finished: {last_words}")
    return [Problem(**json.loads(line)) for line in child.stdout.splitlines() if line.strip()]


def check_in_child(data_dir: Path, niceness: int = 0) -> None:
    """Raise DataError naming every problem in data_dir (as brief.data.validate), checked in a child process at `niceness`."""
    problems = problems_in_child(data_dir, niceness)
    if problems:
        raise DataError(problems)


def main(argv: list[str]) -> int:
    if len(argv) > 1 and int(argv[1]):
        with contextlib.suppress(AttributeError, OSError):  # (os.nice: not on Windows)
            os.nice(int(argv[1]))
    from brief.data import validation_problems

    for problem in validation_problems(Path(argv[0])):  # (as ASCII JSON: whatever the locale's encoding)
        print(json.dumps({"file": problem.file, "line": problem.line, "column": problem.column, "message": problem.message}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
