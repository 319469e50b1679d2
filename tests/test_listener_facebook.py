"""The Facebook Page listener against a fake Graph API on 127.0.0.1 (no network)."""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime

import pytest
from fake_apis import (
    DUTCH,
    GRAPH_PAGE_ID,
    GRAPH_TOKEN,
    NOW,
    PAGE_REPLY,
    PAGE_TEXTS,
    FakeGraphApi,
    Reply,
    graph_comment,
    graph_error,
    graph_post,
    graph_rate_limited,
)
from pydantic import ValidationError

from listener.api_listeners import SourceNotConfigured, SourceStopped, api_listener_class
from listener.facebook import FacebookPageListener
from listener.pipeline import PostPipeline
from listener.settings import FacebookSource
from opendeur.secrets import Secrets

TOKEN = GRAPH_TOKEN
PAGE_ID = GRAPH_PAGE_ID  # the Page's name in the settings; its numeric id is 104213


def clock() -> datetime:
    return NOW


def make_listener(
    api: FakeGraphApi, sleeps: list[float] | None = None, timeout: float = 5.0,
    token: str = TOKEN, **settings,
) -> FacebookPageListener:  # fmt: skip
    source = FacebookSource(
        type="facebook", purpose="Reacties onder onze eigen Page-berichten", page_id=PAGE_ID,
        api_url=api.url, region="Utrecht", **settings,
    )  # fmt: skip
    secrets = Secrets({"OPENDEUR_FACEBOOK_PAGE_TOKEN": token})
    sleep = sleeps.append if sleeps is not None else pytest.fail
    return FacebookPageListener.from_settings(
        "fb_test", source, secrets, sleep=sleep, timeout=timeout
    )


def texts(pipeline: PostPipeline) -> list[str]:
    return [row["text"] for row in pipeline.db.query("SELECT text FROM posts ORDER BY id")]


def comment_requests(api: FakeGraphApi) -> list:
    return [request for request in api.received if request.path.endswith("/comments")]


def test_listener_facebook_registered_class_is_this_one():
    assert api_listener_class("facebook") is FacebookPageListener


def test_listener_facebook_stores_comments_through_the_pipeline(fake_graph, pipeline):
    counts = make_listener(fake_graph).run(pipeline, {}, clock)

    assert counts["stored"] == 3 and counts["own_page"] == 1 and counts["found"] == 4
    assert counts["page_posts"] == 2 and counts["pages"] == 3
    rows = list(pipeline.db.query("SELECT * FROM posts ORDER BY id"))
    assert {row["source"] for row in rows} == {"fb_test"}
    assert {row["region_hint"] for row in rows} == {"Utrecht"}
    assert rows[0]["published_at"] == "2026-03-01T08:00:00+00:00"
    assert all(row["author_hash"] for row in rows)
    posts_request = fake_graph.received[0]
    assert posts_request.path == f"/v21.0/{PAGE_ID}/posts"
    assert posts_request.query == {
        "fields": "id,created_time",
        "limit": "25",
        "access_token": TOKEN,
    }
    first = comment_requests(fake_graph)[0]
    assert first.path == "/v21.0/104213_1/comments"
    assert first.query == {
        "fields": "id,message,created_time,from",
        "filter": "stream",
        "limit": "100",
        "access_token": TOKEN,
    }


def test_listener_facebook_collects_only_comments_never_page_posts(fake_graph, pipeline):
    make_listener(fake_graph).run(pipeline, {}, clock)
    stored = texts(pipeline)
    assert stored == DUTCH[:3]
    assert not any(page_text in stored for page_text in [*PAGE_TEXTS, PAGE_REPLY])
    assert "message" not in fake_graph.received[0].query["fields"]


def test_listener_facebook_follows_paging_cursors(fake_graph, pipeline):
    fake_graph.page_size = 2
    fake_graph.posts.append(graph_post(3, 10))
    counts = make_listener(fake_graph, max_posts=3).run(pipeline, {}, clock)

    assert counts["stored"] == 3 and counts["page_posts"] == 3
    first_post_comments = [r for r in comment_requests(fake_graph) if "104213_1" in r.path]
    assert len(first_post_comments) == 2
    assert "after" not in first_post_comments[0].query and first_post_comments[1].query["after"]
    posts_requests = [r for r in fake_graph.received if r.path.endswith("/posts")]
    assert len(posts_requests) == 2 and posts_requests[1].query["after"]


def test_listener_facebook_max_posts_limits_the_posts_read(fake_graph, pipeline):
    counts = make_listener(fake_graph, max_posts=1).run(pipeline, {}, clock)
    assert fake_graph.received[0].query["limit"] == "1"
    assert counts["page_posts"] == 1 and counts["stored"] == 3
    assert {r.path for r in comment_requests(fake_graph)} == {"/v21.0/104213_1/comments"}


def test_listener_facebook_since_sent_on_second_run_and_advanced_after_success(
    fake_graph, pipeline
):
    state: dict = {}
    listener = make_listener(fake_graph)
    listener.run(pipeline, state, clock)
    assert state == {"since": "2026-03-01T10:00:00+00:00"}

    fake_graph.comments["104213_1"].append(graph_comment(7, DUTCH[3], 11))
    counts = listener.run(pipeline, state, clock)
    since = int(datetime(2026, 3, 1, 10, tzinfo=UTC).timestamp())
    assert {r.query["since"] for r in comment_requests(fake_graph)[-2:]} == {str(since)}
    # `since` includes its own second: the newest comment comes back and is a duplicate.
    assert counts["stored"] == 1 and counts["duplicate"] == 1
    assert state == {"since": "2026-03-01T11:00:00+00:00"}


def test_listener_facebook_since_not_advanced_when_a_later_request_fails(fake_graph, pipeline):
    fake_graph.queue(None, None, *[graph_error(500, 2, "Service temporarily unavailable")] * 4)
    state = {"since": "2026-02-01T00:00:00+00:00"}
    with pytest.raises(SourceStopped, match="unavailable after 4 attempts"):
        make_listener(fake_graph, sleeps=[]).run(pipeline, state, clock)
    assert state == {"since": "2026-02-01T00:00:00+00:00"}
    assert texts(pipeline) == DUTCH[:3]  # the first post's comments are kept


def test_listener_facebook_non_dutch_comments_are_dropped(fake_graph, pipeline):
    english = "I cannot pay my rent this month and the landlord keeps sending me letters."
    fake_graph.comments["104213_1"].append(graph_comment(8, english, 12))
    counts = make_listener(fake_graph).run(pipeline, {}, clock)
    assert counts["other_language"] == 1 and english not in texts(pipeline)


def test_listener_facebook_graph_version_is_in_the_path(fake_graph, pipeline):
    fake_graph.version = "v22.0"
    make_listener(fake_graph, graph_version="v22.0").run(pipeline, {}, clock)
    assert {r.path.split("/")[1] for r in fake_graph.received} == {"v22.0"}


def test_listener_facebook_invalid_token_stops_naming_the_variable(fake_graph, pipeline):
    with pytest.raises(SourceStopped) as stopped:
        make_listener(fake_graph, token="EAAGexpired0000000000").run(pipeline, {}, clock)
    message = str(stopped.value)
    assert message.startswith("Facebook refused the Page token in OPENDEUR_FACEBOOK_PAGE_TOKEN")
    assert "Invalid OAuth access token" in message and "EAAGexpired" not in message


def test_listener_facebook_401_stops_naming_the_variable(fake_graph, pipeline):
    fake_graph.queue(Reply(401, {"error": {"message": "Session has expired", "code": 463}}))
    with pytest.raises(SourceStopped, match="OPENDEUR_FACEBOOK_PAGE_TOKEN"):
        make_listener(fake_graph).run(pipeline, {}, clock)


def test_listener_facebook_rate_limit_waits_when_short_and_allowed(fake_graph, pipeline):
    fake_graph.queue(None, graph_rate_limited(code=80001, regain_minutes=2))
    sleeps: list[float] = []
    counts = make_listener(fake_graph, sleeps, wait_on_rate_limit=True).run(pipeline, {}, clock)
    assert sleeps == [120.0] and counts["stored"] == 3


@pytest.mark.parametrize(
    ("reply", "wait"),
    [
        (graph_rate_limited(code=32, regain_minutes=2), False),
        (graph_rate_limited(code=4, regain_minutes=30), True),
        (graph_rate_limited(code=17), True),
        (graph_rate_limited(code=613), False),
        (Reply(429, "Too Many Requests", {"Content-Type": "text/plain"}), True),
    ],
    ids=["not_allowed", "too_long", "no_estimate", "code_613", "http_429"],
)
def test_listener_facebook_rate_limit_stops_and_keeps_earlier_comments(
    fake_graph, pipeline, reply, wait
):
    fake_graph.queue(None, None, reply)
    state = {"since": "2026-02-01T00:00:00+00:00"}
    with pytest.raises(SourceStopped, match=r"^rate limited; the next run continues$"):
        make_listener(fake_graph, [], wait_on_rate_limit=wait).run(pipeline, state, clock)
    assert state == {"since": "2026-02-01T00:00:00+00:00"}
    assert texts(pipeline) == DUTCH[:3]


def test_listener_facebook_5xx_is_retried_with_backoff(fake_graph, pipeline):
    fake_graph.queue(
        graph_error(500, 1, "An unknown error has occurred.", is_transient=True),
        Reply(502, "<html><body>Bad Gateway</body></html>", {"Content-Type": "text/html"}),
    )
    sleeps: list[float] = []
    counts = make_listener(fake_graph, sleeps).run(pipeline, {}, clock)
    assert sleeps == [2.0, 4.0] and counts["stored"] == 3


def test_listener_facebook_5xx_gives_up_after_three_retries(fake_graph, pipeline):
    fake_graph.queue(*[Reply(503, "unavailable", {"Content-Type": "text/plain"})] * 4)
    sleeps: list[float] = []
    with pytest.raises(SourceStopped, match="unavailable after 4 attempts"):
        make_listener(fake_graph, sleeps).run(pipeline, {}, clock)
    assert sleeps == [2.0, 4.0, 8.0] and len(fake_graph.received) == 4


def test_listener_facebook_timeout_is_retried(fake_graph, pipeline):
    fake_graph.queue(Reply(delay=1.0))
    sleeps: list[float] = []
    counts = make_listener(fake_graph, sleeps, timeout=0.2).run(pipeline, {}, clock)
    assert sleeps == [2.0] and counts["stored"] == 3


def test_listener_facebook_timeouts_give_up(fake_graph, pipeline):
    fake_graph.queue(*[Reply(delay=0.6)] * 4)
    with pytest.raises(SourceStopped, match=r"after 4 attempts \(ReadTimeout"):
        make_listener(fake_graph, [], timeout=0.1).run(pipeline, {}, clock)


def test_listener_facebook_other_graph_errors_stop(fake_graph, pipeline):
    fake_graph.page_id = "someone-else"
    with pytest.raises(SourceStopped, match=r"Facebook refused the request \(Unsupported get"):
        make_listener(fake_graph, []).run(pipeline, {}, clock)


def test_listener_facebook_from_settings_without_token_is_not_configured():
    source = FacebookSource(type="facebook", purpose="Reacties onder eigen posts", page_id="1")
    with pytest.raises(SourceNotConfigured) as missing:
        FacebookPageListener.from_settings("fb_test", source, Secrets({}))
    assert str(missing.value) == "OPENDEUR_FACEBOOK_PAGE_TOKEN not set"


def test_listener_facebook_settings_max_posts_at_most_100_and_no_wait_by_default():
    settings = {"type": "facebook", "purpose": "Reacties onder eigen posts", "page_id": "1"}
    source = FacebookSource(**settings)
    assert source.max_posts == 25 and source.wait_on_rate_limit is False
    assert FacebookSource(**settings, max_posts=100).max_posts == 100
    with pytest.raises(ValidationError, match="max_posts"):
        FacebookSource(**settings, max_posts=101)


def test_listener_facebook_database_holds_no_author_id_or_comment_url(
    fake_graph, pipeline, db_path
):
    make_listener(fake_graph).run(pipeline, {}, clock)
    assert pipeline.db["posts"].count == 3

    files = [db_path, db_path.with_name(db_path.name + "-wal")]
    data = b"".join(path.read_bytes() for path in files if path.exists())
    for comments in fake_graph.comments.values():
        for item in comments:
            assert item["from"]["id"].encode() not in data
            assert item["id"].encode() not in data
    assert b"Jan Jansen" not in data and b"facebook.com" not in data


def test_listener_facebook_token_is_never_logged(fake_graph, pipeline, caplog):
    with caplog.at_level(logging.DEBUG):
        make_listener(fake_graph).run(pipeline, {}, clock)
        fake_graph.queue(*[Reply(delay=0.6)] * 4)
        with pytest.raises(SourceStopped) as stopped:
            make_listener(fake_graph, [], timeout=0.1).run(pipeline, {}, clock)
    assert "access_token=[REDACTED]" in caplog.text  # urllib3's request lines were masked
    assert TOKEN not in caplog.text and TOKEN not in str(stopped.value)


def test_listener_facebook_connection_error_does_not_reveal_the_token(pipeline):
    with socket.socket() as closed:  # a port that nothing listens on once this block ends
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    source = FacebookSource(
        type="facebook", purpose="Reacties onder eigen posts", page_id=PAGE_ID,
        api_url=f"http://127.0.0.1:{port}",
    )  # fmt: skip
    listener = FacebookPageListener("fb_test", source, TOKEN, sleep=lambda s: None, timeout=1)
    with pytest.raises(SourceStopped) as stopped:
        listener.run(pipeline, {}, clock)
    assert "ConnectionError" in str(stopped.value) and TOKEN not in str(stopped.value)
    assert stopped.value.__cause__ is None and stopped.value.__suppress_context__
