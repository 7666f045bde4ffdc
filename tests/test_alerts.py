"""Run-failure alerts (``core.alerts``), the one format every orchestrator's failure hook writes: a
line in the file always, the webhook when configured, a webhook that fails losing nothing."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from core.alerts import WEBHOOK_ENV, alert_run_failure, alerts_home, last_line, run_failure_alerts
from core.services import free_port
from core.settings import OUTPUT_DIR_ENV


def _alert(output_dir: Path) -> str | None:
    return alert_run_failure(
        output_dir,
        run_id="r1",
        pipeline="lc_pipeline",
        input_dir="/in",
        error="boom",
        failed_steps={"check_inputs": "missing required column Balance"},
    )


def test_an_alert_is_a_line_in_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(WEBHOOK_ENV, raising=False)
    assert _alert(tmp_path) is None and _alert(tmp_path) is None
    alerts = run_failure_alerts(tmp_path)
    assert [a["run_id"] for a in alerts] == ["r1", "r1"]
    assert alerts[0]["failed_steps"] == {"check_inputs": "missing required column Balance"}
    assert alerts[0]["job"] == "lc_pipeline" and alerts[0]["input_dir"] == "/in" and alerts[0]["at"]


def test_a_configured_webhook_receives_the_same_alert(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    received: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv(WEBHOOK_ENV, f"http://127.0.0.1:{server.server_port}/hook")
        assert _alert(tmp_path) is None
    finally:
        server.shutdown()
    assert received == run_failure_alerts(tmp_path)


def test_a_webhook_that_does_not_answer_is_reported_and_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(WEBHOOK_ENV, f"http://127.0.0.1:{free_port()}/nobody")
    undelivered = _alert(tmp_path)
    assert undelivered and WEBHOOK_ENV in undelivered and "r1" in undelivered
    assert len(run_failure_alerts(tmp_path)) == 1


def test_alerts_gather_in_the_deployments_output_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(OUTPUT_DIR_ENV, raising=False)
    assert alerts_home(tmp_path / "run") == tmp_path / "run"
    monkeypatch.setenv(OUTPUT_DIR_ENV, str(tmp_path / "deployment"))
    assert alerts_home(tmp_path / "run") == tmp_path / "deployment"


def test_the_last_line_of_an_error_is_its_own_words() -> None:
    assert last_line("Traceback (most recent call last):\n  ...\nValueError: bad\n") == "ValueError: bad"
    assert last_line("") == ""
