"""The progress lines a run logs (``core.progress``), captured for a test to read."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from core.progress import PROGRESS_LOGGER


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@contextmanager
def recorded_progress() -> Iterator[list[str]]:
    """Yields the list that fills with each progress line logged while the context lasts."""
    logger = logging.getLogger(PROGRESS_LOGGER)
    handler, level = _Lines(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler.lines
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
