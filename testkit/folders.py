"""Work folders that start empty, so a second run of a test or of the harness never sees the first's."""

from __future__ import annotations

import shutil
from pathlib import Path


def fresh_folder(folder: Path) -> Path:
    """``folder``, created empty (whatever an earlier run left there is removed first)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder
