"""Fake X API v2 and Graph API servers for the listener tests: real HTTP on 127.0.0.1.

Each server runs ``http.server.ThreadingHTTPServer`` on port 0 in a thread, answers with the
published request and response shapes (X: developer.x.com recent search reference; Graph:
developers.facebook.com "Using the Graph API", paging and error handling) and records every
request it received, so tests can assert what the listeners sent. ``queue`` puts one-off
answers (errors, slow answers) in front of the normal routing; ``None`` in the queue lets
that request through to the normal routing.

The sample data at the end (tokens, Dutch texts, a Page with comments) is what the
``x_api`` and ``fake_graph`` fixtures in conftest.py serve.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names in lower case


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict or list: JSON; str: sent as it is
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering, to make clients time out


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeApi

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out closed its socket; that is the point of the test


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.server.fake._handle(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class FakeApi:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.queued: list[Reply | None] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def queue(self, *replies: Reply | None) -> None:
        with self._lock:
            self.queued.extend(replies)

    def answer(self, request: Received) -> Reply:
        raise NotImplementedError

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        request = self._request(handler)
        with self._lock:
            self.received.append(request)
            reply = self.queued.pop(0) if self.queued else None
        reply = reply or self.answer(request)
        time.sleep(reply.delay)
        self._send(handler, reply)

    def _request(self, handler: BaseHTTPRequestHandler) -> Received:
        parts = urlsplit(handler.path)
        return Received(
            handler.command,
            parts.path,
            dict(parse_qsl(parts.query, keep_blank_values=True)),
            {name.lower(): value for name, value in handler.headers.items()},
        )

    def _send(self, handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        """Write ``reply``; no body at all when ``reply.body`` is None."""
        if reply.body is None:
            body = b""
        else:
            text = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
            body = text.encode("utf-8")
        try:
            handler.send_response(reply.status)
            headers = {"Content-Type": "application/json; charset=utf-8", **reply.headers}
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


def _cursor(index: int) -> str:
    return base64.urlsafe_b64encode(f"cursor:{index}".encode()).decode().rstrip("=")


def _index(cursor: str) -> int:
    return int(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split(":")[1])


# --- X API v2: GET /2/tweets/search/recent ------------------------------------------------

X_SEARCH_PATH = "/2/tweets/search/recent"
X_TWEET_FIELDS = {
    "attachments", "author_id", "context_annotations", "conversation_id", "created_at",
    "edit_controls", "entities", "geo", "id", "in_reply_to_user_id", "lang", "note_tweet",
    "possibly_sensitive", "public_metrics", "referenced_tweets", "reply_settings", "source",
    "text", "withheld", "edit_history_tweet_ids",
}  # fmt: skip
X_DEFAULT_FIELDS = ("id", "text", "edit_history_tweet_ids")


def x_tweet(
    tweet_id: int, text: str, *, author_id: str = "2244994945", lang: str = "nl",
    created_at: str = "2026-03-02T09:15:00.000Z",
) -> dict[str, Any]:  # fmt: skip
    return {
        "id": str(tweet_id),
        "text": text,
        "created_at": created_at,
        "lang": lang,
        "author_id": author_id,
        "edit_history_tweet_ids": [str(tweet_id)],
    }


def x_problem(status: int, title: str) -> Reply:
    return Reply(status, {"title": title, "type": "about:blank", "status": status, "detail": title})


def x_rate_limited(reset: int) -> Reply:
    problem = x_problem(429, "Too Many Requests")
    problem.headers = {
        "x-rate-limit-limit": "450",
        "x-rate-limit-remaining": "0",
        "x-rate-limit-reset": str(reset),
    }
    return problem


def x_invalid_request(parameter: str, value: str, message: str) -> Reply:
    return Reply(
        400,
        {
            "errors": [{"parameters": {parameter: [value]}, "message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request",
        },
    )


class FakeXApi(FakeApi):
    """Recent search over ``tweets``, newest id first, at most ``page_size`` per page.

    Like X, it refuses a ``start_time`` before ``now`` minus 7 days (when ``now`` is set).
    """

    def __init__(
        self, token: str, tweets: list[dict[str, Any]] = (), page_size: int = 100,
        now: datetime | None = None,
    ):  # fmt: skip
        super().__init__()
        self.token = token
        self.tweets = list(tweets)
        self.page_size = page_size
        self.now = now

    def answer(self, request: Received) -> Reply:
        if request.path != X_SEARCH_PATH:
            return x_problem(404, "Not Found")
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return x_problem(401, "Unauthorized")
        query = request.query
        invalid = self._invalid(query)
        if invalid:
            return invalid
        since = datetime.fromisoformat(query["start_time"]) if "start_time" in query else None
        matching = sorted(  # start_time is inclusive
            (
                t
                for t in self.tweets
                if not since or datetime.fromisoformat(t["created_at"]) >= since
            ),
            key=lambda t: int(t["id"]),
            reverse=True,
        )
        start = _index(query["next_token"]) if "next_token" in query else 0
        page = matching[start : start + min(int(query.get("max_results", 10)), self.page_size)]
        if not page:
            return Reply(200, {"meta": {"result_count": 0}})
        fields = {*X_DEFAULT_FIELDS, *query.get("tweet.fields", "").split(",")}
        meta = {"newest_id": page[0]["id"], "oldest_id": page[-1]["id"], "result_count": len(page)}
        if start + len(page) < len(matching):
            meta["next_token"] = _cursor(start + len(page))
        data = [{k: v for k, v in tweet.items() if k in fields} for tweet in page]
        return Reply(200, {"data": data, "meta": meta})

    def _invalid(self, query: dict[str, str]) -> Reply | None:
        text = query.get("query", "")
        if not 1 <= len(text) <= 512:
            return x_invalid_request("query", text, "query must be 1 to 512 characters long")
        if not 10 <= int(query.get("max_results", 10)) <= 100:
            return x_invalid_request("max_results", query["max_results"], "10 to 100")
        unknown = set(query.get("tweet.fields", "id").split(",")) - X_TWEET_FIELDS
        if unknown:
            return x_invalid_request("tweet.fields", ",".join(unknown), "unknown field")
        start_time = query.get("start_time")
        if start_time is None:
            return None
        if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", start_time):
            return x_invalid_request("start_time", start_time, "expected YYYY-MM-DDTHH:mm:ssZ")
        earliest = self.now - timedelta(days=7) if self.now else None
        if earliest and datetime.fromisoformat(start_time) < earliest:
            return x_invalid_request(
                "start_time",
                start_time,
                f"Invalid 'start_time':'{start_time}'. 'start_time' must be on or after "
                f"{earliest:%Y-%m-%dT%H:%MZ}",
            )
        return None


# --- Graph API: GET /{version}/{page-id}/posts and /{version}/{post-id}/comments ----------


def graph_error(status: int, code: int, message: str, **extra: Any) -> Reply:
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AxYz"}
    return Reply(status, {"error": {**error, **extra}})


def graph_rate_limited(code: int = 32, regain_minutes: int | None = None, status: int = 400):
    reply = graph_error(status, code, f"(#{code}) Page request limit reached")
    if regain_minutes is not None:
        usage = {"type": "pages", "call_count": 100, "total_cputime": 20, "total_time": 35}
        usage["estimated_time_to_regain_access"] = regain_minutes
        reply.headers["x-business-use-case-usage"] = json.dumps({"104213": [usage]})
    return reply


def graph_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


class FakeGraphApi(FakeApi):
    """One Page's ``posts`` edge and each post's ``comments`` edge, with cursor paging."""

    def __init__(
        self, token: str, page_id: str, posts: list[dict[str, Any]],
        comments: dict[str, list[dict[str, Any]]], version: str = "v21.0", page_size: int = 25,
    ):  # fmt: skip
        super().__init__()
        self.token, self.page_id, self.version = token, page_id, version
        self.posts, self.comments, self.page_size = posts, comments, page_size

    def answer(self, request: Received) -> Reply:
        parts = request.path.strip("/").split("/")
        if len(parts) != 3 or parts[0] != self.version:
            return graph_error(400, 2500, f"Unknown path components: {request.path}")
        _, node, edge = parts
        if request.query.get("access_token") != self.token:
            reply = graph_error(400, 190, "Invalid OAuth access token - Cannot parse access token")
            reply.headers["WWW-Authenticate"] = 'OAuth "Facebook Platform" "invalid_token"'
            return reply
        if node == self.page_id and edge == "posts":
            items = sorted(self.posts, key=lambda p: p["created_time"], reverse=True)
        elif edge == "comments" and node in {*self.comments, *(p["id"] for p in self.posts)}:
            items = sorted(self.comments.get(node, []), key=lambda c: c["created_time"])
            if "since" in request.query:
                since = graph_time(datetime.fromtimestamp(int(request.query["since"]), UTC))
                items = [c for c in items if c["created_time"] >= since]
        else:
            return graph_error(400, 100, f"Unsupported get request. Object '{node}' ({edge})")
        return self._page(request, node, edge, items)

    def _page(self, request: Received, node: str, edge: str, items: list[dict]) -> Reply:
        query = request.query
        fields = query.get("fields", "id").split(",")
        known = set().union(*(item.keys() for item in items)) | {"id"}
        if items and set(fields) - known:
            missing = ",".join(sorted(set(fields) - known))
            return graph_error(400, 100, f"(#100) Tried accessing nonexisting field ({missing})")
        start = _index(query["after"]) + 1 if "after" in query else 0
        page = items[start : start + min(int(query.get("limit", 25)), self.page_size)]
        body: dict[str, Any] = {"data": [{f: i[f] for f in fields if f in i} for i in page]}
        if page:
            end = start + len(page) - 1
            body["paging"] = {"cursors": {"before": _cursor(start), "after": _cursor(end)}}
            if end + 1 < len(items):
                following = {**query, "after": _cursor(end)}
                body["paging"]["next"] = f"{self.url}{request.path}?{urlencode(following)}"
        return Reply(200, body)


# --- Sample data, served by the x_api and fake_graph fixtures in conftest.py ----------------

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # when the tests read the fake APIs
X_TOKEN = "x-test-bearer-token-0123456789abcdef"
GRAPH_TOKEN = "EAAGfakePageToken0123456789abcdefZZ"
GRAPH_PAGE_ID = "woonstichtingtest"  # the Page's name in the settings; its numeric id is 104213
DUTCH = [
    "Ik heb deze maand weer een aanmaning gekregen voor de huur en weet niet hoe ik dat betaal.",
    "Sinds mijn uren minder zijn sta ik elke maand rood en de energierekening blijft stijgen.",
    "De deurwaarder stond vanochtend voor de deur, ik schaam me kapot en durf niemand te bellen.",
    "Kun je bij de woningcorporatie een betalingsregeling krijgen voor een achterstand in de huur?",
    "Krap bij kas deze week, de boodschappen worden duurder en mijn salaris komt pas vrijdag.",
    "Na de scheiding lukt het me niet meer om de vaste lasten op tijd te betalen, wat nu?",
]
PAGE_TEXTS = [
    "Heeft u moeite met het betalen van de huur? Bel ons gerust, samen zoeken we een oplossing.",
    "Ons kantoor in de Dorpsstraat is vanaf maandag weer open voor al uw vragen over wonen.",
]
PAGE_REPLY = "Goed dat je het meldt! Stuur ons een bericht, dan kijken we samen naar een regeling."


def graph_post(number: int, day: int) -> dict[str, Any]:
    return {
        "id": f"104213_{number}",
        "created_time": f"2026-02-{day:02d}T10:00:00+0000",
        "message": PAGE_TEXTS[number % 2],
        "permalink_url": f"https://www.facebook.com/104213/posts/{number}",
    }


def graph_comment(number: int, text: str, hour: int, author: str = "5566778899001") -> dict:
    return {
        "id": f"1001_{number}",
        "message": text,
        "created_time": f"2026-03-01T{hour:02d}:00:00+0000",
        "from": {"name": "Jan Jansen", "id": author},
    }


def sample_graph_api() -> FakeGraphApi:
    """Two Page posts: three tenants comment on the first, the Page answers under the second."""
    comments = {
        "104213_1": [graph_comment(i, DUTCH[i], 8 + i, author=f"55667788990{i}") for i in range(3)],
        "104213_2": [graph_comment(9, PAGE_REPLY, 7, author="104213")],
    }
    posts = [graph_post(1, 27), graph_post(2, 20)]
    return FakeGraphApi(GRAPH_TOKEN, GRAPH_PAGE_ID, posts, comments)
