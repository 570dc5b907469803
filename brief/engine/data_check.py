"""The build's data check, in a process of its own: `python -m brief.engine.data_check DATA_DIR [NICENESS]`.

A build checks the data while its notebooks run. On a thread of the build's own process, the check
(importing pandas and pandera, then validating: about 1 s of CPU) held the interpreter's lock that the
thread running the notebooks needs for every message from its kernel, and it did so at low priority,
so the notebooks waited on it: a one-notebook rebuild took about 0.6 s longer. In a child process it
takes a core of its own.

The child prints the problems as JSON, one per line, and exits 0 whether or not it found any;
anything else (a crash) is a CheckError, with the child's last words.

Where a kernel of the build's pool would wait for the first notebooks anyway (build.spare_kernels),
the check runs there instead (`problems_in_kernel`): the kernel has pandas loaded, so the check costs
0.4-0.9 CPU-s instead of the child's 2.2 (1.3 of them importing pandas and pandera). The preview,
whose process has pandas loaded, checks in-process when no kernel is spare.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

from brief.errors import CheckError, DataError, Problem


def problems_in_child(data_dir: Path, niceness: int = 0) -> list[Problem]:
    """brief.data.validation_problems(data_dir), computed by a child process at `niceness`."""
    child = subprocess.run([sys.executable, "-m", __name__, str(data_dir), str(niceness)], capture_output=True, text=True, encoding="ascii", errors="replace")
    if child.returncode != 0:
        last_words = "\n".join(child.stderr.strip().splitlines()[-5:]) or f"exit status {child.returncode}"
        raise CheckError(f"the data check ended before it finished: {last_words}")
    return _from_json_lines(child.stdout)


def problems_in_kernel(manager, data_dir: Path) -> list[Problem]:
    """brief.data.validation_problems(data_dir), computed on the kernel of `manager` (a warm kernel of
    brief.engine.kernels), which writes them to a scratch file as the child prints them. Raises RuntimeError
    if the kernel's process ends, TimeoutError if it does not answer, KernelStartError if the check raises."""
    import tempfile

    from brief.engine.kernels import run_silently

    with tempfile.TemporaryDirectory(prefix="brief-check-") as scratch:
        target = Path(scratch) / "problems.jsonl"
        code = f"__import__({__name__!r}).engine.data_check.write_problems({str(Path(data_dir).resolve())!r}, {str(target)!r})\n"
        run_silently(manager, code, "check the data")
        return _from_json_lines(target.read_text(encoding="ascii"))


def write_problems(data_dir: str, target: str) -> None:
    """(In a kernel.) Write the problems in data_dir to `target`, one JSON object a line."""
    from brief.data import validation_problems

    Path(target).write_text("".join(f"{_as_json(problem)}\n" for problem in validation_problems(Path(data_dir))), encoding="ascii")


def _as_json(problem: Problem) -> str:
    """One problem as one line of ASCII JSON (whatever the locale's encoding)."""
    return json.dumps({"file": problem.file, "line": problem.line, "column": problem.column, "message": problem.message})


def _from_json_lines(text: str) -> list[Problem]:
    """The problems that _as_json wrote, a line each."""
    return [Problem(**json.loads(line)) for line in text.splitlines() if line.strip()]


def check(data_dir: Path, niceness: int = 0, pool=None, here: bool = False) -> None:
    """Raise DataError naming every problem in data_dir (as brief.data.validate), checked on a spare
    kernel of `pool` (brief.engine.kernels.KernelPool.spare) if it has one; else in this process if
    `here` (the preview's, which has pandas loaded), or in a child process at `niceness`. A spare kernel
    that ends or hangs meanwhile is stopped, and the check is made without it."""
    from brief.engine.kernels import KernelStartError

    manager = pool.spare() if pool is not None else None
    problems = None
    if manager is not None:
        try:
            problems = problems_in_kernel(manager, data_dir)
        except KernelStartError as exc:  # the check itself raised (it would in a child too)
            pool.done(manager, reuse=False)
            raise CheckError(f"the data check ended before it finished: {exc}") from None
        except (RuntimeError, TimeoutError):
            pool.done(manager, reuse=False)
        else:
            pool.done(manager)
    if problems is None and here:
        from brief.data import validation_problems

        problems = validation_problems(Path(data_dir))
    if problems is None:
        problems = problems_in_child(data_dir, niceness)
    if problems:
        raise DataError(problems)


def main(argv: list[str]) -> int:
    if len(argv) > 1 and int(argv[1]):
        with contextlib.suppress(AttributeError, OSError):  # (os.nice: not on Windows)
            os.nice(int(argv[1]))
    from brief.data import validation_problems

    for problem in validation_problems(Path(argv[0])):
        print(_as_json(problem))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
