"""Safety of the web app: security headers and a per-client rate limit."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from typing import TYPE_CHECKING, Final

from mgrlead.errors import RequestError

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["DEFAULT_CSP", "RateLimiter", "SecurityHeaders"]

#: The content security policy: nothing inline, nothing from elsewhere.
DEFAULT_CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'"
)


class SecurityHeaders:
    """Pure ASGI middleware: security headers on every HTTP response.

    A content security policy without inline scripts or styles, framing
    refused (``frame-ancestors``), ``nosniff``, no referrer (private links
    hold tokens), and ``Cache-Control: no-store`` where the app set none.
    """

    def __init__(self, app: ASGIApp, *, frame_ancestors: str = "'none'") -> None:
        """Wrap ``app``; ``frame_ancestors`` is the CSP source list of who may frame it."""
        self.app = app
        csp = f"{DEFAULT_CSP}; frame-ancestors {frame_ancestors}"
        self.headers: list[tuple[bytes, bytes]] = [
            (b"content-security-policy", csp.encode("latin-1")),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"cross-origin-resource-policy", b"same-origin"),
        ]
        if frame_ancestors.strip() == "'none'":
            self.headers.append((b"x-frame-options", b"DENY"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the headers to the response's start message."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in self.headers if n not in present]
                if b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RateLimiter:
    """At most ``limit`` events per client in any ``window`` seconds (a sliding window).

    In memory, per process: with several workers each counts on its own.
    Behind a reverse proxy, the client is the address the server reports:
    run uvicorn with ``--proxy-headers`` and ``--forwarded-allow-ips`` so that
    it is the respondent's, not the proxy's.
    """

    def __init__(self, limit: int, window: float = 60.0, *, max_clients: int = 100_000) -> None:
        """The limit per window; at most ``max_clients`` clients are remembered."""
        self.limit = limit
        self.window = window
        self.max_clients = max_clients
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, client: str, now: float | None = None) -> None:
        """Count one event of ``client``.

        Raises:
            RequestError: (429) the client is over the limit; ``retry_after``
                says in how many seconds it may try again.
        """
        now = time.monotonic() if now is None else now
        with self._lock:
            events = self._events.get(client)
            if events is None:
                if len(self._events) >= self.max_clients:
                    self._forget(now)
                events = self._events[client] = deque()
            while events and events[0] <= now - self.window:
                events.popleft()
            if len(events) >= self.limit:
                wait = max(1, math.ceil(events[0] + self.window - now))
                raise RequestError(
                    f"too many new sessions from this address: at most {self.limit} a "
                    f"minute; try again in {wait} s",
                    status=429,
                    retry_after=wait,
                )
            events.append(now)

    def _forget(self, now: float) -> None:
        stale = [k for k, v in self._events.items() if not v or v[-1] <= now - self.window]
        for key in stale:
            del self._events[key]
        if len(self._events) >= self.max_clients:  # all busy: forget the oldest half
            for key in list(self._events)[: self.max_clients // 2]:
                del self._events[key]
