"""Plain scripts' hello world, its floor: a Python process that writes one file.

What is left is the interpreter's own start-up and the harness's runner (``bench.runner``), which
every target pays alike.
"""

from __future__ import annotations

from pathlib import Path


def run(input_dir: Path, output_dir: Path) -> None:
    """Write ``hello.txt`` into ``output_dir``; ``input_dir`` is there for the runner's signature only."""
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / "hello.txt").write_text("hello, world\n", encoding="utf-8")
