"""The WordPress channel against a real WordPress on 127.0.0.1 (Debian's packages)."""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, datetime, timedelta

import pytest
import requests

from campaigns.channel_settings import WordPressChannel
from campaigns.channels import build_channel
from campaigns.channels.base import PermanentError, Post, TemporaryError
from campaigns.channels.wordpress import article_html

pytestmark = [pytest.mark.service, pytest.mark.slow]

BODY = """Een vakantie hoeft niet duur te zijn.

- Kies een weekend dichtbij.
- Zet elke maand wat geld opzij.

Lukt de huur niet? <script>alert(1)</script> Bel ons, we denken mee."""


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x80\x00")) + chunk(b"IEND", b""))  # fmt: skip


def blog(site, tmp_path, password: str | None = None, **values):
    image = tmp_path / "uitgelicht.png"
    image.write_bytes(png())
    settings = WordPressChannel(**{
        "type": "wordpress", "url": site.url, "user": site.user, "category": "Geld en wonen",
        "tags": ["budget"], "featured_image": image, "timeout_seconds": 20, **values,
    })  # fmt: skip
    secrets = {"OPENDEUR_WP_APP_PASSWORD": password or site.app_password}
    return build_channel("blog", settings, secrets.get)


def wp_get(site, path: str):
    session = requests.Session()
    session.trust_env = False
    response = session.get(f"{site.url}/wp-json/wp/v2/{path}", auth=(site.user, site.app_password),
                           timeout=20)  # fmt: skip
    response.raise_for_status()
    return response.json()


def post(key: str, **values) -> Post:
    fields = {"key": key, "title": "Op vakantie zonder geldzorgen", "summary": "Drie tips.",
              "body": BODY, "link": "https://voorbeeld.nl/hulp?utm_source=wordpress",
              "tags": ("vakantie",), "campaign": "zomer"}  # fmt: skip
    return Post(**{**fields, **values})


def test_campaigns_wordpress_publishes_a_post_with_terms_image_and_excerpt(local_wordpress,
                                                                           tmp_path):  # fmt: skip
    channel = blog(local_wordpress, tmp_path)
    receipt = channel.publish(post("a1b2c3d4e5f60718"))
    stored = wp_get(local_wordpress, f"posts/{receipt.remote_id}?context=edit")
    assert stored["status"] == "publish" and not receipt.scheduled
    assert stored["title"]["raw"] == "Op vakantie zonder geldzorgen"
    assert stored["slug"].endswith("-a1b2c3d4e5f60718")
    assert stored["excerpt"]["raw"] == "Drie tips."
    content = stored["content"]["raw"]
    assert "<li>Kies een weekend dichtbij.</li>" in content
    assert "<script>" not in content and "&lt;script&gt;" in content
    assert 'href="https://voorbeeld.nl/hulp?utm_source=wordpress"' in content
    categories = {c["id"]: c["name"] for c in wp_get(local_wordpress, "categories")}
    assert [categories[i] for i in stored["categories"]] == ["Geld en wonen"]
    tags = {t["id"]: t["name"] for t in wp_get(local_wordpress, "tags?per_page=100")}
    assert sorted(tags[i] for i in stored["tags"]) == ["budget", "vakantie"]
    media = wp_get(local_wordpress, f"media/{stored['featured_media']}")
    assert media["mime_type"] == "image/png"
    # A second post reuses the terms instead of creating them again.
    channel.publish(post("0f1e2d3c4b5a6978", title="Nog een artikel"))
    assert [c["name"] for c in wp_get(local_wordpress, "categories")].count("Geld en wonen") == 1


def test_campaigns_wordpress_find_update_and_delete(local_wordpress, tmp_path):
    channel = blog(local_wordpress, tmp_path, featured_image=None)
    since = datetime.now(UTC) - timedelta(minutes=5)
    missing = post("1111222233334444", title="Een ander artikel")
    assert channel.find(missing, since) is None
    sent = channel.publish(post("5555666677778888"))
    found = channel.find(post("5555666677778888"), since)
    assert found is not None and found.remote_id == sent.remote_id
    channel.update(sent.remote_id, post("5555666677778888", summary="Nieuwe samenvatting."))
    stored = wp_get(local_wordpress, f"posts/{sent.remote_id}?context=edit")
    assert stored["excerpt"]["raw"] == "Nieuwe samenvatting."
    channel.delete(sent.remote_id)
    assert channel.find(post("5555666677778888"), since) is None


def test_campaigns_wordpress_schedules_future_posts_on_the_blog(local_wordpress, tmp_path):
    channel = blog(local_wordpress, tmp_path, featured_image=None, schedule_on_blog=True)
    when = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    receipt = channel.publish(post("9999aaaabbbbcccc", publish_at=when))
    assert receipt.scheduled
    stored = wp_get(local_wordpress, f"posts/{receipt.remote_id}?context=edit")
    assert stored["status"] == "future"
    assert stored["date_gmt"] == when.strftime("%Y-%m-%dT%H:%M:%S")


def test_campaigns_wordpress_wrong_password_is_a_permanent_auth_error(local_wordpress, tmp_path):
    channel = blog(local_wordpress, tmp_path, password="abcd efgh ijkl mnop qrst uvwx")
    with pytest.raises(PermanentError) as caught:
        channel.publish(post("dddd000011112222"))
    assert caught.value.kind == "auth"
    assert "abcd efgh" not in str(caught.value)
    assert not channel.health().ok
    assert blog(local_wordpress, tmp_path).health().ok


def test_campaigns_wordpress_invalid_field_is_a_validation_error(local_wordpress, tmp_path):
    channel = blog(local_wordpress, tmp_path, featured_image=None, schedule_on_blog=True)
    with pytest.raises(PermanentError) as caught:
        channel._call("POST", "posts", {"title": "x", "status": "nonsense"})
    assert caught.value.kind == "validation" and "rest_invalid_param" in str(caught.value)


def test_campaigns_wordpress_unreachable_blog_is_temporary(tmp_path):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = WordPressChannel(type="wordpress", url=f"http://127.0.0.1:{port}",
                                user="redactie", timeout_seconds=2)  # fmt: skip
    channel = build_channel("blog", settings, {"OPENDEUR_WP_APP_PASSWORD": "x" * 24}.get)
    with pytest.raises(TemporaryError):
        channel.publish(post("eeee000011112222"))


def test_campaigns_wordpress_article_html_escapes_raw_html():
    html = article_html('<img src=x onerror="alert(1)"> **vet**', "https://v.nl/h?a=1&b=2")
    assert "<img" not in html and "<strong>vet</strong>" in html
    assert 'href="https://v.nl/h?a=1&amp;b=2"' in html
