"""The WordPress channel: blog posts through the REST API (``/wp-json/wp/v2``).

Logged in with an Application Password (WordPress 5.6+) over HTTP Basic auth.

Why the ``wordpress-api`` package, and how it is used
    The design card names ``wordpress-api`` (1.2.9, 2019). It supports Application Passwords
    only as ``basic_auth=True, user_auth=True, query_string_auth=False`` with ``wp_user`` and
    ``wp_pass``; its default (OAuth 1) and ``basic_auth`` alone put credentials in the URL.
    It raises a bare ``UserWarning`` that includes the request body on any status but
    200–202, so every call passes ``handle_status_codes`` and sorts the answer itself. If
    the package stops working, a thin ``requests`` client with Basic auth is the way out:
    ``_call`` is the one place that would change.

What a post gets: title, content (the body's Markdown as HTML, raw HTML escaped), excerpt
(the summary), the category and tags (created when missing), a featured image (uploaded
once; found again by its file name), and a slug ending in the idempotency key, which is how
``find`` recognises a post after a crash. With ``schedule_on_blog`` the post goes out ahead
of time with status ``future`` and WordPress publishes it at ``date_gmt``.
"""

from __future__ import annotations

import mimetypes
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

import requests
from markdown_it import MarkdownIt
from wordpress import API

from campaigns.channels.base import (
    Channel,
    ChannelError,
    Health,
    PermanentError,
    Post,
    Receipt,
    TemporaryError,
)
from campaigns.links import slugify

HANDLED = [400, 401, 403, 404, 409, 410, 413, 415, 429, 500, 501, 502, 503, 504]
POST_STATUSES = "publish,future,draft,pending,private"
IMAGE_TYPES = {"image/png", "image/jpeg", "image/webp", "image/gif"}
LINK_TEXT = "Lees verder en neem contact op"


def article_html(body: str, link: str) -> str:
    """The body's Markdown as HTML, raw HTML shown as text, ending with the tracked link."""
    html = MarkdownIt("commonmark", {"html": False}).render(body.strip())
    if link not in body:
        html += f'<p><a href="{escape(link)}">{LINK_TEXT}</a></p>\n'
    return html


class WordPressBlog(Channel):
    type = "wordpress"

    def __init__(self, name: str, settings: Any, secret: Any):
        super().__init__(name, settings, secret)
        self._api: API | None = None
        self._terms: dict[tuple[str, str], int] = {}

    @property
    def api(self) -> API:
        if self._api is None:
            password = self.require_secret(self.settings.password_env, "the Application Password")
            self._api = API(
                url=self.settings.url,
                consumer_key="",
                consumer_secret="",
                api="wp-json",
                version="wp/v2",
                wp_user=self.settings.user,
                wp_pass=password,
                basic_auth=True,
                user_auth=True,
                query_string_auth=False,
                timeout=self.settings.timeout_seconds,
            )
        return self._api

    def request(self, post: Post) -> dict[str, Any]:
        if not post.title:
            raise PermanentError(f"channel {self.name}: a blog post needs a title")
        fields: dict[str, Any] = {
            "title": post.title,
            "content": article_html(post.body, post.link),
            "excerpt": post.summary or "",
            "slug": f"{slugify(post.title)}-{post.key}",
            "status": "publish",
        }
        if self.settings.schedule_on_blog and post.publish_at is not None:
            fields["status"] = "future"
            fields["date_gmt"] = post.publish_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        terms = {
            "category": self.settings.category or None,
            "tags": [*self.settings.tags, *post.tags],
        }
        image = self.settings.featured_image
        return {
            "method": "POST",
            "path": "/wp-json/wp/v2/posts",
            "json": fields,
            "terms": terms,
            "featured_image": str(image) if image else None,
        }

    def publish(self, post: Post) -> Receipt:
        fields = self._fields(post)
        answer = self._call("POST", "posts", fields)
        return self._receipt(answer)

    def update(self, remote_id: str, post: Post) -> Receipt:
        answer = self._call("POST", f"posts/{int(remote_id)}", self._fields(post))
        return self._receipt(answer)

    def delete(self, remote_id: str) -> None:
        self._call("DELETE", f"posts/{int(remote_id)}?force=true")

    def find(self, post: Post, since: datetime) -> Receipt | None:
        slug = self.request(post)["json"]["slug"]
        found = self._call("GET", f"posts?slug={slug}&status={POST_STATUSES}&context=edit")
        return self._receipt(found[0]) if isinstance(found, list) and found else None

    def health(self) -> Health:
        try:
            me = self._call("GET", "users/me?context=edit")
        except ChannelError as error:
            return Health(False, str(error))
        capabilities = me.get("capabilities") or {}
        if capabilities and not capabilities.get("publish_posts"):
            return Health(False, f"user {me.get('slug')} may not publish posts; make them author")
        return Health(True, f"logged in to {self.settings.url} as {me.get('slug')}")

    # -- the parts of a post -------------------------------------------------------------

    def _fields(self, post: Post) -> dict[str, Any]:
        request = self.request(post)
        fields = dict(request["json"])
        terms = request["terms"]
        if terms["category"]:
            fields["categories"] = [self._term("categories", terms["category"])]
        if terms["tags"]:
            fields["tags"] = [self._term("tags", tag) for tag in dict.fromkeys(terms["tags"])]
        if self.settings.featured_image:
            fields["featured_media"] = self._featured_media(post.key)
        return fields

    def _term(self, taxonomy: str, name: str) -> int:
        """The id of the category or tag ``name``, created when the blog lacks it."""
        cache_key = (taxonomy, name.casefold())
        if cache_key not in self._terms:
            slug = slugify(name)
            found = self._call("GET", f"{taxonomy}?slug={slug}")
            if isinstance(found, list) and found:
                self._terms[cache_key] = int(found[0]["id"])
            else:
                created = self._call("POST", taxonomy, {"name": name, "slug": slug})
                self._terms[cache_key] = int(created["id"])
        return self._terms[cache_key]

    def _featured_media(self, key: str) -> int:
        path = Path(self.settings.featured_image)
        media_type = mimetypes.guess_type(path.name)[0]
        if media_type not in IMAGE_TYPES:
            raise PermanentError(
                f"channel {self.name}: featured_image {path} is not a PNG, JPEG, WebP or GIF",
                "config",
            )
        slug = f"opendeur-{key}"
        found = self._call("GET", f"media?slug={slug}")
        if isinstance(found, list) and found:  # uploaded before a crash or a failed post
            return int(found[0]["id"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise PermanentError(
                f"channel {self.name}: cannot read featured_image {path}: {error.strerror}",
                "config",
            ) from None
        headers = {
            "Content-Type": media_type,
            "Content-Disposition": f'attachment; filename="{slug}{path.suffix}"',
        }
        created = self._call("POST", "media", data, headers=headers)
        return int(created["id"])

    def _receipt(self, answer: dict[str, Any]) -> Receipt:
        return Receipt(str(answer["id"]), answer.get("link"), answer.get("status") == "future")

    def _call(
        self, method: str, endpoint: str, data: Any = None, headers: dict[str, str] | None = None
    ) -> Any:
        """One REST call; the answer's JSON, or a ChannelError of the right kind."""
        extra: dict[str, Any] = {"handle_status_codes": HANDLED}
        if headers:
            extra["headers"] = {"Accept": "application/json", **headers}
        try:
            if method == "GET":
                response = self.api.get(endpoint, **extra)
            elif method == "DELETE":
                response = self.api.delete(endpoint, **extra)
            else:
                response = self.api.post(endpoint, data, **extra)
        except (requests.Timeout, requests.ConnectionError) as error:
            raise TemporaryError(
                f"channel {self.name}: no answer from {self.settings.url} ({type(error).__name__})"
            ) from None
        except UserWarning:  # a status outside HANDLED; the library's text holds the body
            raise TemporaryError(f"channel {self.name}: unexpected answer from WordPress") from None
        try:
            answer = response.json()
        except ValueError:
            answer = None
        status = response.status_code
        if status < 400 and answer is not None:
            return answer
        raise self._error(status, answer if isinstance(answer, dict) else {}, response)

    def _error(
        self, status: int, answer: dict[str, Any], response: requests.Response
    ) -> ChannelError:
        code = str(answer.get("code") or "")
        text = f"channel {self.name}: WordPress answered {status}"
        if answer.get("message"):
            text += f": {answer['message']}"
        if code:
            text += f" ({code})"
        if status == 429:
            retry = response.headers.get("Retry-After", "")
            return TemporaryError(text, "rate_limit", float(retry) if retry.isdigit() else None)
        if status in (401, 403):
            return PermanentError(
                text + f"; check the Application Password in {self.settings.password_env} and "
                "that the user may publish",
                "auth",
            )
        if status >= 500 or not answer:
            return TemporaryError(text)
        if code in ("rest_post_exists", "term_exists"):
            return PermanentError(text, "duplicate")
        return PermanentError(text)
