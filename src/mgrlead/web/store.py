"""Where the web app keeps assessment sessions: SQLAlchemy 2, SQLite or PostgreSQL.

One row per assessment session (``assessment_sessions``) and one per answered
item of a session (``answers``, keyed by session and item, so a re-answer
replaces the old one).  A session row holds the rubric's id, version and
content hash, so every stored answer says which rubric it answered.

Every write is one short transaction, committed before the request returns:
an answer that was acknowledged survives a crash of the server.  Writes to a
session take that session's row lock first (``SELECT ... FOR UPDATE`` on
PostgreSQL; on SQLite every write transaction starts with ``BEGIN IMMEDIATE``,
which takes the database's write lock), so a concurrent answer and finish, or
two answers, never lose an update; an answer is an ``INSERT ... ON CONFLICT DO
UPDATE`` on the ``(session, item)`` key.

The schema is created and upgraded by Alembic (the migrations ship inside the
package, ``mgrlead/web/migrations``); :class:`Store` runs ``upgrade head`` when
it opens a database, under an advisory lock on PostgreSQL so that several
workers starting at once migrate it once.

Only a SHA-256 of a session's token is stored: whoever reads the database
cannot use it to open a respondent's session.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import secrets
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from attrs import field, frozen
from sqlalchemy import (
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    case,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect, Engine, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import StaticPool

from mgrlead.errors import (
    InputError,
    RoundNotFoundError,
    RubricChangedError,
    SessionNotFoundError,
    SessionStateError,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence

__all__ = [
    "MIGRATIONS",
    "AnswerRow",
    "Base",
    "RaterRow",
    "RoundRow",
    "RubricCount",
    "SessionRow",
    "Store",
    "StoredRound",
    "StoredSession",
    "closed_error",
    "database_url",
    "finished_error",
    "hash_token",
    "new_token",
]

#: The folder of the Alembic migrations that ship with the package.
MIGRATIONS: Final = Path(__file__).resolve().parent / "migrations"

#: Bytes of randomness in a session token (43 URL-safe characters).
TOKEN_BYTES: Final = 32

#: The PostgreSQL advisory lock key the migrations run under (any fixed number).
_MIGRATION_LOCK: Final = 0x6D67726C6561


def new_token() -> str:
    """A new unguessable session token (``secrets.token_urlsafe``, 256 bits)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """The SHA-256 (hex) of a token: what the database stores instead of the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and read back aware (SQLite keeps no time zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self, value: dt.datetime | None, _dialect: Dialect
    ) -> dt.datetime | None:
        """Refuse naive times; store UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            msg = "timestamps are stored with their time zone; pass an aware datetime"
            raise InputError(msg)
        return value.astimezone(dt.timezone.utc)

    def process_result_value(
        self, value: dt.datetime | None, _dialect: Dialect
    ) -> dt.datetime | None:
        """A time read back, as aware UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


class Base(DeclarativeBase):
    """The declarative base of the web app's tables (their ``metadata`` is the schema)."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class SessionRow(Base):
    """One assessment session: who answers which rubric, since when, and its result.

    A rater of a 360 round answers in a session of their own (a
    :class:`RaterRow` links the two); a session stays the unit of answering.
    """

    __tablename__ = "assessment_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    rubric_id: Mapped[str] = mapped_column(String(200), index=True)
    rubric_version: Mapped[str] = mapped_column(String(100))
    content_hash: Mapped[str] = mapped_column(String(80))
    language: Mapped[str] = mapped_column(String(35))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    profile: Mapped[str | None] = mapped_column(Text, nullable=True)
    adaptive: Mapped[str | None] = mapped_column(Text, nullable=True)
    """An adaptive session's state (``AdaptiveSession.to_json``); ``None``: all items asked."""


class AnswerRow(Base):
    """One answer: a session's response code to one item (the latest one given)."""

    __tablename__ = "answers"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
    answered_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class RoundRow(Base):
    """One 360 round: whom it is about, the rubric, the anonymity rules, open or closed."""

    __tablename__ = "rounds_360"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(String(200))
    rubric_id: Mapped[str] = mapped_column(String(200))
    rubric_version: Mapped[str] = mapped_column(String(100))
    content_hash: Mapped[str] = mapped_column(String(80))
    anonymity: Mapped[str] = mapped_column(Text)
    """The :class:`~mgrlead.groups.multirater.Anonymity` rules, as JSON."""
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class RaterRow(Base):
    """One rater of a round: their group and the session they answer in.

    The rater's private token is their session's (stored as its SHA-256 in
    ``assessment_sessions``); nothing here names the rater.
    """

    __tablename__ = "raters_360"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("rounds_360.id", ondelete="CASCADE"), index=True
    )
    rater_group: Mapped[str] = mapped_column(String(40))
    session_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_sessions.id", ondelete="CASCADE"), unique=True
    )


@frozen(kw_only=True)
class StoredRound:
    """A 360 round as stored, with how many raters of each group were invited and finished."""

    id: int
    """The round's number."""
    subject: str
    """Whom the round is about."""
    rubric_id: str
    """The rubric its raters answer."""
    rubric_version: str
    """That rubric's version when the round was created."""
    content_hash: str
    """That rubric's content hash."""
    anonymity: str
    """The anonymity rules, as JSON (``default``, ``minimum``, ``below``)."""
    created_at: dt.datetime
    """When it was created (UTC)."""
    closed_at: dt.datetime | None
    """When it was closed, else ``None``."""
    invited: Mapping[str, int] = field(factory=dict)
    """Raters invited, per group."""
    started: Mapping[str, int] = field(factory=dict)
    """Raters who gave at least one answer, per group."""
    finished: Mapping[str, int] = field(factory=dict)
    """Raters who finished, per group."""


@frozen(kw_only=True)
class StoredSession:
    """A session as stored: its rubric, language, times, answers and profile JSON."""

    rubric_id: str
    """The id of the rubric it answers."""
    rubric_version: str
    """That rubric's version when the session began."""
    content_hash: str
    """That rubric's content hash when the session began."""
    language: str
    """The language its texts are shown in."""
    created_at: dt.datetime
    """When it began (UTC)."""
    updated_at: dt.datetime
    """When it last changed (UTC)."""
    finished_at: dt.datetime | None
    """When it was finished and scored, else ``None``."""
    answers: Mapping[str, int] = field(factory=dict)
    """Item id to response code, for every item answered."""
    profile: str | None = None
    """The profile JSON stored when it was finished."""
    round_closed_at: dt.datetime | None = None
    """For a rater of a 360 round: when the round was closed (``None``: open, or no round)."""
    round_subject: str | None = None
    """For a rater of a 360 round: whom the round is about (``None``: no round)."""
    rater_group: str | None = None
    """For a rater of a 360 round: their rater group."""
    adaptive: str | None = None
    """An adaptive session's state JSON (``None``: a session of every item)."""


@frozen(kw_only=True)
class _Locked:
    """A session locked for a write: what the write checks."""

    id: int
    content_hash: str
    finished_at: dt.datetime | None
    round_closed_at: dt.datetime | None


@frozen(kw_only=True)
class RubricCount:
    """How many sessions of one rubric version were started and finished."""

    rubric_id: str
    """The rubric's id."""
    rubric_version: str
    """Its version."""
    content_hash: str
    """Its content hash."""
    started: int
    """Sessions started (finished ones included)."""
    finished: int
    """Sessions finished."""


def database_url(database: str | Path) -> str:
    """A SQLAlchemy URL for ``database``: a URL as is, a file path as a SQLite URL.

    Raises:
        InputError: the text is neither a URL SQLAlchemy reads nor a path.
    """
    text = str(database)
    if "://" not in text:
        if not text.strip():
            raise InputError("the database is empty; give a URL or a SQLite file path")
        return f"sqlite:///{Path(text).expanduser().resolve()}"
    try:
        make_url(text)
    except ArgumentError as exc:
        raise InputError(
            f"{text!r} is not a database URL SQLAlchemy reads ({exc}); use for example "
            "sqlite:///mgrlead.sqlite3 or postgresql+psycopg://user@host/db"
        ) from None
    return text


def _sqlite_engine(url: str) -> tuple[Engine, bool]:
    """An SQLite engine whose writes begin immediately; whether the database is in memory."""
    parsed = make_url(url)
    memory = parsed.database in {None, "", ":memory:"}
    if memory:
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: object) -> None:  # noqa: ANN401 - sqlite3
        # pysqlite would begin transactions itself, and late; mgrlead begins them
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        if not memory:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("mgrlead_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine, memory


class Store:
    """The sessions and answers of the web app, in any database SQLAlchemy reaches.

    Thread-safe: every method runs in its own transaction on a pooled
    connection.  ``Store(url)`` upgrades the schema to the newest migration.

    Args:
        database: A SQLAlchemy URL (``sqlite:///path.sqlite3``,
            ``postgresql+psycopg://user@host/db``) or a path to a SQLite file
            (created, with its folder, when missing).
        migrate: Run the migrations up to the newest (``alembic upgrade head``).
    """

    def __init__(self, database: str | Path, *, migrate: bool = True) -> None:
        """Connect (and migrate)."""
        self.url = database_url(database)
        self._lock: threading.Lock | None = None
        if make_url(self.url).get_backend_name() == "sqlite":
            self.engine, memory = _sqlite_engine(self.url)
            if memory:  # one connection for every thread: one transaction at a time
                self._lock = threading.Lock()
        else:
            self.engine = create_engine(self.url, pool_pre_ping=True)
        if migrate:
            self.upgrade()

    def __repr__(self) -> str:
        """``<Store sqlite:///...>`` (a password in the URL is hidden)."""
        return f"<Store {make_url(self.url).render_as_string(hide_password=True)}>"

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    # ------------------------------------------------------------- transactions
    @contextlib.contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction (SQLite: ``BEGIN IMMEDIATE``), committed on success."""
        with self._serial(), self.engine.connect() as plain:
            conn = plain.execution_options(mgrlead_write=True)
            with conn.begin():
                yield conn

    @contextlib.contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._serial(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextlib.contextmanager
    def _serial(self) -> Iterator[None]:
        if self._lock is None:
            yield
        else:
            with self._lock:
                yield

    def upgrade(self) -> None:
        """Bring the schema up to the newest migration (``alembic upgrade head``)."""
        from alembic import command  # noqa: PLC0415 - only when a store opens
        from alembic.config import Config  # noqa: PLC0415

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self._write() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    # ------------------------------------------------------------- sessions
    def create(
        self,
        *,
        rubric_id: str,
        rubric_version: str,
        content_hash: str,
        language: str,
        adaptive: str | None = None,
    ) -> tuple[str, StoredSession]:
        """Start a session; return its new token and the stored session.

        ``adaptive`` is an adaptive session's initial state JSON (``None``: every item).
        """
        now = _now()
        for _attempt in range(3):  # a clash of 256-bit tokens would be a miracle; still
            token = new_token()
            try:
                with self._write() as conn:
                    conn.execute(
                        insert(SessionRow).values(
                            token_hash=hash_token(token),
                            rubric_id=rubric_id,
                            rubric_version=rubric_version,
                            content_hash=content_hash,
                            language=language,
                            created_at=now,
                            updated_at=now,
                            adaptive=adaptive,
                        )
                    )
            except IntegrityError:  # pragma: no cover - needs two equal random tokens
                continue
            return token, self.get(token)
        msg = "could not draw a new session token; try again"  # pragma: no cover
        raise InputError(msg)  # pragma: no cover

    def _locked_row(self, conn: Connection, token: str) -> _Locked:
        """The session's row, locked for update; for a rater, their round's row locked to share.

        The round's share lock makes closing a round (an update of its row) wait
        for answers under way, and an answer after it see the round closed.
        """
        row = conn.execute(
            select(SessionRow.id, SessionRow.content_hash, SessionRow.finished_at)
            .where(SessionRow.token_hash == hash_token(token))
            .with_for_update()
        ).first()
        if row is None:
            raise SessionNotFoundError(_not_found())
        closed = conn.execute(
            select(RoundRow.closed_at)
            .join(RaterRow, RaterRow.round_id == RoundRow.id)
            .where(RaterRow.session_id == row.id)
            .with_for_update(read=True, of=RoundRow)
        ).scalar()
        return _Locked(
            id=row.id,
            content_hash=row.content_hash,
            finished_at=row.finished_at,
            round_closed_at=closed,
        )

    def get(self, token: str) -> StoredSession:
        """The session with this token, with its answers.

        Raises:
            SessionNotFoundError: no session has this token.
        """
        with self._read() as conn:
            return self._load(conn, token)

    def _load(self, conn: Connection, token: str) -> StoredSession:
        table = SessionRow.__table__
        s = (
            conn.execute(select(table).where(table.c.token_hash == hash_token(token)))
            .mappings()
            .first()
        )
        if s is None:
            raise SessionNotFoundError(_not_found())
        answers = dict(
            conn.execute(
                select(AnswerRow.item_id, AnswerRow.value)
                .where(AnswerRow.session_id == s["id"])
                .order_by(AnswerRow.answered_at, AnswerRow.item_id)
            ).all()
        )
        rater = conn.execute(
            select(RoundRow.closed_at, RoundRow.subject, RaterRow.rater_group)
            .join(RaterRow, RaterRow.round_id == RoundRow.id)
            .where(RaterRow.session_id == s["id"])
        ).first()
        return StoredSession(
            rubric_id=s["rubric_id"],
            rubric_version=s["rubric_version"],
            content_hash=s["content_hash"],
            language=s["language"],
            created_at=s["created_at"],
            updated_at=s["updated_at"],
            finished_at=s["finished_at"],
            answers=answers,
            profile=s["profile"],
            round_closed_at=None if rater is None else rater.closed_at,
            round_subject=None if rater is None else rater.subject,
            rater_group=None if rater is None else rater.rater_group,
            adaptive=s["adaptive"],
        )

    def answer(
        self, token: str, item_id: str, value: int | None, *, content_hash: str | None = None
    ) -> StoredSession:
        """Store (or, with ``None``, clear) the answer to one item, and commit it.

        Args:
            token: The session's token.
            item_id: The item answered (the caller checks it belongs to the rubric).
            value: The response code, or ``None`` to clear the answer.
            content_hash: When given, refuse if the session's rubric hash differs.

        Raises:
            SessionNotFoundError: no session has this token.
            SessionStateError: the session is finished, or its rubric changed.
        """
        now = _now()
        with self._write() as conn:
            row = self._locked_row(conn, token)
            _check_open(row, content_hash)
            conn.execute(update(SessionRow).where(SessionRow.id == row.id).values(updated_at=now))
            _set_answer(conn, row.id, item_id, value, now)
            return self._load(conn, token)

    def adaptive_step(
        self,
        token: str,
        step: Callable[[StoredSession], tuple[str, int | None, str]],
        *,
        content_hash: str | None = None,
    ) -> StoredSession:
        """Change an adaptive session: one answer (or its removal) and the new state, together.

        ``step`` gets the session read under its lock and returns ``(item, value,
        state)``: the answer row of ``item`` is set to ``value`` (``None``: removed)
        and the session's adaptive state becomes ``state``, in one transaction.

        Raises:
            SessionNotFoundError: no session has this token.
            SessionStateError: the session is finished, or its rubric changed (and
                whatever ``step`` raises; nothing is then written).
        """
        now = _now()
        with self._write() as conn:
            row = self._locked_row(conn, token)
            _check_open(row, content_hash)
            item_id, value, state = step(self._load(conn, token))
            conn.execute(
                update(SessionRow)
                .where(SessionRow.id == row.id)
                .values(updated_at=now, adaptive=state)
            )
            _set_answer(conn, row.id, item_id, value, now)
            return self._load(conn, token)

    def finish(
        self,
        token: str,
        score: Callable[[StoredSession], str],
        *,
        content_hash: str | None = None,
    ) -> StoredSession:
        """Score the session with ``score`` (its answers to profile JSON) and store the result.

        The session is locked while it is scored, so no answer slips in between.
        A finished session is returned as it is (finishing twice is harmless).

        Raises:
            SessionNotFoundError: no session has this token.
            SessionStateError: its rubric changed since it began.
        """
        with self._write() as conn:
            row = self._locked_row(conn, token)
            if row.finished_at is not None:
                return self._load(conn, token)
            _check_open(row, content_hash)
            profile = score(self._load(conn, token))
            now = _now()
            conn.execute(
                update(SessionRow)
                .where(SessionRow.id == row.id)
                .values(profile=profile, finished_at=now, updated_at=now)
            )
            return self._load(conn, token)

    def delete(self, token: str) -> None:
        """Delete the session, its answers and its profile.

        Raises:
            SessionNotFoundError: no session has this token.
        """
        with self._write() as conn:
            row = self._locked_row(conn, token)
            conn.execute(delete(AnswerRow).where(AnswerRow.session_id == row.id))
            conn.execute(delete(SessionRow).where(SessionRow.id == row.id))

    def counts(self) -> list[RubricCount]:
        """Sessions started and finished, per rubric id, version and hash."""
        with self._read() as conn:
            rows = conn.execute(
                select(
                    SessionRow.rubric_id,
                    SessionRow.rubric_version,
                    SessionRow.content_hash,
                    func.count(),
                    func.count(SessionRow.finished_at),
                )
                .group_by(SessionRow.rubric_id, SessionRow.rubric_version, SessionRow.content_hash)
                .order_by(SessionRow.rubric_id, SessionRow.rubric_version)
            ).all()
            return [
                RubricCount(rubric_id=r, rubric_version=v, content_hash=h, started=n, finished=f)
                for r, v, h, n, f in rows
            ]

    # ------------------------------------------------------------- 360 rounds
    def create_round(  # noqa: PLR0913 - the round's fields, by keyword
        self,
        *,
        subject: str,
        rubric_id: str,
        rubric_version: str,
        content_hash: str,
        language: str,
        anonymity: str,
        raters: Sequence[str],
    ) -> tuple[StoredRound, list[tuple[str, str]]]:
        """Create a round and one session per rater, in one transaction.

        Args:
            subject: Whom the round is about.
            rubric_id: The rubric the raters answer (and its version and hash).
            rubric_version: Its version.
            content_hash: Its content hash.
            language: The language the raters' sessions show.
            anonymity: The anonymity rules as JSON.
            raters: The group of each rater, one entry per rater.

        Returns:
            The round, and each rater's ``(group, private token)`` in the order given.
        """
        now = _now()
        links: list[tuple[str, str]] = []
        with self._write() as conn:
            round_id = conn.execute(
                insert(RoundRow)
                .values(
                    subject=subject,
                    rubric_id=rubric_id,
                    rubric_version=rubric_version,
                    content_hash=content_hash,
                    anonymity=anonymity,
                    created_at=now,
                )
                .returning(RoundRow.id)
            ).scalar_one()
            for group in raters:
                token = new_token()
                session_id = conn.execute(
                    insert(SessionRow)
                    .values(
                        token_hash=hash_token(token),
                        rubric_id=rubric_id,
                        rubric_version=rubric_version,
                        content_hash=content_hash,
                        language=language,
                        created_at=now,
                        updated_at=now,
                    )
                    .returning(SessionRow.id)
                ).scalar_one()
                conn.execute(
                    insert(RaterRow).values(
                        round_id=round_id, rater_group=group, session_id=session_id
                    )
                )
                links.append((group, token))
            return self._round(conn, round_id), links

    def get_round(self, round_id: int) -> StoredRound:
        """The round with this number, with its counts per group.

        Raises:
            RoundNotFoundError: no round has this number.
        """
        with self._read() as conn:
            return self._round(conn, round_id)

    def close_round(self, round_id: int) -> StoredRound:
        """Close the round (its raters can answer no more); closing twice changes nothing.

        Raises:
            RoundNotFoundError: no round has this number.
        """
        with self._write() as conn:
            self._round(conn, round_id)
            conn.execute(
                update(RoundRow)
                .where(RoundRow.id == round_id, RoundRow.closed_at.is_(None))
                .values(closed_at=_now())
            )
            return self._round(conn, round_id)

    def round_responses(self, round_id: int) -> list[tuple[str, dict[str, int]]]:
        """The answers of every rater who finished, with their group, by group then rater.

        Raises:
            RoundNotFoundError: no round has this number.
        """
        with self._read() as conn:
            self._round(conn, round_id)
            rows = conn.execute(
                select(RaterRow.rater_group, SessionRow.id)
                .join(SessionRow, SessionRow.id == RaterRow.session_id)
                .where(RaterRow.round_id == round_id, SessionRow.finished_at.is_not(None))
                .order_by(RaterRow.rater_group, RaterRow.id)
            ).all()
            out: list[tuple[str, dict[str, int]]] = []
            for group, session_id in rows:
                answers = dict(
                    conn.execute(
                        select(AnswerRow.item_id, AnswerRow.value).where(
                            AnswerRow.session_id == session_id
                        )
                    ).all()
                )
                out.append((group, answers))
            return out

    def _round(self, conn: Connection, round_id: int) -> StoredRound:
        r = (
            conn.execute(select(RoundRow.__table__).where(RoundRow.id == round_id))
            .mappings()
            .first()
        )
        if r is None:
            raise RoundNotFoundError(
                f"no 360 round has the number {round_id} (it was mistyped, or never created)"
            )
        answered = (
            select(AnswerRow.session_id).where(AnswerRow.session_id == SessionRow.id).exists()
        )
        rows = conn.execute(
            select(
                RaterRow.rater_group,
                func.count(),
                func.count(SessionRow.finished_at),
                func.sum(case((answered, 1), else_=0)),
            )
            .join(SessionRow, SessionRow.id == RaterRow.session_id)
            .where(RaterRow.round_id == round_id)
            .group_by(RaterRow.rater_group)
            .order_by(RaterRow.rater_group)
        ).all()
        return StoredRound(
            id=r["id"],
            subject=r["subject"],
            rubric_id=r["rubric_id"],
            rubric_version=r["rubric_version"],
            content_hash=r["content_hash"],
            anonymity=r["anonymity"],
            created_at=r["created_at"],
            closed_at=r["closed_at"],
            invited={g: int(n) for g, n, _f, _s in rows},
            finished={g: int(f) for g, _n, f, _s in rows},
            started={g: int(s or 0) for g, _n, _f, s in rows},
        )


def _not_found() -> str:
    return "no session has this token (it was mistyped, or the session was deleted)"


def finished_error(finished_at: dt.datetime) -> SessionStateError:
    """The error for an answer to a session finished at ``finished_at``."""
    return SessionStateError(
        f"the session was finished at {finished_at:%Y-%m-%d %H:%M} UTC; its answers "
        "can no longer change (start a new session to answer again)"
    )


def closed_error(closed_at: dt.datetime) -> SessionStateError:
    """The error for an answer in a 360 round closed at ``closed_at``."""
    return SessionStateError(
        f"this 360 feedback round was closed at {closed_at:%Y-%m-%d %H:%M} UTC; it takes "
        "no more answers (ask the person who sent you the link if you still want to answer)"
    )


def _check_open(row: _Locked, content_hash: str | None) -> None:
    if row.round_closed_at is not None:
        raise closed_error(row.round_closed_at)
    if row.finished_at is not None:
        raise finished_error(row.finished_at)
    if content_hash is not None and row.content_hash != content_hash:
        raise RubricChangedError(
            f"the rubric changed since the session began (content hash {row.content_hash}, "
            f"now {content_hash}); finish it with the rubric it began with, or start a new "
            "session"
        )


def _set_answer(
    conn: Connection, session_id: int, item_id: str, value: int | None, now: dt.datetime
) -> None:
    """Store ``value`` as the session's answer to ``item_id``; ``None`` removes the answer."""
    if value is None:
        conn.execute(
            delete(AnswerRow).where(
                AnswerRow.session_id == session_id, AnswerRow.item_id == item_id
            )
        )
    else:
        _upsert_answer(conn, session_id, item_id, value, now)


def _upsert_answer(
    conn: Connection, session_id: int, item_id: str, value: int, now: dt.datetime
) -> None:
    """``INSERT ... ON CONFLICT (session, item) DO UPDATE`` where the database has it."""
    values = {"session_id": session_id, "item_id": item_id, "value": value, "answered_at": now}
    key = [AnswerRow.session_id, AnswerRow.item_id]
    if conn.dialect.name in {"sqlite", "postgresql"}:  # the same ON CONFLICT in both dialects
        dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
        upsert = dialect.insert(AnswerRow).values(**values)
        conn.execute(
            upsert.on_conflict_do_update(
                index_elements=key,
                set_={"value": upsert.excluded.value, "answered_at": upsert.excluded.answered_at},
            )
        )
        return
    # other databases: the session row is locked, so update-then-insert cannot race
    done = conn.execute(
        update(AnswerRow)
        .where(AnswerRow.session_id == session_id, AnswerRow.item_id == item_id)
        .values(value=value, answered_at=now)
    )
    if done.rowcount == 0:
        conn.execute(insert(AnswerRow).values(**values))
