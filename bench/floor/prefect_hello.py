"""Prefect's hello world, its floor: one flow that writes one file."""

from __future__ import annotations

from pathlib import Path

from prefect import flow


@flow
def hello(output_dir: Path = Path("output/floor-prefect")) -> Path:
    """Write ``hello.txt`` into ``output_dir``; return its path (what a next step would read)."""
    output_dir.mkdir(parents=True, exist_ok=True)
    written = output_dir / "hello.txt"
    written.write_text("hello, world\n", encoding="utf-8")
    return written
