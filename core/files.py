"""Files appear under their final name only once complete.

Every file the pipeline writes (input samples, landed Parquet, output files, the quality report, a
runner's result) is written under a temporary name beside its final one and renamed into place:
the rename is atomic on one file system, so a reader, or a rerun after a crash or an injected
fault, sees the previous file or the new one, never half a file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PARTIAL_SUFFIX = ".partial"


def partial_path(final: Path) -> Path:
    """The hidden temporary name ``final`` is written under: ``.<name>.partial``."""
    return final.with_name(f".{final.name}{PARTIAL_SUFFIX}")


@contextmanager
def atomic_write(final: Path) -> Iterator[Path]:
    """Yield the temporary path to write; on success it replaces ``final``, on any error it is deleted."""
    temporary = partial_path(final)
    try:
        yield temporary
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    os.replace(temporary, final)
