"""A TCP forwarder between the app and a PostgreSQL server that a test can unplug: every
connection dropped and new ones refused (the listening socket closed), then plugged back on the
same port. `silence()` is a link gone quiet: connections stay up and nothing passes either way,
so a read waits (for the connect timeout, or the driver's keepalive) rather than failing at
once. `lose_commit_answer()` lets the next COMMIT through to the server and drops the
server's answer, then unplugs: the save is on the server, the app never hears so (the case an
idempotent retry exists for, ADR 0027)."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field


@dataclass(eq=False)
class _Pair:
    client: socket.socket
    upstream: socket.socket
    swallow: bool = False  # the server's next answer is dropped, then everything unplugged


@dataclass(eq=False)
class PgProxy:
    target: tuple[str, int]
    port: int = 0
    _listener: socket.socket | None = None
    _pairs: list[_Pair] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _armed: bool = False
    _silent: bool = False  # nothing passes either way; connections stay up
    _held: list[socket.socket] = field(default_factory=list)  # accepted while silent
    answer_lost: threading.Event = field(default_factory=threading.Event)
    commits_seen: int = 0

    def url(self, database_url: str) -> str:
        from sqlalchemy.engine import make_url

        return (
            make_url(database_url)
            .set(host="127.0.0.1", port=self.port)
            .render_as_string(hide_password=False)
        )

    # -- plugging ------------------------------------------------------------------------------

    def plug(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def unplug(self) -> None:
        """Drop every connection (reset) and refuse new ones."""
        with self._lock:
            listener, self._listener = self._listener, None
            pairs, self._pairs = self._pairs, []
            held, self._held = self._held, []
            self._silent = False
        if listener is not None:
            _close(listener)  # shutdown wakes the thread blocked in accept(): the port is free
        for pair in pairs:
            for s in (pair.client, pair.upstream):
                _close(s)
        for s in held:
            _close(s)

    def silence(self) -> None:
        """Nothing passes any more, either way, and new connections are accepted and left
        unanswered: a link whose far end went quiet. `unplug()` ends it."""
        with self._lock:
            self._silent = True

    @property
    def plugged(self) -> bool:
        return self._listener is not None

    def lose_commit_answer(self) -> None:
        """The next COMMIT reaches the server; its answer never reaches the app."""
        with self._lock:
            self._armed = True

    # -- forwarding ----------------------------------------------------------------------------

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # unplugged
            with self._lock:
                if self._silent:
                    self._held.append(client)  # up, and never answered
                    continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _close(client)
                continue
            pair = _Pair(client, upstream)
            with self._lock:
                if self._listener is not listener:  # unplugged meanwhile
                    _close(client)
                    _close(upstream)
                    continue
                self._pairs.append(pair)
            threading.Thread(target=self._to_server, args=(pair,), daemon=True).start()
            threading.Thread(target=self._to_client, args=(pair,), daemon=True).start()

    def _to_server(self, pair: _Pair) -> None:
        while True:
            try:
                data = pair.client.recv(65536)
            except OSError:
                data = b""
            if not data:
                _close(pair.upstream)
                return
            if self._silent:
                continue  # lost on the way
            if b"COMMIT" in data:
                with self._lock:
                    self.commits_seen += 1
                    if self._armed:
                        self._armed = False
                        pair.swallow = True
            try:
                pair.upstream.sendall(data)
            except OSError:
                _close(pair.client)
                return

    def _to_client(self, pair: _Pair) -> None:
        while True:
            try:
                data = pair.upstream.recv(65536)
            except OSError:
                data = b""
            if not data:
                _close(pair.client)
                return
            if self._silent:
                continue
            if pair.swallow:  # the server has committed and answered: the answer is lost
                self.unplug()
                self.answer_lost.set()
                return
            try:
                pair.client.sendall(data)
            except OSError:
                _close(pair.upstream)
                return


def _close(s: socket.socket) -> None:
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    s.close()
