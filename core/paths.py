"""The pipeline reads only from the input folder and writes only into the output folder it was given."""

from __future__ import annotations

from pathlib import Path

from core.errors import PipelineInputError


def require_inside(path: Path, folder: Path, what: str) -> Path:
    """``path`` resolved (symlinks followed); refused unless it lies inside ``folder``.

    A symlinked input file or a configured path may point anywhere on the machine; following it
    silently would read or overwrite files nobody chose, so the run stops and names both paths.
    """
    resolved, root = path.expanduser().resolve(), folder.expanduser().resolve()
    if not resolved.is_relative_to(root):
        raise PipelineInputError(f"{path}: {what} resolves to {resolved}, outside the chosen folder {root}; refused")
    return resolved
