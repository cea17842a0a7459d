"""Serving the site hub on the site's LAN (or a phone hotspot): the ordinary hub app on the
site hub database, in the foreground (`checkpoint site serve`) or in a background thread of the
screening app (`checkpoint run --serve-site`).

The listening socket is opened here, before the server starts, so that a port in use or an
address this laptop does not have is a message at once, not a traceback in a thread.

    server = SiteServer(site, host="0.0.0.0", port=8471)   # SiteError if it cannot listen
    server.start()   # background thread; server.stop() ends it
"""

from __future__ import annotations

import errno
import socket
import threading
from typing import Final

from checkpoint.site.hub import Site, SiteError

ANY_ADDRESS: Final = "0.0.0.0"
_SILENT: Final = {
    "version": 1,
    "disable_existing_loggers": False,
    "loggers": {
        name: {"handlers": [], "level": "CRITICAL", "propagate": False}
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
    },
}


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on `host:port`; `SiteError` saying why it cannot be."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, address = infos[0]
        sock = socket.socket(family, kind, proto)
    except OSError as error:
        raise SiteError.of("site.cannot_listen", host=host, port=port, detail=error) from error
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as error:
        sock.close()
        code = "site.port_in_use" if error.errno == errno.EADDRINUSE else "site.cannot_listen"
        raise SiteError.of(code, host=host, port=port, detail=error.strerror) from error
    sock.set_inheritable(True)
    return sock


def lan_addresses() -> list[str]:
    """This laptop's IPv4 addresses other lanes may reach it at (loopback left out)."""
    found: list[str] = []
    # The address the system would use towards a LAN: no packet is sent by a UDP connect.
    for probe in ("10.255.255.255", "192.168.255.255"):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            try:
                udp.connect((probe, 1))
                found.append(udp.getsockname()[0])
            except OSError:
                pass
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.append(str(info[4][0]))
    except OSError:
        pass
    return [a for a in dict.fromkeys(found) if not a.startswith("127.") and a != ANY_ADDRESS]


class SiteServer:
    """The hub app on the site hub, listening on `host:port` from construction on."""

    def __init__(self, site: Site, *, host: str, port: int, quiet: bool = False) -> None:
        """`quiet`: log nothing (under the screening app, whose screen it would garble)."""
        import uvicorn

        from checkpoint.hub.app import make_hub_app

        self.site = site
        self.host = host
        self.socket = listen(host, port)
        self.port = int(self.socket.getsockname()[1])
        """The port listened on (the one chosen by the system when asked for 0)."""
        config = uvicorn.Config(
            make_hub_app(engine=site.engine),
            log_level="warning",
            access_log=False,
            log_config=_SILENT if quiet else uvicorn.config.LOGGING_CONFIG,
        )
        self.server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None
        self.message = ""
        """What to tell the person at the screen about it (set by whoever starts it)."""

    def run(self) -> None:
        """Serve in this thread until Ctrl+C (or `stop` from another thread)."""
        try:
            self.server.run(sockets=[self.socket])
        finally:
            self.socket.close()

    def start(self) -> SiteServer:
        """Serve in a background thread."""
        self._thread = threading.Thread(target=self.run, name="site-hub", daemon=True)
        self._thread.start()
        return self

    @property
    def started(self) -> bool:
        return bool(self.server.started)

    def stop(self, timeout: float = 5.0) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
