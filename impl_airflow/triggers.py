"""A trigger that fires an Asset event for each new input folder in the landing folder.

Airflow 3 starts DAGs on events from outside through an ``AssetWatcher``: the triggerer runs this
trigger for as long as the Asset is watched, and each event it yields becomes an event of that
Asset (its payload under ``extra["payload"]``). The standard provider's ``FileDeleteTrigger``
watches one fixed file name and deletes it; a landed batch is a folder with a name of its own, so
this trigger yields one event per poll that finds new ready folder versions (``core.landing``),
naming all of them. One event per poll, not per folder: Airflow 3.2 and 3.3 queue a DAG's asset
events under one row per asset, stamped with the first event's time, and the run they start takes
the events up to that stamp only, so a second event of the same poll waited for the next folder to
land. What the trigger has seen lives in the triggerer's memory; after a restart it fires again for
every folder, and the DAG it starts skips the versions that already have a run
(``TriggerDagRunOperator(skip_when_already_exists=True)``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from airflow.triggers.base import BaseEventTrigger, TriggerEvent

from core.landing import POLL_SECONDS, ready_folders, run_key


class NewInputFolderTrigger(BaseEventTrigger):
    def __init__(self, landing: str, poke_interval: float = POLL_SECONDS) -> None:
        super().__init__()
        self.landing = landing
        self.poke_interval = poke_interval

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (f"{__name__}.{type(self).__name__}", {"landing": self.landing, "poke_interval": self.poke_interval})

    async def run(self) -> AsyncIterator[TriggerEvent]:
        seen: dict[str, str] = {}
        while True:
            new_folders = []
            for folder in await asyncio.to_thread(ready_folders, Path(self.landing)):
                key = run_key(folder)
                if seen.get(folder.name) != key:
                    seen[folder.name] = key
                    self.log.info("New input folder %s (%s)", folder, key)
                    new_folders.append({"input_dir": str(folder), "run_key": key})
            if new_folders:
                yield TriggerEvent({"folders": new_folders})
            await asyncio.sleep(self.poke_interval)
