"""The theme-site server: static sites, /go/ arrivals, the call-back form and its privacy."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from opendeur.store import open_db
from themesites import server as server_module
from themesites.arrivals import arrival_day, record_arrival, resolve
from themesites.callbacks import (
    CallbackForm,
    UnknownCallbackRequest,
    check_token,
    issue_token,
    list_requests,
    mark_handled,
    normalise_phone,
    same_origin,
    store_request,
)
from themesites.ratelimit import RateLimiter
from themesites.server import SECURITY_HEADERS, SecurityHeaders, SiteRoot, create_app

SLUG, DOMAIN = "geldvoorelkaar", "geldvoorelkaar.nl"
ORIGIN = f"http://{DOMAIN}"
SECRET = b"test-secret-of-at-least-16-bytes"
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
CONTACT = {
    "organisation": "Woonstichting Test",
    "team": "het team Huur en Geld",
    "person": "Samira",
    "role": "budgetcoach",
    "hours": "maandag tot vrijdag 9-17 uur",
    "phone": "030 123 4567",
    "callback_days": "1",
}
CONSENT_TEXT = (
    "Ik geef toestemming dat Woonstichting Test mij belt over mijn huur. Mijn gegevens worden "
    "gewist na het gesprek."
)


class Clock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def site_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "sites" / SLUG
    (folder / "a").mkdir(parents=True)
    (folder / "static").mkdir()
    (folder / "index.html").write_text("<h1>Geld voor elkaar</h1>", encoding="utf-8")
    (folder / "404.html").write_text("<h1>Eigen 404 van de site</h1>", encoding="utf-8")
    (folder / "a" / "index.html").write_text("<h1>Pagina A</h1>", encoding="utf-8")
    (folder / "static" / "site.css").write_text("body{}", encoding="utf-8")
    (folder / ".hidden").write_text("verborgen", encoding="utf-8")
    (tmp_path / "sites" / "secret.txt").write_text("GEHEIM", encoding="utf-8")
    return folder


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "test.db"
    open_db(path)
    return path


@pytest.fixture
def db(db_path: Path):
    database = open_db(db_path)
    yield database
    database.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _make_app(db_path: Path, site_folder: Path, clock: Clock, **options) -> Starlette:
    sites = {SLUG: SiteRoot(SLUG, DOMAIN, site_folder, "Geld voor elkaar")}
    return create_app(
        db_path=db_path, sites=sites, secret=SECRET, contact=CONTACT, clock=clock, **options
    )


@pytest.fixture
def app(db_path: Path, site_folder: Path, clock: Clock) -> Starlette:
    return _make_app(db_path, site_folder, clock)


@pytest.fixture
def client(app: Starlette) -> TestClient:
    return TestClient(app, base_url=ORIGIN, follow_redirects=False)


def _link(db, code: str, target: str) -> None:
    """A tracked link, made the way the campaigns package stores it (a content item)."""
    if db.execute("SELECT count(*) FROM campaigns").fetchone()[0] == 0:
        db.execute(
            "INSERT INTO campaigns (id, name, slug, theme, help_page, starts, ends, channels, "
            "message, created_by, created_at, edited_by, edited_at, updated_at) VALUES (1, 'c', "
            "'c', 'feestdagen', 'https://v.nl', '2026-11-01', '2026-12-31', '[\"x\"]', 'm', 'a', "
            "'t', 'a', 't', 't')"
        )
    position = db.execute("SELECT count(*) + 1 FROM content_items").fetchone()[0]
    db.execute(
        "INSERT INTO content_items (campaign_id, position, channel, body, link, tracking_code, "
        "status, updated_at) VALUES (1, ?, 'x', 'b', ?, ?, 'scheduled', 't')",
        [position, target, code],
    )
    db.conn.commit()


def _token(client: TestClient, path: str = "/terugbellen") -> str:
    page = client.get(path)
    assert page.status_code == 200
    return re.search(r'name="token" value="([^"]+)"', page.text).group(1)


def _form(token: str, **fields: str) -> dict[str, str]:
    form = {
        "token": token, "name": "Jan de Vries", "phone": "06-12 34 56 78",
        "best_time": "ochtend", "note": "", "consent": "ja", "website": "",
    }  # fmt: skip
    form.update(fields)
    return form


def _post(client: TestClient, form: dict[str, str], path: str = "/terugbellen", **headers):
    return client.post(path, data=form, headers={"origin": ORIGIN, **headers})


def _requests(db) -> list[tuple]:
    return db.execute("SELECT site, name, phone, best_time, note FROM callback_requests").fetchall()


def _assert_secure(response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, name
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert "set-cookie" not in response.headers


def _raw_get(app: Starlette, path: str, host: str = DOMAIN) -> tuple[int, bytes]:
    """GET ``path`` exactly as given: httpx would clean up ``..`` before sending."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
        "query_string": b"", "headers": [(b"host", host.encode())],
        "client": ("127.0.0.1", 1234), "server": (host, 80),
    }  # fmt: skip
    messages = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        messages.append(message)

    asyncio.run(app(scope, receive, send))
    status = messages[0]["status"]
    return status, b"".join(m.get("body", b"") for m in messages[1:])


# --- static sites ---


def test_themesites_server_serves_site_by_host_with_pretty_urls(client: TestClient):
    home = client.get("/")
    assert home.status_code == 200 and "Geld voor elkaar" in home.text
    assert home.headers["content-type"].startswith("text/html")
    assert client.get("/", headers={"host": f"www.{DOMAIN}"}).text == home.text
    assert client.get("/", headers={"host": f"{DOMAIN.upper()}:8443"}).text == home.text
    assert "Pagina A" in client.get("/a/").text
    assert "Pagina A" in client.get("/a/index.html").text
    slash = client.get("/a")
    assert (slash.status_code, slash.headers["location"]) == (301, "/a/")
    missing = client.get("/bestaat-niet/")
    assert missing.status_code == 404 and "Eigen 404 van de site" in missing.text


def test_themesites_server_serves_site_by_path_prefix_and_slug_localhost(client: TestClient):
    local = {"host": "127.0.0.1:8000"}
    assert "Geld voor elkaar" in client.get(f"/s/{SLUG}/", headers=local).text
    assert "Pagina A" in client.get(f"/s/{SLUG}/a/", headers=local).text
    assert client.get(f"/s/{SLUG}", headers=local).headers["location"] == f"/s/{SLUG}/"
    assert client.get(f"/s/{SLUG}/a", headers=local).headers["location"] == f"/s/{SLUG}/a/"
    assert client.get("/s/onbekend/", headers=local).status_code == 404
    index = client.get("/", headers=local)
    assert index.status_code == 200 and f'href="/s/{SLUG}/"' in index.text
    assert "Pagina A" in client.get("/a/", headers={"host": f"{SLUG}.localhost:8000"}).text


def test_themesites_server_unknown_host_gets_plain_404(client: TestClient):
    response = client.get("/", headers={"host": "andere-site.nl"})
    assert response.status_code == 404 and "Pagina niet gevonden" in response.text
    assert SLUG not in response.text  # a stranger's Host learns nothing of the portfolio


@pytest.mark.parametrize(
    "path",
    [
        f"/s/{SLUG}/../../etc/passwd",
        f"/s/{SLUG}/../secret.txt",
        f"/s/{SLUG}/a/../../secret.txt",
        "/../secret.txt",
        f"/s/{SLUG}/%2e%2e/secret.txt",
        f"/s/{SLUG}/..%2fsecret.txt",
        f"/s/{SLUG}/..%5csecret.txt",
        f"/s/{SLUG}/.hidden",
        f"/s/{SLUG}/%2ehidden",
        f"/s/{SLUG}/a%00/index.html",
        "/%2e%2e/%2e%2e/etc/passwd",
    ],
)
def test_themesites_server_refuses_directory_traversal(app, client, path):
    status, body = _raw_get(app, path)
    assert status == 404
    assert b"GEHEIM" not in body and b"root:" not in body and b"verborgen" not in body
    response = client.get(path)
    assert response.status_code == 404 and "GEHEIM" not in response.text


def test_themesites_server_refuses_symlink_out_of_site(client, site_folder: Path):
    (site_folder / "link.txt").symlink_to(site_folder.parent / "secret.txt")
    assert client.get("/link.txt").status_code == 404


# --- /go/ links and arrivals ---


def test_themesites_server_go_redirects_and_counts_per_amsterdam_day(client, db, clock):
    _link(db, "Abc_12-", "https://www.woonstichting.nl/hulp?utm_source=x")
    first = client.get("/go/Abc_12-")
    assert first.status_code in (302, 303)
    assert first.headers["location"] == "https://www.woonstichting.nl/hulp?utm_source=x"
    assert first.headers["cache-control"] == "no-store"
    client.get(f"/s/{SLUG}/go/Abc_12-")
    assert client.head("/go/Abc_12-").status_code == 302  # link checkers do not count
    clock.now = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)  # 00:30 on the 24th in Amsterdam
    client.get("/go/Abc_12-", headers={"host": "elders.nl"})
    rows = db.execute("SELECT code, day, count FROM arrivals ORDER BY day").fetchall()
    assert rows == [("Abc_12-", "2026-11-23", 2), ("Abc_12-", "2026-11-24", 1)]


@pytest.mark.parametrize(
    "code", ["Zzzzzzz", "abc", "abcdefgh", "abc%27--", "ab%20cdef", "%3Cscr%3E1", "a.b.c.d"]
)
def test_themesites_server_go_unknown_or_garbage_code_is_404(client, db, code):
    _link(db, "Abc_12-", "https://www.woonstichting.nl/hulp")
    response = client.get(f"/go/{code}")
    assert response.status_code == 404 and "Eigen 404 van de site" in response.text
    assert db.execute("SELECT count(*) FROM arrivals").fetchone()[0] == 0


def test_themesites_server_go_refuses_unsafe_targets(client, db):
    _link(db, "jsjsjsj", "javascript:alert(1)")
    _link(db, "slslsls", "//evil.example/x")
    _link(db, "okokoko", "/hulp/")
    assert client.get("/go/jsjsjsj").status_code == 404
    assert client.get("/go/slslsls").status_code == 404
    assert client.get("/go/okokoko").headers["location"] == "/hulp/"


def test_themesites_arrivals_resolve_refuses_malformed_codes_without_querying():
    class NoQueries:
        def execute(self, *args):
            raise AssertionError("queried the database")

    for code in ("", "abc", "abcdefgh", "abc def", "abc/def", "abcdéfg", "' OR 1"):
        assert resolve(NoQueries(), code) is None


def test_themesites_arrivals_record_arrival_takes_days_only(db):
    record_arrival(db, "Abc_12-", date(2026, 1, 2))
    record_arrival(db, "Abc_12-", "2026-01-02")
    assert db.execute("SELECT count FROM arrivals").fetchone()[0] == 2
    with pytest.raises(TypeError):
        record_arrival(db, "Abc_12-", datetime(2026, 1, 2, tzinfo=UTC))
    with pytest.raises(ValueError):
        record_arrival(db, "Abc_12-", "2026-13-01")
    assert arrival_day(datetime(2026, 6, 30, 22, 30, tzinfo=UTC)) == date(2026, 7, 1)
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO arrivals (code, day, count) VALUES ('x', '2026-1-2', 1)")


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(n) for n in range((end - start).days + 1)]


def test_themesites_report_arrivals_weeks_match_isocalendar(db):
    days = _days(date(2026, 12, 20), date(2027, 1, 10)) + _days(
        date(2020, 12, 24), date(2021, 1, 11)
    )
    days += _days(date(2014, 12, 25), date(2015, 1, 6)) + _days(
        date(2009, 12, 26), date(2010, 1, 5)
    )
    days += [date(2024, 1, 1) + timedelta(n * 5) for n in range(400)]
    days = sorted(set(days))
    for n, day in enumerate(days):
        code = f"d{n:06d}"
        _link(db, code, f"https://hulp.nl/{day.isoformat()}")
        record_arrival(db, code, day)
        record_arrival(db, code, day)
    got = {link: week for week, link, arrivals in db.execute("SELECT * FROM report_arrivals")}
    expected = {}
    for day in days:
        year, week, _ = day.isocalendar()
        expected[f"https://hulp.nl/{day.isoformat()}"] = f"{year}-W{week:02d}"
    assert got == expected
    assert got["https://hulp.nl/2026-12-28"] == "2026-W53"
    assert got["https://hulp.nl/2027-01-04"] == "2027-W01"
    assert got["https://hulp.nl/2021-01-03"] == "2020-W53"
    assert {n for _, _, n in db.execute("SELECT * FROM report_arrivals")} == {2}


def test_themesites_report_arrivals_sums_per_target_and_keeps_unknown_codes(db):
    _link(db, "aaaaaaa", "https://hulp.nl/a")
    _link(db, "bbbbbbb", "https://hulp.nl/a")
    for code, day in (
        ("aaaaaaa", "2026-11-16"),
        ("bbbbbbb", "2026-11-22"),
        ("gone123", "2026-11-17"),
    ):
        record_arrival(db, code, day)
    rows = db.execute("SELECT week, link, arrivals FROM report_arrivals ORDER BY link").fetchall()
    assert rows == [("2026-W47", "gone123", 1), ("2026-W47", "https://hulp.nl/a", 2)]


# --- the call-back form ---


def test_themesites_server_callback_form_page(client: TestClient):
    page = client.get("/terugbellen")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    text = " ".join(page.text.split())
    assert CONSENT_TEXT in text
    assert re.search(r'name="token" value="\d+\.[0-9a-f]{64}"', page.text)
    assert 'action="/terugbellen"' in page.text and 'type="checkbox"' in text
    for value in ("ochtend", "middag", "maakt-niet-uit"):
        assert f'value="{value}"' in page.text
    assert "<script" not in page.text and "style=" not in page.text and "<style" not in page.text
    assert '<link rel="stylesheet" href="/static/site.css">' in page.text
    prefixed = client.get(f"/s/{SLUG}/terugbellen", headers={"host": "127.0.0.1"})
    assert f'action="/s/{SLUG}/terugbellen"' in prefixed.text
    assert client.get("/terugbellen", headers={"host": "elders.nl"}).status_code == 404
    css = client.get("/_/terugbellen.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


def test_themesites_server_callback_valid_post_stores_and_confirms(client, db):
    response = _post(client, _form(_token(client), note="Ik heb een vraag over de huur."))
    assert response.status_code == 200
    text = " ".join(response.text.split())
    assert "We bellen je binnen 1 werkdag." in text
    assert "Je spreekt dan Samira, budgetcoach van het team Huur en Geld." in text
    assert "We bellen maandag tot vrijdag 9-17 uur." in text
    assert 'href="tel:+31301234567"' in text
    assert _requests(db) == [
        (SLUG, "Jan de Vries", "+31612345678", "ochtend", "Ik heb een vraag over de huur.")
    ]
    consent_at, created_at = db.execute(
        "SELECT consent_at, created_at FROM callback_requests"
    ).fetchone()
    assert consent_at == created_at == START.isoformat(timespec="seconds")
    assert db.execute("SELECT actor, action FROM callback_access_log").fetchall() == [
        ("formulier", "created")
    ]


def test_themesites_server_callback_via_prefix_and_referer(client, db):
    local = {"host": "127.0.0.1:8000"}
    token = _token(client, f"/s/{SLUG}/terugbellen")
    response = client.post(
        f"/s/{SLUG}/terugbellen", data=_form(token, phone="+31 (0)20 123 4567"),
        headers={**local, "referer": f"http://127.0.0.1:8000/s/{SLUG}/terugbellen"},
    )  # fmt: skip
    assert response.status_code == 200
    assert _requests(db)[0][2] == "+31201234567"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"phone": "12345"}, "phone", "Dit is geen Nederlands telefoonnummer"),
        ({"phone": "0900-1234567"}, "phone", "Dit is geen Nederlands telefoonnummer"),
        ({"phone": ""}, "phone", "Vul je telefoonnummer in."),
        ({"consent": ""}, "consent", "Zonder toestemming mogen we je niet bellen."),
        ({"name": "   "}, "name", "Vul je naam in."),
        ({"name": "x" * 81}, "name", "Je naam is te lang."),
        ({"best_time": "nacht"}, "best_time", "Kies wanneer we je het beste kunnen bellen."),
        ({"note": "x" * 501}, "note", "Je bericht is te lang."),
    ],
)
def test_themesites_server_callback_invalid_input_rerenders_with_messages(
    client, db, fields, field, message
):
    form = _form(_token(client), **fields)
    if field == "consent":
        del form["consent"]
    response = _post(client, form)
    assert response.status_code == 422
    assert message in response.text
    assert re.search(rf'<p class="error" id="{field}-error">', response.text)
    assert re.search(rf'aria-describedby="[^"]*{field}-error', response.text)
    assert _requests(db) == []
    assert 'name="token" value="' in response.text  # a fresh token to try again


def test_themesites_server_callback_rerender_escapes_hostile_input(client, db):
    hostile = '<script>alert("x")</script>'
    form = _form(_token(client), name=hostile, note=f'"><img src=x onerror=alert(1)>{hostile}')
    response = _post(client, {**form, "phone": "nee"})
    assert response.status_code == 422
    assert "<script>" not in response.text and "<img src=x" not in response.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in response.text
    assert _requests(db) == []


def test_themesites_server_callback_bad_tokens_store_nothing(db_path, site_folder, db, clock):
    # Many posts from one client: a roomy limiter, so the tokens are what is tested.
    app = _make_app(db_path, site_folder, clock, limiter=RateLimiter(100, 600.0))
    client = TestClient(app, base_url=ORIGIN, follow_redirects=False)
    token = _token(client)
    issued, signature = token.split(".")
    tampered = f"{issued}.{('0' if signature[0] != '0' else '1')}{signature[1:]}"
    shifted = f"{int(issued) + 60}.{signature}"
    other_site = issue_token(SECRET, "andere-site", START)
    other_secret = issue_token(b"another-secret-of-16-bytes", SLUG, START)
    for bad in ("", "garbage", tampered, shifted, other_site, other_secret, "1.2.3"):
        response = _post(client, _form(bad))
        assert response.status_code in (400, 403), bad
        assert "Dit formulier was verlopen" in response.text
    clock.now = START + timedelta(hours=2, seconds=1)
    assert _post(client, _form(token)).status_code == 403
    assert _requests(db) == []
    clock.now = START + timedelta(hours=1, minutes=59)
    assert _post(client, _form(token)).status_code == 200


def test_themesites_server_callback_refuses_foreign_origin(client, db):
    token = _token(client)
    for headers in ({"origin": "https://evil.example"}, {"origin": "null"},
                    {"referer": "https://evil.example/form"}):  # fmt: skip
        response = client.post("/terugbellen", data=_form(token), headers=headers)
        assert response.status_code == 403
    assert _requests(db) == []
    # Neither header (old browsers, privacy tools): the token alone decides.
    assert client.post("/terugbellen", data=_form(token)).status_code == 200


def test_themesites_server_callback_refuses_other_bodies(client, db):
    token = _token(client)
    as_json = client.post("/terugbellen", json=_form(token), headers={"origin": ORIGIN})
    too_big = _post(client, _form(token, note="x" * 20_000))
    assert (as_json.status_code, too_big.status_code) == (400, 400)
    assert _requests(db) == []


def test_themesites_server_callback_honeypot_thanks_but_stores_nothing(client, db):
    response = _post(client, _form(_token(client), website="http://spam.example"))
    assert response.status_code == 200 and "Bedankt, we bellen je" in response.text
    assert _requests(db) == []
    assert db.execute("SELECT count(*) FROM callback_access_log").fetchone()[0] == 0


def test_themesites_server_callback_rate_limit(client, db, clock):
    token = _token(client)
    for n in range(5):
        assert _post(client, _form(token, name=f"Persoon {n}")).status_code == 200
    limited = _post(client, _form(token, name="Zesde"))
    assert limited.status_code == 429
    assert "Wacht 10 minuten" in limited.text and int(limited.headers["retry-after"]) > 0
    _assert_secure(limited)
    assert len(_requests(db)) == 5
    clock.now = START + timedelta(minutes=10, seconds=1)
    assert _post(client, _form(_token(client), name="Later")).status_code == 200


# --- the staff side ---


def _stored(db, n: int = 1) -> list[int]:
    form = CallbackForm("Jan", "+31612345678", "middag", "Bel na 14 uur")
    return [store_request(db, SLUG, form, START) for _ in range(n)]


def test_themesites_callbacks_mark_handled_purges_and_logs(db):
    first, second = _stored(db, 2)
    shown = list_requests(db, "anna", now=START)
    assert [(r.id, r.name, r.phone) for r in shown] == [
        (first, "Jan", "+31612345678"), (second, "Jan", "+31612345678")
    ]  # fmt: skip
    later = START + timedelta(hours=3)
    assert mark_handled(db, first, "anna", now=later) is True
    row = db.execute(
        "SELECT name, phone, note, best_time, handled_at, handled_by FROM callback_requests "
        "WHERE id = ?", [first],
    ).fetchone()  # fmt: skip
    assert row == (None, None, None, "middag", later.isoformat(timespec="seconds"), "anna")
    assert mark_handled(db, first, "bert", now=later) is False
    with pytest.raises(UnknownCallbackRequest):
        mark_handled(db, 999, "anna", now=later)
    assert [r.id for r in list_requests(db, "bert", now=later)] == [second]
    log = db.execute("SELECT actor, action, request_id FROM callback_access_log ORDER BY id")
    assert log.fetchall() == [
        ("formulier", "created", first), ("formulier", "created", second),
        ("anna", "listed", None), ("anna", "viewed", first), ("anna", "viewed", second),
        ("anna", "handled", first), ("bert", "handled-again", first),
        ("bert", "listed", None), ("bert", "viewed", second),
    ]  # fmt: skip


def test_themesites_callbacks_access_log_is_append_only(db):
    _stored(db)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE callback_access_log SET actor = 'iemand'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM callback_access_log")
    assert db.execute("SELECT count(*) FROM callback_access_log").fetchone()[0] == 1


def test_themesites_callbacks_handled_rows_cannot_keep_personal_data(db):
    (request_id,) = _stored(db)
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "UPDATE callback_requests SET handled_at = 't', handled_by = 'x' WHERE id = ?",
            [request_id],
        )


def test_themesites_store_keeps_no_visitor_data(db):
    columns = {
        table: [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
        for table in ("arrivals", "callback_requests", "callback_access_log")
    }
    assert columns["arrivals"] == ["code", "day", "count"]
    everything = " ".join(name for names in columns.values() for name in names)
    for word in ("ip", "addr", "agent", "cookie", "host", "referer"):
        assert not re.search(rf"\b{word}", everything)


# --- units of the form ---


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("06-12345678", "+31612345678"),
        ("06 12 34 56 78", "+31612345678"),
        ("0612345678", "+31612345678"),
        ("+31 6 12345678", "+31612345678"),
        ("+31612345678", "+31612345678"),
        ("0031 6 1234 5678", "+31612345678"),
        ("+31 (0)6 12345678", "+31612345678"),
        ("020-1234567", "+31201234567"),
        ("020 123 45 67", "+31201234567"),
        ("0111-123456", "+31111123456"),
        ("(030) 123 4567", "+31301234567"),
        ("088 123 4567", "+31881234567"),
        ("085.123.4567", "+31851234567"),
    ],
)
def test_themesites_callbacks_phone_numbers_normalised(raw, e164):
    assert normalise_phone(raw) == e164


@pytest.mark.parametrize(
    "raw",
    ["", "0612345", "061234567890", "+32 6 12345678", "0044 20 1234567", "6 12345678",
     "0012345678", "0800-1234567", "0900 123 4567", "0906-1234567", "066 1234567",
     "097 12345678", "06-1234567a", "06/12345678", "+31 06 1234 5678 9", "٠٦١٢٣٤٥٦٧٨"],
)  # fmt: skip
def test_themesites_callbacks_phone_numbers_refused(raw):
    assert normalise_phone(raw) is None


def test_themesites_callbacks_token_and_origin_checks():
    token = issue_token(SECRET, SLUG, START)
    assert check_token(SECRET, SLUG, token, START + timedelta(hours=2))
    assert not check_token(SECRET, SLUG, token, START + timedelta(hours=2, seconds=1))
    assert not check_token(SECRET, SLUG, token, START - timedelta(minutes=5))
    assert not check_token(SECRET, SLUG + "1", token, START)
    assert not check_token(SECRET, SLUG, token.upper(), START)
    assert same_origin(DOMAIN, ORIGIN, None)
    assert same_origin("127.0.0.1:8000", None, "http://127.0.0.1:8000/s/x/terugbellen")
    assert same_origin(DOMAIN, None, None)
    assert not same_origin(DOMAIN, "https://geldvoorelkaar.nl.evil.example", None)
    assert not same_origin(DOMAIN, "null", f"{ORIGIN}/terugbellen")
    assert not same_origin(DOMAIN, "http://[bad", None)


def test_themesites_ratelimit_limits_prunes_and_is_thread_safe():
    limiter = RateLimiter(3, 10.0)
    assert [limiter.hit("a", 0.0) for _ in range(4)] == [True, True, True, False]
    assert limiter.retry_after("a", 5.0) == 5
    assert limiter.hit("b", 1.0)
    assert limiter.hit("a", 10.5) and len(limiter) == 2
    assert limiter.hit("c", 30.0) and len(limiter) == 1  # a and b forgotten
    assert all(len(key) == 32 and key != b"a" for key in limiter._hits)  # hashes, not addresses

    shared = RateLimiter(50, 60.0)
    results: list[bool] = []
    lock = threading.Lock()

    def hammer() -> None:
        for _ in range(40):
            allowed = shared.hit("same-client", 1.0)
            with lock:
                results.append(allowed)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 50

    bounded = RateLimiter(1, 60.0, max_clients=100)
    for n in range(1_000):
        bounded.hit(f"client-{n}", float(n) / 1000)
    assert len(bounded) <= 100


# --- every response: security headers, no cookies ---


def test_themesites_server_security_headers_on_every_response(app, client, db):
    _link(db, "Abc_12-", "https://hulp.nl/")
    token = _token(client)
    responses = [
        client.get("/"),
        client.head("/a/"),
        client.get("/static/site.css"),
        client.get("/bestaat-niet"),
        client.get("/a"),
        client.get("/go/Abc_12-"),
        client.get("/go/onbekend"),
        client.get("/terugbellen"),
        _post(client, _form(token, phone="x")),
        _post(client, _form("")),
        _post(client, _form(token)),
        client.get("/_/terugbellen.css"),
        client.post("/a/", data={"x": "y"}),
        client.get("/", headers={"host": "elders.nl"}),
        client.get("/", headers={"host": "127.0.0.1"}),
    ]
    statuses = {r.status_code for r in responses}
    assert {200, 301, 302, 403, 404, 405, 422} <= statuses
    for response in responses:
        _assert_secure(response)

    db.execute("DROP TABLE arrivals")  # the next /go/ fails inside the app
    failing = TestClient(app, base_url=ORIGIN, raise_server_exceptions=False)
    error = failing.get("/go/Abc_12-")
    assert error.status_code == 500 and "Er ging iets mis" in error.text
    _assert_secure(error)


def test_themesites_server_security_headers_drop_cookies_set_inside():
    async def sets_cookie(request):
        response = PlainTextResponse("hallo")
        response.set_cookie("tracker", "1")
        return response

    app = Starlette(routes=[Route("/", sets_cookie)], middleware=[Middleware(SecurityHeaders)])
    response = TestClient(app).get("/")
    assert response.status_code == 200 and "set-cookie" not in response.headers
    _assert_secure(response)


# --- building and running ---


def test_themesites_server_create_app_needs_a_migrated_database(tmp_path, site_folder):
    sites = {SLUG: SiteRoot(SLUG, DOMAIN, site_folder)}
    with pytest.raises(FileNotFoundError):
        create_app(db_path=tmp_path / "nee.db", sites=sites, secret=SECRET, contact=CONTACT)
    sqlite3.connect(tmp_path / "leeg.db").execute("CREATE TABLE x (y)").connection.close()
    with pytest.raises(RuntimeError, match="migrations"):
        create_app(db_path=tmp_path / "leeg.db", sites=sites, secret=SECRET, contact=CONTACT)
    with pytest.raises(ValueError, match="secret"):
        create_app(db_path=tmp_path / "leeg.db", sites=sites, secret=b"kort", contact=CONTACT)


def test_themesites_server_run_keeps_addresses_out_of_logs(monkeypatch, app):
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append((args, kwargs)))
    server_module.run(app)
    ((args, kwargs),) = calls
    assert args == (app,)
    assert kwargs["host"] == "127.0.0.1"
    assert kwargs["access_log"] is False and kwargs["proxy_headers"] is False
