"""The local WordPress of tests/wordpress_service.py answers the REST API as a real site does.

These tests use plain ``requests`` with HTTP Basic auth and an Application Password, the way
opendeur's campaign publisher talks to a production WordPress.
"""

from __future__ import annotations

import socket
import struct
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
import wordpress_service
from wordpress_service import LocalWordPress, WordPressUnavailable

pytestmark = [pytest.mark.service, pytest.mark.slow]


def _tiny_png() -> bytes:
    """A valid 1x1 PNG (WordPress checks the real type of an upload, not only its name)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\x80\x00")  # filter byte + one orange pixel
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _session(auth: tuple[str, str] | None = None) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment for 127.0.0.1
    session.auth = auth
    return session


def _run_pids(workdir: Path) -> set[int]:
    """Live processes whose command line names this run's work directory."""
    pids = set()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if str(workdir).encode() in cmdline:
            pids.add(int(proc.name))
    return pids


def _answers(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def wordpress(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalWordPress]:
    with LocalWordPress(tmp_path_factory.mktemp("wordpress")) as site:
        yield site


@pytest.fixture
def api(wordpress: LocalWordPress) -> requests.Session:
    return _session((wordpress.user, wordpress.app_password))


def test_application_password_authenticates(wordpress: LocalWordPress, api: requests.Session):
    response = api.get(f"{wordpress.url}/wp-json/wp/v2/users/me", timeout=30)
    assert response.status_code == 200, response.text
    assert response.json()["slug"] == wordpress.user
    assert wordpress.url.startswith("http://127.0.0.1:")


def test_wrong_password_is_refused(wordpress: LocalWordPress):
    wrong = _session((wordpress.user, "abcd efgh ijkl mnop qrst uvwx"))
    response = wrong.get(f"{wordpress.url}/wp-json/wp/v2/users/me", timeout=30)
    assert response.status_code == 401, response.text


def test_publish_post(wordpress: LocalWordPress, api: requests.Session):
    response = api.post(
        f"{wordpress.url}/wp-json/wp/v2/posts",
        json={
            "title": "Huur betalen lukt niet?",
            "content": "<p>Bel ons.</p>",
            "status": "publish",
        },
        timeout=30,
    )
    assert response.status_code == 201, response.text
    post = response.json()
    assert post["status"] == "publish"
    assert post["title"]["raw"] == "Huur betalen lukt niet?"
    # The plain-permalink route reaches the same post.
    again = api.get(f"{wordpress.url}/?rest_route=/wp/v2/posts/{post['id']}", timeout=30)
    assert again.status_code == 200, again.text


def test_upload_media_and_fetch_it(wordpress: LocalWordPress, api: requests.Session):
    png = _tiny_png()
    response = api.post(
        f"{wordpress.url}/wp-json/wp/v2/media",
        data=png,
        headers={"Content-Type": "image/png", "Content-Disposition": "attachment; filename=x.png"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    media = response.json()
    assert media["mime_type"] == "image/png"
    assert media["source_url"].startswith(f"{wordpress.url}/wp-content/uploads/")

    fetched = _session().get(media["source_url"], timeout=30)
    assert fetched.status_code == 200
    assert fetched.content == png
    assert fetched.headers["Content-Type"].startswith("image/png")

    # Usable as a featured image.
    post = api.post(
        f"{wordpress.url}/wp-json/wp/v2/posts",
        json={"title": "Met beeld", "status": "draft", "featured_media": media["id"]},
        timeout=30,
    )
    assert post.status_code == 201, post.text
    assert post.json()["featured_media"] == media["id"]


def test_create_category(wordpress: LocalWordPress, api: requests.Session):
    response = api.post(
        f"{wordpress.url}/wp-json/wp/v2/categories", json={"name": "Huurschuld"}, timeout=30
    )
    assert response.status_code == 201, response.text
    assert response.json()["slug"] == "huurschuld"


def test_schedule_post(wordpress: LocalWordPress, api: requests.Session):
    when = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    response = api.post(
        f"{wordpress.url}/wp-json/wp/v2/posts",
        json={
            "title": "Later",
            "content": "Gepland bericht",
            "status": "future",
            "date_gmt": when.strftime("%Y-%m-%dT%H:%M:%S"),
        },
        timeout=30,
    )
    assert response.status_code == 201, response.text
    post = response.json()
    assert post["status"] == "future"
    assert post["date_gmt"] == when.strftime("%Y-%m-%dT%H:%M:%S")


def test_stop_leaves_nothing_behind(tmp_path: Path):
    site = LocalWordPress(tmp_path).start()
    try:
        port = int(site.url.rsplit(":", 1)[1])
        pids = _run_pids(tmp_path)
        assert len(pids) >= 2  # mariadbd and php -S (with its workers)
        assert _answers(port)
    finally:
        site.stop()

    assert not _answers(port)
    # Not even zombies: the pids are gone from /proc altogether.
    assert not [pid for pid in pids if Path(f"/proc/{pid}").exists()]
    site.stop()  # idempotent


def test_failed_start_explains_and_cleans_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # Fail after MariaDB is up, so that start() has a running server to clean up.
    monkeypatch.setattr(
        wordpress_service, "_INSTALL", "<?php fwrite(STDERR, 'install broke'); exit(5);"
    )
    site = LocalWordPress(tmp_path)
    with pytest.raises(
        WordPressUnavailable, match=r"(?s)installing WordPress failed.*install broke"
    ):
        site.start()
    assert not _run_pids(tmp_path)
    site.stop()  # still fine after a failed start
