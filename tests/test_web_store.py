"""The web app's storage (issue 19, part 4): migrations, upserts, crashes, concurrency."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("alembic")

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from mgrlead.errors import InputError, SessionNotFoundError, SessionStateError
from mgrlead.web.store import MIGRATIONS, Base, Store, database_url, hash_token
from web_helpers import DATABASES, POSTGRESQL, database_for

SRC = Path(__file__).resolve().parents[1] / "src"


def _new(store: Store, rubric: str = "r", content: str = "sha256:aa") -> str:
    token, _ = store.create(
        rubric_id=rubric, rubric_version="1.0", content_hash=content, language="en"
    )
    return token


def test_postgresql_is_tested() -> None:
    if not POSTGRESQL:
        pytest.skip("set MGRLEAD_TEST_POSTGRESQL to a database URL to test on PostgreSQL")
    assert "postgresql" in DATABASES


@pytest.fixture(params=DATABASES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    s = Store(database_for(request.param, tmp_path))
    yield s
    s.close()


def test_the_migrations_create_exactly_the_models_schema(store: Store) -> None:
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        tables = set(sa.inspect(conn).get_table_names())
        head = MigrationContext.configure(conn).get_current_revision()
    assert tables == {
        "assessment_sessions", "answers", "rounds_360", "raters_360", "alembic_version"
    }  # fmt: skip
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert head == ScriptDirectory.from_config(config).get_current_head()


def test_the_migrations_go_down_and_up_again(store: Store) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    with store.engine.connect() as conn:
        assert set(sa.inspect(conn).get_table_names()) == {"alembic_version"}
    store.upgrade()
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_reopening_keeps_the_data_and_the_schema(tmp_path: Path) -> None:
    first = Store(tmp_path / "web.sqlite3")
    token = _new(first)
    first.answer(token, "a", 2)
    first.close()
    again = Store(f"sqlite:///{tmp_path / 'web.sqlite3'}")
    assert again.get(token).answers == {"a": 2}
    again.close()


def test_a_re_answer_replaces_and_null_clears(store: Store) -> None:
    token = _new(store)
    store.answer(token, "a", 1)
    store.answer(token, "b", 5)
    store.answer(token, "a", 3)
    assert store.get(token).answers == {"a": 3, "b": 5}
    store.answer(token, "b", None)
    assert store.get(token).answers == {"a": 3}
    with store.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT item_id, value FROM answers")).all()
    assert [tuple(r) for r in rows] == [("a", 3)]


def test_every_answer_carries_the_rubric_through_its_session(store: Store) -> None:
    token = _new(store, rubric="manager-leader", content="sha256:bb")
    store.answer(token, "pr1", 4)
    with store.engine.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT s.rubric_id, s.rubric_version, s.content_hash, a.value FROM answers a "
                "JOIN assessment_sessions s ON s.id = a.session_id"
            )
        ).one()
    assert tuple(row) == ("manager-leader", "1.0", "sha256:bb", 4)


def test_only_a_hash_of_the_token_is_stored(store: Store, tmp_path: Path) -> None:
    token = _new(store)
    if store.engine.dialect.name != "sqlite":
        pytest.skip("reads the SQLite files")
    store.answer(token, "a", 1)
    with store.engine.connect() as conn:
        hashes = conn.execute(sa.text("SELECT token_hash FROM assessment_sessions")).scalars()
        assert list(hashes) == [hash_token(token)]
    store.close()
    for file in (tmp_path / "db").iterdir():
        assert token.encode() not in file.read_bytes()


def test_tokens_are_long_and_unique(store: Store) -> None:
    tokens = {_new(store) for _ in range(50)}
    assert len(tokens) == 50
    assert all(len(t) >= 43 for t in tokens)


def test_times_are_aware_utc_and_move(store: Store) -> None:
    token = _new(store)
    before = store.get(token)
    assert before.created_at.tzinfo is not None
    assert before.created_at.utcoffset() == dt.timedelta(0)
    after = store.answer(token, "a", 1)
    assert after.updated_at >= before.updated_at
    assert after.created_at == before.created_at


def test_an_unknown_token_is_not_found(store: Store) -> None:
    with pytest.raises(SessionNotFoundError, match="no session has this token"):
        store.get("nope")
    with pytest.raises(SessionNotFoundError):
        store.answer("nope", "a", 1)


def test_a_finished_session_takes_no_answers_and_finishes_once(store: Store) -> None:
    token = _new(store)
    store.answer(token, "a", 1)
    calls: list[dict[str, int]] = []

    def score(session: object) -> str:
        calls.append(dict(session.answers))  # type: ignore[attr-defined]
        return '{"x": 1}'

    done = store.finish(token, score)
    assert done.profile == '{"x": 1}'
    assert done.finished_at is not None
    assert store.finish(token, score).profile == '{"x": 1}'
    assert calls == [{"a": 1}]
    with pytest.raises(SessionStateError, match=r"finished at .* can no longer change"):
        store.answer(token, "b", 2)


def test_a_changed_rubric_is_refused(store: Store) -> None:
    token = _new(store, content="sha256:old")
    with pytest.raises(SessionStateError, match="rubric changed"):
        store.answer(token, "a", 1, content_hash="sha256:new")
    assert store.get(token).answers == {}


def test_delete_removes_the_session_and_its_answers(store: Store) -> None:
    token = _new(store)
    store.answer(token, "a", 1)
    store.delete(token)
    with pytest.raises(SessionNotFoundError):
        store.get(token)
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM answers")).scalar() == 0


def test_counts_per_rubric_version(store: Store) -> None:
    for _ in range(3):
        _new(store, "a")
    done = _new(store, "a")
    store.finish(done, lambda _s: "{}")
    _new(store, "b", content="sha256:cc")
    got = [(c.rubric_id, c.content_hash, c.started, c.finished) for c in store.counts()]
    assert got == [("a", "sha256:aa", 4, 1), ("b", "sha256:cc", 1, 0)]


def test_an_in_memory_database_works_across_threads() -> None:
    store = Store("sqlite://")
    token = _new(store)
    threads = [
        threading.Thread(target=store.answer, args=(token, f"i{k}", k % 5 + 1)) for k in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.get(token).answers == {f"i{k}": k % 5 + 1 for k in range(8)}


def test_database_urls_and_paths(tmp_path: Path) -> None:
    assert database_url(tmp_path / "x.sqlite3") == f"sqlite:///{tmp_path / 'x.sqlite3'}"
    assert database_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    with pytest.raises(InputError, match="not a database URL"):
        database_url("no such://thing")
    with pytest.raises(InputError, match="empty"):
        database_url("  ")


def test_concurrent_answers_to_one_session_never_lose_an_update(store: Store) -> None:
    """Eight threads answer, re-answer and clear items of one session at once."""
    token = _new(store)
    items = [f"i{k}" for k in range(24)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker(w: int) -> None:
        try:
            barrier.wait()
            for rep in range(3):
                for k, item in enumerate(items):
                    if k % 8 == w:  # each item belongs to one thread: its last write wins
                        store.answer(token, item, (w + rep + k) % 5 + 1)
                # every thread also writes a shared item, then a private scratch item
                store.answer(token, "shared", w % 5 + 1)
                store.answer(token, f"scratch{w}", 1)
                store.answer(token, f"scratch{w}", None)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    stored = store.get(token).answers
    expected = {item: (k % 8 + 2 + k) % 5 + 1 for k, item in enumerate(items)}
    assert {k: v for k, v in stored.items() if k != "shared"} == expected
    assert stored["shared"] in {w % 5 + 1 for w in range(8)}


def test_an_answer_racing_a_finish_is_either_scored_or_refused(store: Store) -> None:
    """No answer is acknowledged and then missing from the profile."""
    for _round in range(5):
        token = _new(store)
        acknowledged: list[str] = []
        refused: list[str] = []
        scored: list[dict[str, int]] = []

        def answer(k: int, token: str = token, acknowledged: list[str] = acknowledged,
                   refused: list[str] = refused) -> None:  # fmt: skip
            try:
                store.answer(token, f"i{k}", 3)
                acknowledged.append(f"i{k}")
            except SessionStateError:
                refused.append(f"i{k}")

        def finish(token: str = token, scored: list[dict[str, int]] = scored) -> None:
            store.finish(token, lambda s: scored.append(dict(s.answers)) or "{}")

        threads = [threading.Thread(target=answer, args=(k,)) for k in range(10)]
        threads.insert(5, threading.Thread(target=finish))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(scored) == 1
        assert sorted(scored[0]) == sorted(acknowledged)
        assert len(acknowledged) + len(refused) == 10


def test_a_crash_between_two_answers_loses_nothing_already_answered(store: Store) -> None:
    """A process that dies (no close, no cleanup) keeps every answer it acknowledged."""
    db = store.url
    code = textwrap.dedent(
        f"""
        import os, sys
        from mgrlead.web.store import Store
        store = Store({str(db)!r})
        token, _ = store.create(rubric_id="r", rubric_version="1", content_hash="h",
                                language="en")
        for k in range(3):
            store.answer(token, f"i{{k}}", k + 1)
        print(token, flush=True)
        os._exit(9)  # dies before the fourth answer, without closing anything
        """
    )
    done = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(SRC), "PATH": "", "HOME": os.environ.get("HOME", "/")},
        check=False,
    )
    assert done.returncode == 9, done.stderr
    token = done.stdout.strip()
    again = Store(db)
    assert again.get(token).answers == {"i0": 1, "i1": 2, "i2": 3}
    again.close()
