"""``mgrlead serve``: run the web app (:func:`mgrlead.web.create_app`) with uvicorn."""

from __future__ import annotations

from pathlib import Path

import click

from mgrlead.cli.common import fail
from mgrlead.errors import InputError

__all__ = ["serve"]

#: The database ``mgrlead serve`` uses when none is given: a file in the current folder.
DEFAULT_DATABASE = "mgrlead.sqlite3"


def _admin_token(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the administrator token from {path}: {exc}") from None
    token = text.strip()
    if not token or "\n" in token:
        raise InputError(
            f"{path} must hold the administrator token alone, on one line; make one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(32))' > " + str(path)
        )
    return token


@click.command("serve")
@click.option(
    "--database",
    default=DEFAULT_DATABASE,
    show_default=True,
    metavar="URL|FILE",
    help="Where sessions are kept: an SQLite file (created when missing) or a SQLAlchemy "
    "URL such as postgresql+psycopg://user@host/db.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="The port to listen on (0: any free one).",
)
@click.option(
    "--rubric",
    "rubrics",
    multiple=True,
    metavar="NAME|FILE",
    help="Serve this rubric (repeat for more) [default: every registered rubric].",
)
@click.option(
    "--admin-token-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A file holding the bearer token of the administrator endpoints; without it they are off.",
)
@click.option(
    "--root-path",
    default="",
    metavar="PATH",
    help="The path a reverse proxy serves the app under (/assess), for the links it gives.",
)
@click.option(
    "--sessions-per-minute",
    default=30,
    show_default=True,
    type=click.IntRange(1),
    help="How many sessions one client address may start a minute.",
)
@click.option(
    "--proxy-headers",
    is_flag=True,
    help="Trust X-Forwarded-For/-Proto from --forwarded-allow-ips (behind a reverse proxy).",
)
@click.option(
    "--forwarded-allow-ips",
    default="127.0.0.1",
    show_default=True,
    metavar="IPS",
    help="The proxies whose forwarded headers are trusted, comma-separated.",
)
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    help="How much uvicorn logs.",
)
def serve(  # noqa: PLR0913, PLR0917 - one parameter per option (click passes them)
    database: str,
    host: str,
    port: int,
    rubrics: tuple[str, ...],
    admin_token_file: Path | None,
    root_path: str,
    sessions_per_minute: int,
    proxy_headers: bool,
    forwarded_allow_ips: str,
    log_level: str,
) -> None:
    """Run the web app: the JSON API under /api/v1, sessions kept in a database.

    The database is created and migrated to the newest schema on start.
    Without --admin-token-file the administrator endpoints are off; there is
    no default token.  Ctrl-C stops the server.
    """  # fmt: skip
    try:
        import uvicorn  # noqa: PLC0415 - the web extra, only for this command

        from mgrlead.web import create_app  # noqa: PLC0415
    except ImportError as exc:
        fail(
            f"mgrlead serve needs the web extra ({exc.name} is missing): pip install 'mgrlead[web]'"
        )
    app = create_app(
        database=database,
        rubrics=rubrics or None,
        admin_token=_admin_token(admin_token_file),
        sessions_per_minute=sessions_per_minute,
    )
    store = app.state.store
    admin = "on" if admin_token_file is not None else "off"
    click.echo(
        f"mgrlead: serving the assessments at http://{host}:{port}{root_path}/ and the API "
        f"at http://{host}:{port}{root_path}/api/v1 "
        f"(database {store!r}, admin endpoints {admin}); Ctrl-C stops it",
        err=True,
    )
    uvicorn.run(
        app,
        host=host,
        port=port,
        root_path=root_path,
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips,
        server_header=False,
        log_level=log_level,
    )
