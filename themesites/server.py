"""The theme-site web app: built static sites, ``/go/CODE`` arrivals and the call-back form.

One Starlette app serves every theme site. A site is chosen by the Host header (its domain, or
``www.`` + domain) or, for local use, by the path prefix ``/s/SLUG/``. The app sets no cookies,
stores no client addresses and sends the same security headers on every response (DESIGN §5);
``run()`` starts uvicorn without its access log, which would hold client addresses.

The database is opened per worker thread from ``db_path`` (SQLite connections belong to the
thread that made them); its tables must exist already: the shell applies the migrations with
``opendeur.store.open_db`` before it serves.
"""

from __future__ import annotations

import logging
import mimetypes
import re
import sqlite3
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlite_utils import Database
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from themesites.arrivals import arrival_day, record_arrival, resolve
from themesites.callbacks import (
    HONEYPOT,
    check_token,
    is_bot,
    issue_token,
    normalise_phone,
    same_origin,
    store_request,
    validate_form,
)
from themesites.ratelimit import RateLimiter

logger = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'self'"
    ),
    "x-content-type-options": "nosniff",
    # Not no-referrer: with it browsers post the form with "Origin: null", which the
    # same-origin check must refuse.
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "cross-origin-opener-policy": "same-origin",
}
MAX_FORM_BYTES = 16 * 1024
MAX_FORM_FIELDS = 20
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
NEEDED_TABLES = ("arrivals", "callback_requests", "callback_access_log", "tracked_links")
CSS_PATH = "/_/terugbellen.css"
FORM_FIELDS = ("name", "phone", "best_time", "note", "consent")


@dataclass(frozen=True)
class SiteRoot:
    """A built theme site: served for ``domain`` and ``www.domain``, and at ``/s/SLUG/``."""

    slug: str
    domain: str
    folder: Path
    title: str = ""


class SecurityHeaders:
    """Adds the security headers to every response and drops any Set-Cookie header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _secured(message.get("headers", []))
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _secured(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    ours = {name.encode() for name in SECURITY_HEADERS}
    kept = [(k, v) for k, v in headers if k.lower() != b"set-cookie" and k.lower() not in ours]
    return kept + [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]


class _Connections:
    """One SQLite connection per thread, opened on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()

    def get(self) -> Database:
        db = getattr(self._local, "db", None)
        if db is None:
            db = Database(sqlite3.connect(self.path))
            db.execute("PRAGMA busy_timeout = 10000")
            db.execute("PRAGMA foreign_keys = ON")
            # WAL (set by open_db) with NORMAL sync: a crash loses at most the last arrival
            # counts, never the file; a sync per redirect would cost more than the redirect.
            db.execute("PRAGMA synchronous = NORMAL")
            self._local.db = db
        return db


def _check_database(path: Path) -> None:
    if not path.is_file():
        raise FileNotFoundError(f"no database at {path}; create it with `opendeur db migrate`")
    connection = sqlite3.connect(path)
    try:
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    finally:
        connection.close()
    missing = [name for name in NEEDED_TABLES if name not in names]
    if missing:
        raise RuntimeError(
            f"database {path} lacks {', '.join(missing)}; apply the migrations first "
            "(`opendeur db migrate`)"
        )


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _host(request: Request) -> str:
    host = request.headers.get("host", "").strip().lower()
    if host.startswith("["):  # [::1]:8000
        return host[1 : host.find("]")] if "]" in host else ""
    return host.rsplit(":", 1)[0].rstrip(".") if host.count(":") <= 1 else host


def _static_path(root: Path, rel: str) -> tuple[Path | None, bool]:
    """The file for ``rel`` inside ``root``, and whether a trailing slash must be added.

    Refuses ``.``/``..``, hidden names and backslashes outright, then checks that the resolved
    file (symlinks followed) still lies inside the site folder.
    """
    segments = [part for part in rel.split("/") if part]
    if any(part.startswith(".") or "\\" in part or "\x00" in part for part in segments):
        return None, False
    real_root = root.resolve()
    try:
        real = real_root.joinpath(*segments).resolve(strict=True)
    except (OSError, RuntimeError):
        return None, False
    if not real.is_relative_to(real_root):
        return None, False
    if real.is_dir():
        index = (real / "index.html").resolve()
        if not (index.is_file() and index.is_relative_to(real_root)):
            return None, False
        return index, bool(segments) and not rel.endswith("/")
    return (real, False) if real.is_file() else (None, False)


class _SmallFiles:
    """Small built files kept in memory, checked against the file's size and mtime on each use.

    A rebuild swaps in new files (new mtimes), so nothing stale is served; large files are
    left to FileResponse.
    """

    LIMIT = 256 * 1024

    def __init__(self) -> None:
        self._entries: dict[Path, tuple[int, int, bytes, str, str]] = {}
        self._lock = threading.Lock()

    def get(self, path: Path) -> tuple[bytes, str, str] | None:
        try:
            stat = path.stat()
        except OSError:
            return None
        if stat.st_size > self.LIMIT:
            return None
        entry = self._entries.get(path)
        if entry is None or entry[:2] != (stat.st_mtime_ns, stat.st_size):
            try:
                body = path.read_bytes()
            except OSError:
                return None
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if media_type.startswith("text/") or media_type in ("application/xml",):
                media_type += "; charset=utf-8"
            etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
            entry = (stat.st_mtime_ns, stat.st_size, body, media_type, etag)
            with self._lock:
                self._entries[path] = entry
        return entry[2], entry[3], entry[4]


class ThemeSitesApp:
    """The request handlers, holding what ``create_app`` was given."""

    def __init__(
        self,
        db_path: Path,
        sites: Mapping[str, SiteRoot],
        secret: bytes,
        contact: Mapping[str, str],
        clock: Callable[[], datetime],
        limiter: RateLimiter,
    ) -> None:
        self.sites = dict(sites)
        self.by_host = {}
        for site in self.sites.values():
            self.by_host[site.domain.lower()] = site
            self.by_host["www." + site.domain.lower()] = site
        self.secret = secret
        self.contact = dict(contact)
        self.clock = clock
        self.limiter = limiter
        self.connections = _Connections(db_path)
        self.files = _SmallFiles()
        self.write_lock = threading.Lock()
        self.env = Environment(
            loader=TemplateLoader(TEMPLATE_DIR), autoescape=True, undefined=StrictUndefined
        )

    # --- choosing the site ---

    def site_for(self, request: Request) -> tuple[SiteRoot | None, str]:
        """The site a request is for, and the path prefix its links need."""
        slug = request.path_params.get("slug")
        if slug is not None:
            return self.sites.get(slug), f"/s/{slug}"
        host = _host(request)
        if host.endswith(".localhost"):
            # SLUG.localhost reaches 127.0.0.1 in browsers, and keeps the site's links (which
            # start at /) working in local use, unlike the /s/SLUG/ prefix.
            return self.sites.get(host.removesuffix(".localhost")), ""
        return self.by_host.get(host), ""

    # --- pages ---

    def page(self, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("site_title", "")
        html = self.env.get_template(name).render(css=CSS_PATH, **context)
        # Dynamic pages carry a token or what someone typed: never cache them.
        return HTMLResponse(html, status, headers={"cache-control": "no-store"})

    def not_found(self, site: SiteRoot | None) -> Response:
        if site is not None:
            page = site.folder / "404.html"
            if page.is_file():
                return HTMLResponse(page.read_text(encoding="utf-8"), 404)
        return self.page("404.html", 404, site_title=site.title if site else "")

    def contact_context(self, site: SiteRoot, prefix: str) -> dict[str, Any]:
        contact = self.contact
        # The built site's own stylesheet first, so the form looks like the rest of the site.
        has_site_css = (site.folder / "static" / "site.css").is_file()
        phone = contact.get("phone", "")
        days_text = str(contact.get("callback_days", "1")).strip()
        days = int(days_text) if days_text.isdigit() else 1
        return {
            "site_title": site.title or site.domain,
            "organisation": contact.get("organisation") or contact.get("team") or "wij",
            "team": contact.get("team", ""),
            "person": contact.get("person", ""),
            "role": contact.get("role", ""),
            "hours": contact.get("hours", ""),
            "phone": phone,
            "tel": normalise_phone(phone) or re.sub(r"[^0-9+]", "", phone),
            "days": days,
            "home": prefix + "/",
            "site_css": prefix + "/static/site.css" if has_site_css else "",
        }

    def form_page(
        self,
        request: Request,
        site: SiteRoot,
        prefix: str,
        status: int = 200,
        *,
        values: Mapping[str, str] | None = None,
        errors: Mapping[str, str] | None = None,
        notice: str = "",
    ) -> HTMLResponse:
        # Every field has a value and an error text ("" for none): the templates are strict.
        given = values or {"best_time": "maakt-niet-uit"}
        errors = errors or {}
        return self.page(
            "form.html", status, action=request.url.path, honeypot=HONEYPOT, notice=notice,
            token=issue_token(self.secret, site.slug, self.clock()),
            values={field: given.get(field, "") for field in FORM_FIELDS},
            errors={field: errors.get(field, "") for field in FORM_FIELDS},
            error_list=[(field, errors[field]) for field in FORM_FIELDS if errors.get(field)],
            **self.contact_context(site, prefix),
        )  # fmt: skip

    # --- handlers ---

    async def static(self, request: Request) -> Response:
        site, prefix = self.site_for(request)
        rel = request.path_params.get("path", "")
        if site is None:
            if not prefix and rel == "" and _host(request) in LOCAL_HOSTS:
                return self.page("index.html", sites=sorted(self.sites.values(), key=_slug))
            return self.not_found(None)
        path, add_slash = _static_path(site.folder, rel)
        if path is None:
            return self.not_found(site)
        if add_slash:
            # Rebuilt from the cleaned segments, so "//host" can never become the Location.
            location = prefix + "/" + "/".join(p for p in rel.split("/") if p) + "/"
            return RedirectResponse(location, 301)
        cached = self.files.get(path)
        if cached is None:
            return FileResponse(path)
        body, media_type, etag = cached
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers={"etag": etag})
        return Response(body, media_type=media_type, headers={"etag": etag})

    async def slug_root(self, request: Request) -> Response:
        site, prefix = self.site_for(request)
        return RedirectResponse(prefix + "/", 301) if site else self.not_found(None)

    async def go(self, request: Request) -> Response:
        site, _ = self.site_for(request)
        code = request.path_params["code"]
        now = self.clock()

        def lookup_and_count() -> str | None:
            db = self.connections.get()
            target = resolve(db, code)
            # HEAD is what link checkers send; only a real visit (GET) counts.
            if target is not None and request.method == "GET":
                # One writer at a time in this process: SQLite's busy handler would make a
                # waiting thread sleep in steps of up to 50 ms instead.
                with self.write_lock:
                    record_arrival(db, code, arrival_day(now))
            return target

        target = await run_in_threadpool(lookup_and_count)
        if target is None:
            return self.not_found(site)
        return RedirectResponse(target, 302, headers={"cache-control": "no-store"})

    async def css(self, request: Request) -> Response:
        return Response(CSS, media_type="text/css", headers={"cache-control": "max-age=3600"})

    async def callback(self, request: Request) -> Response:
        site, prefix = self.site_for(request)
        if site is None:
            return self.not_found(None)
        if request.method != "POST":
            return self.form_page(request, site, prefix)
        return await self.callback_post(request, site, prefix)

    async def callback_post(self, request: Request, site: SiteRoot, prefix: str) -> Response:
        now = self.clock()
        door = self.contact_context(site, prefix)
        client = request.client.host if request.client else "unknown"
        if not self.limiter.hit(client, now.timestamp()):
            wait = self.limiter.retry_after(client, now.timestamp())
            response = self.page("busy.html", 429, **door)
            response.headers["retry-after"] = str(max(wait, 1))
            return response
        fields = await _form_fields(request)
        if fields is None:
            return self.page("bad.html", 400, **door)
        origin_ok = same_origin(
            request.headers.get("host", ""), request.headers.get("origin"),
            request.headers.get("referer"),
        )  # fmt: skip
        if not (origin_ok and check_token(self.secret, site.slug, fields.get("token", ""), now)):
            return self.form_page(request, site, prefix, 403, notice="expired")
        if is_bot(fields):
            logger.info("Call-back form on %s: honeypot filled in, nothing stored", site.slug)
            return self.page("thanks.html", **door)
        form, errors = validate_form(fields)
        if form is None:
            return self.form_page(request, site, prefix, 422, values=fields, errors=errors)

        def store() -> int:
            return store_request(self.connections.get(), site.slug, form, now)

        await run_in_threadpool(store)
        return self.page("thanks.html", **door)


def _slug(site: SiteRoot) -> str:
    return site.slug


async def _form_fields(request: Request) -> dict[str, str] | None:
    """The posted fields (first value of each name), or None for a body we do not accept."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    try:
        pairs = parse_qsl(
            body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS
        )
    except (UnicodeDecodeError, ValueError):
        return None
    fields: dict[str, str] = {}
    for name, value in pairs:
        fields.setdefault(name, value)
    return fields


def create_app(
    *,
    db_path: Path,
    sites: Mapping[str, SiteRoot],
    secret: bytes,
    contact: Mapping[str, str],
    clock: Callable[[], datetime] = _utc_now,
    limiter: RateLimiter | None = None,
) -> Starlette:
    """The web app for ``sites`` (by slug), reading and writing the database at ``db_path``.

    ``secret`` signs the form tokens (at least 16 bytes); ``contact`` is the open door
    (organisation, team, person, role, hours, phone, callback_days); ``clock`` returns the
    aware current time; ``limiter`` defaults to 5 form posts per 10 minutes per client.
    """
    if len(secret) < 16:
        raise ValueError("the form secret must be at least 16 bytes")
    db_path = Path(db_path)
    _check_database(db_path)
    handlers = ThemeSitesApp(
        db_path,
        sites,
        secret,
        contact,
        clock,
        limiter if limiter is not None else RateLimiter(5, 600.0),
    )
    get = ["GET"]
    routes = [
        Route(CSS_PATH, handlers.css, methods=get),
        Route("/go/{code}", handlers.go, methods=get),
        Route("/terugbellen", handlers.callback, methods=["GET", "POST"]),
        Route("/s/{slug}", handlers.slug_root, methods=get),
        Route("/s/{slug}/go/{code}", handlers.go, methods=get),
        Route("/s/{slug}/terugbellen", handlers.callback, methods=["GET", "POST"]),
        Route("/s/{slug}/{path:path}", handlers.static, methods=get),
        Route("/{path:path}", handlers.static, methods=get),
    ]

    async def server_error(request: Request, exc: Exception) -> Response:
        # This response leaves through ServerErrorMiddleware, outside SecurityHeaders.
        response = handlers.page("error.html", 500)
        response.raw_headers = _secured(response.raw_headers)
        return response

    return Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={Exception: server_error},
    )


def run(app: ASGIApp, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve ``app`` with uvicorn, keeping client addresses out of every log.

    No access log (it would record client addresses), no proxy headers (X-Forwarded-For would
    bring them back), and no Server header.
    """
    import uvicorn

    uvicorn.run(
        app, host=host, port=port, access_log=False, proxy_headers=False, server_header=False
    )


# --- pages (Jinja2 with autoescape; no inline style or script, so the CSP needs no exceptions) ---

TEMPLATE_DIR = Path(__file__).with_name("templates") / "server"


class TemplateLoader(FileSystemLoader):
    """Pages by their short name ("form.html"), stored as ``templates/server/NAME.j2``."""

    def get_source(self, environment: Environment, template: str):  # type: ignore[override]
        return super().get_source(environment, f"{template}.j2")


CSS = (Path(__file__).with_name("static") / "terugbellen.css").read_text(encoding="utf-8")
