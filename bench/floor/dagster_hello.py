"""Dagster's hello world, its floor: one asset that writes one file.

A code location like ours: ``dagster dev -m bench.floor.dagster_hello``. No ``from __future__ import
annotations``: Dagster reads the asset's config class from its annotation.
"""

from pathlib import Path

import dagster as dg


class HelloConfig(dg.Config):
    output_dir: str = "output/floor-dagster"


@dg.asset
def hello(config: HelloConfig) -> None:
    """Write ``hello.txt`` into the configured folder."""
    folder = Path(config.output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hello.txt").write_text("hello, world\n", encoding="utf-8")


defs = dg.Definitions(assets=[hello])
