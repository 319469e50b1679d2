"""Fake X API v2 and Graph API servers for the publishing channels: real HTTP on 127.0.0.1.

Built on ``tests/fake_apis.py``: the same ``FakeApi`` base (``ThreadingHTTPServer`` on port 0
in a thread, ``queue`` for one-off answers, ``received`` for what clients sent), with POST and
DELETE added and each request's body kept (:class:`SentRequest`). The answers follow the
published request and response shapes:

- X (developer.x.com / docs.x.com): ``POST /2/tweets`` answers 201 ``{"data": {"id", "text",
  "edit_history_tweet_ids"}}`` with each URL of the text replaced by a t.co link;
  ``DELETE /2/tweets/:id`` answers ``{"data": {"deleted": true}}``; ``GET /2/users/me``;
  ``GET /2/users/:id/tweets`` newest first with ``start_time``, ``max_results`` (5-100),
  ``tweet.fields`` and ``pagination_token``. Errors are problem objects
  (``{"title", "type", "status", "detail"}``); a second post with the same text is refused
  with 403 "You are not allowed to create a Tweet with duplicate content.". Every request must
  carry an OAuth 1.0a ``Authorization: OAuth ...`` header for the configured consumer key
  (and, when the secrets are given, a valid HMAC-SHA1 signature), else 401.
- Graph API (developers.facebook.com, Page feed and "Handling Errors"): ``POST
  /{version}/{page-id}/feed`` with a form ``message``, ``link`` and ``access_token`` answers
  ``{"id": "PAGEID_POSTID"}``; ``GET .../feed`` with ``fields``, ``since``, ``limit`` and
  cursor paging; ``GET /{version}/{page-id}?fields=id,name``; ``POST /{version}/{post-id}``
  changes the message and ``DELETE /{version}/{post-id}`` removes the post, both answering
  ``{"success": true}``. Errors are ``{"error": {"message", "type", "code", "error_subcode",
  "fbtrace_id"}}``: a wrong token is code 190, a repeated message code 506, and since v3.3
  the Post fields ``link``, ``name``, ``caption``, ``description``, ``object_id``, ``source``
  and ``type`` are refused with code 12 (the link of a post is read from ``attachments``).

``on_create`` (both servers) is called with the request after a post is stored and before
the answer is written, so a test can stop the client between the remote effect and its
answer; an exception raised there drops the connection without an answer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import re
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from fake_apis import (
    X_TWEET_FIELDS,
    FakeApi,
    Received,
    Reply,
    _cursor,
    _Handler,
    _index,
    graph_error,
    x_invalid_request,
    x_problem,
)
from oauthlib.oauth1.rfc5849 import signature, utils

# --- the shared part: POST and DELETE, and request bodies ----------------------------------


@dataclass
class SentRequest(Received):
    """A request as the fake received it, with its raw query string and its body."""

    raw_query: str = ""
    body: bytes = b""

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        """The body as an ``application/x-www-form-urlencoded`` form."""
        return dict(parse_qsl(self.text, keep_blank_values=True))


class _PublishHandler(_Handler):
    def do_POST(self) -> None:
        self.server.fake._handle(self)

    def do_DELETE(self) -> None:
        self.server.fake._handle(self)

    def do_PUT(self) -> None:
        self.server.fake._handle(self)


class FakePublishApi(FakeApi):
    """``FakeApi`` answering GET, POST, PUT and DELETE and keeping each request's body.

    ``received`` holds :class:`SentRequest` objects. ``on_create`` is called by subclasses
    once a post is stored, before the answer is written.
    """

    def __init__(self) -> None:
        super().__init__()
        self._server.RequestHandlerClass = _PublishHandler
        self.on_create: Callable[[Received], None] | None = None
        self._state = threading.RLock()  # guards the subclasses' posts

    def answer(self, request: SentRequest) -> Reply:  # type: ignore[override]
        raise NotImplementedError

    def _created(self, request: SentRequest) -> None:
        if self.on_create is not None:
            self.on_create(request)

    def _request(self, handler: BaseHTTPRequestHandler) -> SentRequest:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length > 0 else b""
        parts = urlsplit(handler.path)
        return SentRequest(
            handler.command,
            parts.path,
            dict(parse_qsl(parts.query, keep_blank_values=True)),
            {name.lower(): value for name, value in handler.headers.items()},
            raw_query=parts.query,
            body=body,
        )


def _utc_now() -> datetime:
    return datetime.now(UTC)


# --- X API v2: manage posts, the authenticated user, a user's posts -----------------------

X_OFFICIAL_URL = "https://api.twitter.com"  # what tweepy signs; the channel redirects it
X_USER_ID = "1710000000000000000"
X_USERNAME = "woonstichtingtest"
X_DUPLICATE = "You are not allowed to create a Tweet with duplicate content."
X_TIMELINE_PARAMETERS = {
    "start_time", "end_time", "since_id", "until_id", "max_results", "pagination_token",
    "tweet.fields", "expansions", "media.fields", "place.fields", "poll.fields", "user.fields",
    "exclude",
}  # fmt: skip
X_USER_FIELDS = {
    "affiliation", "confirmed_email", "connection_status", "created_at", "description",
    "entities", "id", "is_identity_verified", "location", "most_recent_tweet_id", "name",
    "parody", "pinned_tweet_id", "profile_banner_url", "profile_image_url", "protected",
    "public_metrics", "receives_your_dm", "subscription", "subscription_type", "url",
    "username", "verified", "verified_followers_count", "verified_type", "withheld",
}  # fmt: skip
_X_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,3})?Z")
_URL = re.compile(r"https?://[^\s]+")
_URL_TRAILING = ".,;:!?'\")]}"
_BASE62 = string.digits + string.ascii_letters


def x_duplicate() -> Reply:
    """X's answer to a post whose text equals one of the account's posts."""
    return Reply(
        403, {"detail": X_DUPLICATE, "type": "about:blank", "title": "Forbidden", "status": 403}
    )


def x_unavailable(status: int = 503) -> Reply:
    return x_problem(status, "Service Unavailable" if status == 503 else "Internal Error")


def x_time(moment: datetime) -> str:
    """X's ``created_at``: UTC with milliseconds, e.g. ``2026-03-02T09:15:00.000Z``."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def t_co(url: str, salt: str) -> str:
    """A t.co link as X makes one for ``url`` in post ``salt``: ten base-62 characters."""
    number = int.from_bytes(hashlib.sha256(f"{salt} {url}".encode()).digest()[:8], "big")
    code = "".join(_BASE62[(number // 62**i) % 62] for i in range(10))
    return f"https://t.co/{code}"


def _x_urls(text: str, post_id: str) -> tuple[str, list[dict[str, Any]]]:
    """``text`` with each URL replaced by a t.co link, and the ``entities.urls`` X gives."""
    parts: list[str] = []
    urls: list[dict[str, Any]] = []
    position = 0  # in ``text``
    length = 0  # of the new text so far, in code points (X's indices)
    for match in _URL.finditer(text):
        url = match.group().rstrip(_URL_TRAILING)
        parts.append(text[position : match.start()])
        length += match.start() - position
        short = t_co(url, post_id)
        display = re.sub(r"^https?://(www\.)?", "", url)
        display = display if len(display) <= 26 else display[:25] + "\u2026"
        urls.append(
            {
                "start": length,
                "end": length + len(short),
                "url": short,
                "expanded_url": url,
                "display_url": display,
            }
        )
        parts.append(short)
        length += len(short)
        position = match.start() + len(url)
    parts.append(text[position:])
    return "".join(parts), urls


class FakeXPublishApi(FakePublishApi):
    """One X account that posts, reads back its own posts and deletes them.

    ``posts`` holds the stored posts as X returns them (``id``, ``text`` with t.co links,
    ``created_at``, ``author_id``, ``edit_history_tweet_ids``, ``entities.urls`` with each
    link's ``expanded_url``), oldest first; ``submitted`` maps each id to the text as it was
    sent; ``deleted`` lists the ids deleted. Ids increase with each post. ``clock`` gives
    ``created_at``. With ``consumer_secret`` and ``access_token_secret`` the OAuth 1.0a
    signature is checked too, against the URL tweepy signs (``signed_url`` plus the path).
    """

    def __init__(
        self,
        consumer_key: str,
        *,
        consumer_secret: str | None = None,
        access_token: str | None = None,
        access_token_secret: str | None = None,
        user_id: str = X_USER_ID,
        username: str = X_USERNAME,
        name: str = "Woonstichting Test",
        first_id: int = 1890000000000000001,
        clock: Callable[[], datetime] = _utc_now,
        signed_url: str = X_OFFICIAL_URL,
    ):
        super().__init__()
        self.consumer_key, self.consumer_secret = consumer_key, consumer_secret
        self.access_token, self.access_token_secret = access_token, access_token_secret
        self.user_id, self.username, self.name = user_id, username, name
        self.clock, self.signed_url = clock, signed_url.rstrip("/")
        self.posts: list[dict[str, Any]] = []
        self.submitted: dict[str, str] = {}
        self.deleted: list[str] = []
        self._ids = itertools.count(first_id, 7)

    def add_post(self, text: str, created_at: datetime | None = None) -> dict[str, Any]:
        """Store a post as if the account had sent ``text`` (at ``created_at``)."""
        with self._state:
            post_id = str(next(self._ids))
            shown, urls = _x_urls(text, post_id)
            post = {
                "id": post_id,
                "text": shown,
                "created_at": x_time(created_at or self.clock()),
                "author_id": self.user_id,
                "edit_history_tweet_ids": [post_id],
                "lang": "nl",
                "entities": {"urls": urls} if urls else {},
            }
            self.posts.append(post)
            self.submitted[post_id] = text
            return post

    def answer(self, request: SentRequest) -> Reply:  # type: ignore[override]
        refused = self._check_auth(request)
        if refused:
            return refused
        path, method = request.path.rstrip("/"), request.method
        if path == "/2/tweets" and method == "POST":
            return self._create(request)
        if (match := re.fullmatch(r"/2/tweets/(\d+)", path)) and method == "DELETE":
            return self._delete(match[1])
        if path == "/2/users/me" and method == "GET":
            return self._me(request)
        if (match := re.fullmatch(r"/2/users/(\d+)/tweets", path)) and method == "GET":
            return self._timeline(request, match[1])
        return x_problem(404, "Not Found")

    def _check_auth(self, request: SentRequest) -> Reply | None:
        header = request.headers.get("authorization", "")
        if not header.startswith("OAuth "):
            return x_problem(401, "Unauthorized")
        oauth = dict(utils.parse_authorization_header(header))
        if oauth.get("oauth_consumer_key") != self.consumer_key:
            return x_problem(401, "Unauthorized")
        if self.access_token is not None and oauth.get("oauth_token") != self.access_token:
            return x_problem(401, "Unauthorized")
        if oauth.get("oauth_signature_method") != "HMAC-SHA1" or "oauth_signature" not in oauth:
            return x_problem(401, "Unauthorized")
        if self.consumer_secret is not None and self.access_token_secret is not None:
            params = signature.collect_parameters(
                uri_query=request.raw_query, headers={"Authorization": header}
            )
            base = signature.signature_base_string(
                request.method,
                signature.base_string_uri(self.signed_url + request.path),
                signature.normalize_parameters(params),
            )
            key = f"{utils.escape(self.consumer_secret)}&{utils.escape(self.access_token_secret)}"
            digest = hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()
            expected = base64.b64encode(digest).decode()
            if utils.unescape(oauth["oauth_signature"]) != expected:
                return x_problem(401, "Unauthorized")
        return None

    def _create(self, request: SentRequest) -> Reply:
        try:
            payload = request.json()
        except ValueError:
            return Reply(
                400,
                {
                    "title": "Invalid Request",
                    "detail": "One or more parameters to your request was invalid.",
                    "type": "https://api.twitter.com/2/problems/invalid-request",
                    "errors": [{"message": "Request body is not valid JSON"}],
                },
            )
        text = payload.get("text") if isinstance(payload, dict) else None
        if not isinstance(text, str) or not text.strip():
            return x_invalid_request("text", str(text), "Post text or media is required")
        with self._state:
            live = {self.submitted[p["id"]] for p in self.posts}
            if text in live:
                return x_duplicate()
            post = self.add_post(text)
        self._created(request)
        data = {"id": post["id"], "text": post["text"], "edit_history_tweet_ids": [post["id"]]}
        return Reply(201, {"data": data})

    def _delete(self, post_id: str) -> Reply:
        with self._state:
            found = [p for p in self.posts if p["id"] == post_id]
            for post in found:
                self.posts.remove(post)
                self.deleted.append(post_id)
        return Reply(200, {"data": {"deleted": bool(found)}})

    def _me(self, request: SentRequest) -> Reply:
        unknown = set(filter(None, request.query.get("user.fields", "").split(","))) - X_USER_FIELDS
        if unknown:
            return x_invalid_request("user.fields", ",".join(sorted(unknown)), "unknown field")
        return Reply(
            200, {"data": {"id": self.user_id, "name": self.name, "username": self.username}}
        )

    def _timeline(self, request: SentRequest, user_id: str) -> Reply:
        query = request.query
        unexpected = sorted(set(query) - X_TIMELINE_PARAMETERS)
        if unexpected:
            parameter = unexpected[0]
            return x_invalid_request(
                parameter,
                query[parameter],
                f"The query parameter [{parameter}] is not one of "
                f"[{','.join(sorted(X_TIMELINE_PARAMETERS))}]",
            )
        if user_id != self.user_id:
            problem = {
                "value": user_id,
                "detail": f"Could not find user with id: [{user_id}].",
                "title": "Not Found Error",
                "resource_type": "user",
                "parameter": "id",
                "resource_id": user_id,
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            }
            return Reply(200, {"errors": [problem]})
        max_results = query.get("max_results", "10")
        if not max_results.isdigit() or not 5 <= int(max_results) <= 100:
            return x_invalid_request(
                "max_results",
                max_results,
                f"The `max_results` query parameter value [{max_results}] is not between 5 and 100",
            )
        fields = set(filter(None, query.get("tweet.fields", "").split(",")))
        if fields - X_TWEET_FIELDS:
            unknown = ",".join(sorted(fields - X_TWEET_FIELDS))
            return x_invalid_request("tweet.fields", unknown, "unknown field")
        bounds = {}
        for name in ("start_time", "end_time"):
            if name in query:
                if not _X_TIME.fullmatch(query[name]):
                    return x_invalid_request(
                        name, query[name], f"Invalid '{name}':'{query[name]}'. expected RFC 3339"
                    )
                bounds[name] = datetime.fromisoformat(query[name])
        with self._state:
            matching = [
                p
                for p in sorted(self.posts, key=lambda p: int(p["id"]), reverse=True)
                if ("start_time" not in bounds  # start_time is inclusive, end_time exclusive
                    or datetime.fromisoformat(p["created_at"]) >= bounds["start_time"])
                and ("end_time" not in bounds
                     or datetime.fromisoformat(p["created_at"]) < bounds["end_time"])
                and ("since_id" not in query or int(p["id"]) > int(query["since_id"]))
                and ("until_id" not in query or int(p["id"]) < int(query["until_id"]))
            ]  # fmt: skip
        start = _index(query["pagination_token"]) if "pagination_token" in query else 0
        page = matching[start : start + int(max_results)]
        if not page:
            return Reply(200, {"meta": {"result_count": 0}})
        shown = {"id", "text", "edit_history_tweet_ids", *fields}
        data = [{k: v for k, v in post.items() if k in shown and v != {}} for post in page]
        meta = {"result_count": len(page), "newest_id": page[0]["id"], "oldest_id": page[-1]["id"]}
        if start + len(page) < len(matching):
            meta["next_token"] = _cursor(start + len(page))
        return Reply(200, {"data": data, "meta": meta})


# --- Graph API: a Page's feed, its posts ----------------------------------------------------

GRAPH_PAGE_ID = "104213"
GRAPH_PAGE_NAME = "Woonstichting Test"
GRAPH_DEPRECATED_POST_FIELDS = (
    "caption", "description", "link", "name", "object_id", "source", "type",
)  # fmt: skip  # refused on /page/feed and posts since v3.3
GRAPH_POST_FIELDS = {
    "id", "message", "created_time", "updated_time", "permalink_url", "attachments",
    "is_published", "status_type", "full_picture", "from", "story", "is_hidden",
}  # fmt: skip
GRAPH_PAGE_FIELDS = {"id", "name", "username", "link", "category", "fan_count", "about"}
GRAPH_ATTACHMENT_FIELDS = {"type", "url", "unshimmed_url", "title", "description", "media"}


def graph_expired_token() -> Reply:
    """Code 190, subcode 463: the Page token has expired."""
    reply = graph_error(
        400,
        190,
        "Error validating access token: Session has expired on Monday, 02-Mar-26 04:00:00 "
        "PST. The current time is Monday, 02-Mar-26 05:00:00 PST.",
        error_subcode=463,
    )
    reply.headers["WWW-Authenticate"] = 'OAuth "Facebook Platform" "invalid_token"'
    return reply


def graph_malformed_token(token: str) -> Reply:
    """Code 190 for a token Graph cannot parse; Graph repeats the token in the message."""
    return graph_error(400, 190, f"Malformed access token {token}")


def graph_duplicate() -> Reply:
    reply = graph_error(400, 506, "(#506) Duplicate status message")
    reply.headers["WWW-Authenticate"] = (
        'OAuth "Facebook Platform" "invalid_request" "(#506) Duplicate status message"'
    )
    return reply


def graph_page_rate_limited(regain_minutes: int, code: int = 32, status: int = 400) -> Reply:
    """A Page rate limit with ``x-page-usage`` saying when calls are allowed again."""
    messages = {
        4: "(#4) Application request limit reached",
        32: "(#32) Page request limit reached",
        80001: "(#80001) There have been too many calls to this Page account. Wait a bit "
        "and try again.",
    }
    reply = graph_error(status, code, messages.get(code, f"(#{code}) Request limit reached"))
    usage = {
        "call_count": 100,
        "total_cputime": 24,
        "total_time": 41,
        "estimated_time_to_regain_access": regain_minutes,
    }
    reply.headers["x-page-usage"] = json.dumps(usage)
    return reply


def graph_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _split_fields(text: str) -> list[tuple[str, str]]:
    """``"id,attachments{url,title}"`` -> ``[("id", ""), ("attachments", "url,title")]``."""
    fields, depth, current = [], 0, ""
    for ch in text + ",":
        if ch == "," and depth == 0:
            if current:
                name, _, inner = current.partition("{")
                fields.append((name.strip(), inner[:-1] if inner.endswith("}") else inner))
            current = ""
            continue
        depth += {"{": 1, "}": -1}.get(ch, 0)
        current += ch
    return fields


def _version(version: str) -> tuple[int, int]:
    major, _, minor = version.lstrip("v").partition(".")
    return int(major), int(minor or 0)


class FakeGraphPublishApi(FakePublishApi):
    """One Facebook Page whose feed can be posted to, read, changed and emptied.

    ``posts`` holds the Page's posts, oldest first, each ``{"id", "message", "link",
    "created_time", "updated_time", "permalink_url"}`` (``link`` as sent; Graph shows it
    through ``attachments``). The token is read from the form body (POST), the
    ``Authorization: Bearer``/``OAuth`` header or the ``access_token`` parameter.
    """

    def __init__(
        self,
        token: str,
        *,
        page_id: str = GRAPH_PAGE_ID,
        page_name: str = GRAPH_PAGE_NAME,
        version: str = "v21.0",
        page_size: int = 25,
        first_id: int = 122100000000000001,
        clock: Callable[[], datetime] = _utc_now,
    ):
        super().__init__()
        self.token, self.page_id, self.page_name = token, page_id, page_name
        self.version, self.page_size, self.clock = version, page_size, clock
        self.posts: list[dict[str, Any]] = []
        self.deleted: list[str] = []
        self._ids = itertools.count(first_id, 3)

    def add_post(
        self, message: str, link: str | None = None, created_at: datetime | None = None
    ) -> dict[str, Any]:
        """Store a post as if the Page had published it."""
        with self._state:
            number = next(self._ids)
            moment = graph_time(created_at or self.clock())
            post = {
                "id": f"{self.page_id}_{number}",
                "message": message,
                "link": link,
                "created_time": moment,
                "updated_time": moment,
                "permalink_url": f"https://www.facebook.com/{self.page_id}/posts/{number}",
            }
            self.posts.append(post)
            return post

    def answer(self, request: SentRequest) -> Reply:  # type: ignore[override]
        parts = request.path.strip("/").split("/")
        if len(parts) not in (2, 3) or parts[0] != self.version:
            return graph_error(400, 2500, f"Unknown path components: {request.path}")
        token = self._token(request)
        if not token:
            return graph_error(400, 104, "An access token is required to request this resource.")
        if token != self.token:
            reply = graph_error(400, 190, "Invalid OAuth access token - Cannot parse access token")
            reply.headers["WWW-Authenticate"] = 'OAuth "Facebook Platform" "invalid_token"'
            return reply
        node, edge = parts[1], parts[2] if len(parts) == 3 else None
        method = request.method
        if node == self.page_id and edge == "feed" and method == "POST":
            return self._publish(request)
        if node == self.page_id and edge == "feed" and method == "GET":
            return self._feed(request)
        if node == self.page_id and edge is None and method == "GET":
            return self._page(request)
        post = self._post(node)
        if post is not None and edge is None:
            if method == "GET":
                return self._fields(request, [post])
            if method == "POST":
                return self._update(request, post)
            if method == "DELETE":
                with self._state:
                    self.posts.remove(post)
                    self.deleted.append(post["id"])
                return Reply(200, {"success": True})
        return graph_error(
            400,
            100,
            f"Unsupported {method.lower()} request. Object with ID '{node}' does not exist, "
            "cannot be loaded due to missing permissions, or does not support this operation. "
            "Please read the Graph API documentation at https://developers.facebook.com/docs/"
            "graph-api",
            error_subcode=33,
            type="GraphMethodException",
        )

    def _token(self, request: SentRequest) -> str | None:
        header = request.headers.get("authorization", "")
        for scheme in ("Bearer ", "OAuth "):
            if header.startswith(scheme):
                return header[len(scheme) :].strip()
        if request.method == "POST" and "access_token" in request.form():
            return request.form()["access_token"]
        return request.query.get("access_token")

    def _post(self, post_id: str) -> dict[str, Any] | None:
        with self._state:
            return next((p for p in self.posts if p["id"] == post_id), None)

    def _publish(self, request: SentRequest) -> Reply:
        form = request.form()
        message, link = form.get("message", ""), form.get("link") or None
        if not message.strip() and not link:
            return graph_error(400, 100, "(#100) Missing message or attachment")
        with self._state:
            if message.strip() and any(p["message"] == message for p in self.posts):
                return graph_duplicate()
            post = self.add_post(message, link)
        self._created(request)
        return Reply(200, {"id": post["id"]})

    def _update(self, request: SentRequest, post: dict[str, Any]) -> Reply:
        form = request.form()
        if "message" not in form:
            return graph_error(400, 100, "(#100) Missing message")
        with self._state:
            post["message"] = form["message"]
            post["updated_time"] = graph_time(self.clock())
        return Reply(200, {"success": True})

    def _page(self, request: SentRequest) -> Reply:
        fields = [name for name, _ in _split_fields(request.query.get("fields", "id,name"))]
        unknown = [f for f in fields if f not in GRAPH_PAGE_FIELDS]
        if unknown:
            return graph_error(
                400, 100, f"(#100) Tried accessing nonexisting field ({unknown[0]}) on node "
                "type (Page)",
            )  # fmt: skip
        page = {"id": self.page_id, "name": self.page_name}
        return Reply(200, {f: page[f] for f in fields if f in page})

    def _feed(self, request: SentRequest) -> Reply:
        query = request.query
        items = sorted(self.posts, key=lambda p: (p["created_time"], p["id"]), reverse=True)
        if "since" in query:
            if not query["since"].lstrip("-").isdigit():
                return graph_error(400, 100, "(#100) The parameter since must be a timestamp")
            since = graph_time(datetime.fromtimestamp(int(query["since"]), UTC))
            items = [p for p in items if p["created_time"] >= since]
        limit = query.get("limit", "25")
        if not limit.isdigit() or not 1 <= int(limit) <= 100:
            return graph_error(400, 100, "(#100) The parameter limit must be between 1 and 100")
        start = _index(query["after"]) + 1 if "after" in query else 0
        page = items[start : start + min(int(limit), self.page_size)]
        reply = self._fields(request, page, many=True)
        if reply.status != 200 or not page:
            return reply
        end = start + len(page) - 1
        reply.body["paging"] = {"cursors": {"before": _cursor(start), "after": _cursor(end)}}
        if end + 1 < len(items):
            following = {**query, "after": _cursor(end)}
            reply.body["paging"]["next"] = f"{self.url}{request.path}?{urlencode(following)}"
        return reply

    def _fields(self, request: SentRequest, posts: list[dict], many: bool = False) -> Reply:
        fields = _split_fields(request.query.get("fields", "created_time,message,id"))
        for name, inner in fields:
            if name in GRAPH_DEPRECATED_POST_FIELDS and _version(self.version) >= (3, 3):
                return graph_error(
                    400, 12, f"(#12) {name} field is deprecated for versions v3.3 and higher"
                )
            if name not in GRAPH_POST_FIELDS and name not in GRAPH_DEPRECATED_POST_FIELDS:
                return graph_error(
                    400, 100, f"(#100) Tried accessing nonexisting field ({name}) on node type "
                    "(PagePost)",
                )  # fmt: skip
            unknown = set(filter(None, inner.split(","))) - GRAPH_ATTACHMENT_FIELDS
            if name == "attachments" and unknown:
                return graph_error(
                    400, 100, f"(#100) Tried accessing nonexisting field ({min(unknown)}) on "
                    "node type (StoryAttachment)",
                )  # fmt: skip
        shown = [self._shown(post, fields) for post in posts]
        return Reply(200, {"data": shown} if many else shown[0])

    def _shown(self, post: dict[str, Any], fields: list[tuple[str, str]]) -> dict[str, Any]:
        shown: dict[str, Any] = {}
        for name, inner in fields:
            if name == "attachments":
                if post["link"]:
                    attachment = {
                        "type": "share",
                        "title": post["link"],
                        "unshimmed_url": post["link"],
                        "url": "https://l.facebook.com/l.php?u="
                        + quote(post["link"], safe="")
                        + "&h=AT0fakeShim",
                    }
                    wanted = set(filter(None, inner.split(","))) or {"type", "title", "url"}
                    shown["attachments"] = {
                        "data": [{k: v for k, v in attachment.items() if k in wanted}]
                    }
            elif name == "link" and post["link"]:
                shown["link"] = post["link"]  # versions before v3.3
            elif name == "is_published":
                shown[name] = True
            elif name == "status_type":
                shown[name] = "shared_story" if post["link"] else "mobile_status_update"
            elif name in post and post[name] is not None:
                shown[name] = post[name]
        return shown


def wait_until(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    """Poll ``condition`` until it holds or ``seconds`` have passed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


__all__ = [
    "FakeGraphPublishApi",
    "FakePublishApi",
    "FakeXPublishApi",
    "GRAPH_PAGE_ID",
    "Reply",
    "SentRequest",
    "X_DUPLICATE",
    "X_USER_ID",
    "graph_duplicate",
    "graph_expired_token",
    "graph_malformed_token",
    "graph_page_rate_limited",
    "graph_time",
    "t_co",
    "wait_until",
    "x_duplicate",
    "x_time",
    "x_unavailable",
]
