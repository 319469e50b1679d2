"""A local web server for the sample sources in ``data/samples/site``, for tests and the demo.

Static files are served as they are (no charset added, so pages' own declarations and the
crawler's detection are tested). A query string selects a file with the query in its name:
``/r/x/new.json?after=t3_a`` is served from ``r/x/new.after=t3_a.json``. Under ``/hostile/``
the server adds cases a static file cannot show: a redirect loop, a page that fails twice and
then works, rate limiting with Retry-After, an oversized page, a page slower than the timeout,
and a listing page (phpBB markup) that links to all of them.

Run it by hand with ``opendeur listen serve-samples``. It binds to 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections import Counter
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from nlp.datafiles import data_path

HUGE_PAGE_BYTES = 12_000_000
SLOW_PAGE_SECONDS = 10.0

_THREAD_PAGE = """<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>{title}</title>
</head><body><h2 class="topic-title"><a href="#">{title}</a></h2>
<div id="p{id}" class="post has-profile bg2"><div class="inner"><div class="postbody">
<p class="author"><span class="responsive-hide">door <strong><a class="username"
href="./memberlist.php?u=9">{author}</a></strong></span><time
datetime="2026-11-04T09:00:00+00:00">4 nov 2026</time></p>
<div class="content">{text}</div></div></div></div></body></html>"""

DYNAMIC_THREADS = {
    "/hostile/flaky.html": "Serverfout",
    "/hostile/rate-limited.html": "Te veel verzoeken",
    "/hostile/redirect-loop.html": "Rondje",
    "/hostile/huge.html": "Enorme pagina",
    "/hostile/slow.html": "Trage pagina",
    "/hostile/missing.html": "Bestaat niet",
    "/hostile/always-down.html": "Altijd stuk",
}


def listing_page() -> str:
    """A phpBB-style listing of every hostile case, static and dynamic."""
    links = list(DYNAMIC_THREADS.items())
    static = data_path("samples", "site", "hostile")
    if static.is_dir():
        links += [(f"/hostile/{p.name}", p.stem) for p in sorted(static.glob("*.html"))]
    rows = "".join(
        f'<li class="row bg1"><dl class="row-item"><dt><div class="list-inner">'
        f'<a href="{href}" class="topictitle">{title}</a></div></dt></dl></li>'
        for href, title in links
    )
    return (
        '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>Lastige pagina\'s'
        f'</title></head><body><ul class="topiclist topics">{rows}</ul></body></html>'
    )


class SampleHandler(SimpleHTTPRequestHandler):
    server_version = "opendeur-samples"
    attempts: Counter[str]  # shared per server, set by SampleServer

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - signature of the base
        pass  # tests and the demo stay quiet

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        path = urlsplit(self.path).path
        self.attempts[path] += 1
        if path == "/hostile/" or path == "/hostile/index.html":
            return self._send(HTTPStatus.OK, listing_page().encode())
        if path in DYNAMIC_THREADS:
            return self._dynamic(path)
        if path.startswith("/sitemap") and path.endswith(".xml"):
            return self._sitemap(path)
        return super().do_GET()

    def _sitemap(self, path: str) -> None:
        # Sitemaps must list absolute addresses; the port is only known now.
        file = Path(self.translate_path(path))
        if not file.is_file():
            return self._send(HTTPStatus.NOT_FOUND, b"niet gevonden")
        host, port = self.server.server_address[:2]
        body = file.read_bytes().replace(b"<loc>/", f"<loc>http://{host}:{port}/".encode())
        return self._send(HTTPStatus.OK, body, content_type="application/xml")

    def _dynamic(self, path: str) -> None:
        attempt = self.attempts[path]
        page = _THREAD_PAGE.format(
            title=DYNAMIC_THREADS[path], id=abs(hash(path)) % 10_000, author="probeerder_42",
            text=f"Deze pagina ({DYNAMIC_THREADS[path].lower()}) kwam er na poging {attempt} "
            "toch door. Ik kan de huur van deze maand niet betalen.",
        )  # fmt: skip
        if path == "/hostile/flaky.html" and attempt <= 2:
            return self._send(HTTPStatus.INTERNAL_SERVER_ERROR, b"tijdelijk stuk")
        if path == "/hostile/rate-limited.html" and attempt == 1:
            return self._send(HTTPStatus.TOO_MANY_REQUESTS, b"rustig aan", {"Retry-After": "1"})
        if path == "/hostile/redirect-loop.html":
            # Every hop a new address (like a session id), so only the redirect limit stops it.
            return self._send(HTTPStatus.FOUND, b"", {"Location": f"{path}?hop={attempt}"})
        if path == "/hostile/missing.html":
            return self._send(HTTPStatus.NOT_FOUND, b"niet gevonden")
        if path == "/hostile/always-down.html":
            return self._send(HTTPStatus.SERVICE_UNAVAILABLE, b"onderhoud")
        if path == "/hostile/slow.html":
            time.sleep(SLOW_PAGE_SECONDS)
        if path == "/hostile/huge.html":
            filler = b"<p>" + b"Heel veel tekst. " * 60 + b"</p>\n"
            body = page.encode().replace(b"</body>", filler * (HUGE_PAGE_BYTES // len(filler)))
            return self._send(HTTPStatus.OK, body)
        return self._send(HTTPStatus.OK, page.encode())

    def _send(
        self,
        status: HTTPStatus,
        body: bytes,
        headers: dict[str, str] | None = None,
        content_type: str = "text/html; charset=utf-8",
    ):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        # the crawler may give up on a page it finds too large or too slow
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def translate_path(self, path: str) -> str:
        parts = urlsplit(path)
        translated = Path(super().translate_path(parts.path))
        if parts.query:
            query = unquote(parts.query)
            candidate = translated.with_name(f"{translated.stem}.{query}{translated.suffix}")
            return str(candidate)
        return str(translated)

    def guess_type(self, path) -> str:
        # No charset for HTML: pages declare their own, as on the real web.
        suffix = Path(str(path)).suffix
        return {
            ".html": "text/html",
            ".json": "application/json",
            ".rss": "application/rss+xml",
            ".atom": "application/atom+xml",
            ".xml": "application/xml",
            ".txt": "text/plain",
        }.get(suffix, super().guess_type(path))


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # A crawler that gives up (timeout, size limit) hangs up mid-answer: expected here.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class SampleServer:
    """``with SampleServer() as server: server.url`` -> http://127.0.0.1:PORT"""

    def __init__(self, port: int = 0, root: Path | None = None):
        root = root or data_path("samples", "site")
        handler = type("Handler", (SampleHandler,), {"attempts": Counter()})
        self.attempts = handler.attempts
        self.httpd = _QuietServer(("127.0.0.1", port), lambda *a: handler(*a, directory=str(root)))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> SampleServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
