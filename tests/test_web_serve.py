"""``mgrlead serve`` (issue 19, part 5): uvicorn in a real process, and its errors."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

pytest.importorskip("uvicorn")
pytest.importorskip("starlette")

import mgrlead
from mgrlead.cli import cli
from mgrlead.results import Profile

SRC = Path(__file__).resolve().parents[1] / "src"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _call(url: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 - a loopback URL the test made
        url, data=data, headers={"Content-Type": "application/json", **(headers or {})}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status, dict(response.headers), response.read().decode()


def test_serve_answers_a_round_trip_on_loopback(tmp_path: Path) -> None:
    port = _free_port()
    token_file = tmp_path / "admin-token"
    token_file.write_text("a-long-enough-admin-token\n")
    database = tmp_path / "data" / "web.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    server = subprocess.Popen(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "mgrlead", "serve", "--port", str(port), "--database",
         str(database), "--admin-token-file", str(token_file), "--log-level", "warning"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _, _ = _call(f"{base}/health")
                break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    _, err = server.communicate(timeout=5)
                    pytest.fail(f"mgrlead serve did not start: {err}")
                time.sleep(0.1)
        assert status == 200
        answers = dict.fromkeys(mgrlead.load_rubric("manager-leader").item_ids, 4)
        status, headers, text = _call(
            f"{base}/score", {"rubric": "manager-leader", "answers": answers}
        )
        assert status == 200
        assert Profile.from_json(text) == mgrlead.score("manager-leader", answers)
        assert headers["x-content-type-options"] == "nosniff"
        assert "server" not in {k.lower() for k in headers}
        status, _, text = _call(f"{base}/sessions", {"rubric": "manager-leader"})
        assert status == 201
        status, _, text = _call(
            f"{base}/admin/sessions",
            headers={"Authorization": "Bearer a-long-enough-admin-token"},
        )
        assert json.loads(text)["started"] == 1
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as page:
            assert page.status == 200
            assert "manager-leader" in page.read().decode()
        assert database.is_file()
    finally:
        server.terminate()
        _, err = server.communicate(timeout=20)
    assert "Traceback" not in err
    assert f"serving the assessments at http://127.0.0.1:{port}/ and the API at " in err
    assert f"http://127.0.0.1:{port}/api/v1 " in err


def test_serve_without_the_web_extra_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import uvicorn now fails
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("mgrlead: error: mgrlead serve needs the web extra")
    assert "pip install 'mgrlead[web]'" in lines[0]


@pytest.mark.parametrize(
    ("content", "words"),
    [(None, "cannot read the administrator token"), ("", "must hold the administrator token"),
     ("short\n", "at least 16 characters"), ("one-long-token\nsecond-line", "on one line")],
)  # fmt: skip
def test_serve_refuses_a_bad_admin_token_file_in_one_line(
    tmp_path: Path, content: str | None, words: str
) -> None:
    token_file = tmp_path / "token"
    if content is not None:
        token_file.write_text(content)
    result = CliRunner().invoke(
        cli,
        ["serve", "--database", str(tmp_path / "x.sqlite3"), "--admin-token-file",
         str(token_file)],
    )  # fmt: skip
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("mgrlead: error: ")
    assert words in lines[0]


def test_serve_refuses_an_unknown_rubric_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["serve", "--database", str(tmp_path / "x.sqlite3"), "--rubric", "no-such"]
    )
    assert result.exit_code == 2
    assert result.output.startswith("mgrlead: error: ")
    assert len(result.output.strip().splitlines()) == 1
