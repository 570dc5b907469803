"""Writing a file so that no reader, and no other run, ever sees half of it: a temporary file of its own beside the target, then a rename."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

# Read once, at import (setting it is the only way to read it): new files get the usual permissions, not mkstemp's 0600.
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def write_atomic(path: Path, data: bytes | str) -> Path:
    """Write `data` to `path` in one step; on any error (a full disk) nothing is left behind and an existing `path` is untouched."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(temporary, path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_UMASK)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def read_json_object(path: Path) -> dict:
    """A JSON object written by the build; {} when the file is missing, unreadable or holds anything else."""
    try:
        value = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def write_json_object(path: Path, value: dict) -> Path:
    return write_atomic(path, json.dumps(value, indent=1, sort_keys=True))
