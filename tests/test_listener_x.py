"""The X recent-search listener against a fake X API v2 on 127.0.0.1 (no network)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest
from fake_apis import (
    DUTCH,
    NOW,
    X_TOKEN,
    FakeXApi,
    Reply,
    x_invalid_request,
    x_problem,
    x_rate_limited,
    x_tweet,
)
from pydantic import ValidationError
from sqlite_utils import Database

from listener.api_listeners import SourceNotConfigured, SourceStopped, api_listener_class
from listener.runs import load_state, save_state
from listener.settings import XSource
from listener.x import MAX_QUERY_LENGTH, XRecentSearchListener, build_query, load_query_terms
from opendeur.secrets import Secrets

TOKEN = X_TOKEN
ENGLISH = "I cannot pay my rent this month and the landlord keeps sending me letters about it."


def clock() -> datetime:
    return NOW


def tweets(count: int, first_id: int = 1790000000000000001) -> list[dict]:
    """``count`` Dutch tweets, one a minute from 09:15 on 2 March, ids rising with time."""
    return [
        x_tweet(first_id + i, DUTCH[i], author_id=f"99887766{i}", created_at=x_time(15 + i))
        for i in range(count)
    ]


def x_time(minute: int) -> str:
    return f"2026-03-02T09:{minute:02d}:00.000Z"


def make_listener(
    api: FakeXApi, sleeps: list[float] | None = None, timeout: float = 5.0, **settings
) -> XRecentSearchListener:
    source = XSource(
        type="x", purpose="Signalen over geldzorgen in de regio", api_url=api.url,
        region="Utrecht", **settings,
    )  # fmt: skip
    secrets = Secrets({"OPENDEUR_X_BEARER_TOKEN": TOKEN})
    sleep = sleeps.append if sleeps is not None else pytest.fail
    return XRecentSearchListener.from_settings(
        "x_test", source, secrets, sleep=sleep, timeout=timeout
    )


def stored(db: Database) -> int:
    return db["posts"].count


def test_listener_x_registered_class_is_this_one():
    assert api_listener_class("x") is XRecentSearchListener


def test_listener_x_stores_posts_through_the_pipeline(x_api, pipeline):
    x_api.tweets = tweets(3)
    counts = make_listener(x_api).run(pipeline, {}, clock)

    assert counts == {"found": 3, "stored": 3, "pages": 1}
    rows = list(pipeline.db.query("SELECT * FROM posts ORDER BY published_at"))
    assert [row["source"] for row in rows] == ["x_test"] * 3
    assert {row["region_hint"] for row in rows} == {"Utrecht"}
    assert rows[0]["published_at"] == "2026-03-02T09:15:00+00:00"
    assert all(row["author_hash"] and row["language"] == "nl" for row in rows)
    (request,) = x_api.received
    assert request.path == "/2/tweets/search/recent"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.query["max_results"] == "100"
    assert {"created_at", "lang", "author_id"} <= set(request.query["tweet.fields"].split(","))
    assert request.query["query"].endswith(") lang:nl -is:retweet")
    assert not {"start_time", "since_id", "next_token"} & set(request.query)


def test_listener_x_empty_result_stores_nothing_and_keeps_state(x_api, pipeline):
    state = {"newest_time": "2026-03-02T10:00:00+00:00"}
    counts = make_listener(x_api).run(pipeline, state, clock)
    assert counts == {"pages": 1}
    assert state == {"newest_time": "2026-03-02T10:00:00+00:00"}


def test_listener_x_follows_next_token(x_api, pipeline):
    x_api.tweets, x_api.page_size = tweets(5), 2
    counts = make_listener(x_api).run(pipeline, {}, clock)

    assert counts["pages"] == 3 and counts["stored"] == 5
    tokens = [request.query.get("next_token") for request in x_api.received]
    assert tokens[0] is None and tokens[1] and tokens[2] and tokens[1] != tokens[2]
    assert len({request.query["query"] for request in x_api.received}) == 1


def test_listener_x_stops_at_max_pages(x_api, pipeline):
    x_api.tweets, x_api.page_size = tweets(5), 2
    state: dict = {}
    counts = make_listener(x_api, max_pages=2).run(pipeline, state, clock)
    assert counts["pages"] == 2 and counts["stored"] == 4 and counts["pages_left"] == 1
    assert state == {"newest_time": "2026-03-02T09:19:00+00:00"}


def test_listener_x_start_time_sent_on_second_run_and_advanced_after_success(x_api, pipeline):
    x_api.tweets = tweets(2)
    state: dict = {}
    listener = make_listener(x_api)
    listener.run(pipeline, state, clock)
    assert state == {"newest_time": "2026-03-02T09:16:00+00:00"}

    x_api.tweets = tweets(4)
    counts = listener.run(pipeline, state, clock)
    assert x_api.received[-1].query["start_time"] == "2026-03-02T09:16:00Z"
    # start_time includes its own second: the first run's newest post comes back.
    assert counts["found"] == 3 and counts["stored"] == 2 and counts["duplicate"] == 1
    assert state == {"newest_time": "2026-03-02T09:18:00+00:00"}
    assert not any(tweet["id"] in json.dumps(state) for tweet in x_api.tweets)
    assert not any("since_id" in request.query for request in x_api.received)


def test_listener_x_state_holds_no_tweet_id_not_even_an_old_since_id(x_api, pipeline):
    x_api.tweets, x_api.page_size = tweets(5), 2
    state = {"since_id": "1790000000000000000"}  # as the first version of the listener saved
    make_listener(x_api).run(pipeline, state, clock)
    assert state == {"newest_time": "2026-03-02T09:19:00+00:00"}
    assert not any(tweet["id"] in json.dumps(state) for tweet in x_api.tweets)
    assert "since_id" not in x_api.received[0].query


def test_listener_x_newest_time_not_advanced_when_a_later_page_fails(x_api, pipeline):
    x_api.tweets, x_api.page_size = tweets(4), 2
    x_api.queue(None, *[x_problem(503, "Service Unavailable")] * 4)
    state = {"newest_time": "2026-03-02T08:00:00+00:00"}
    with pytest.raises(SourceStopped, match="unavailable after 4 attempts"):
        make_listener(x_api, sleeps=[]).run(pipeline, state, clock)
    assert state == {"newest_time": "2026-03-02T08:00:00+00:00"}
    assert stored(pipeline.db) == 2  # the first page is kept


@pytest.mark.parametrize(
    ("saved", "sent", "clamped"),
    [
        ("2026-02-20T09:00:00+00:00", "2026-02-23T12:01:00Z", 1),
        ("2026-02-23T12:00:59+00:00", "2026-02-23T12:01:00Z", 1),
        ("2026-02-23T12:01:00+00:00", "2026-02-23T12:01:00Z", 0),
        ("2026-02-25T07:30:00+00:00", "2026-02-25T07:30:00Z", 0),
    ],
    ids=["days_too_old", "just_too_old", "just_in_window", "in_window"],
)
def test_listener_x_start_time_is_kept_within_the_last_7_days(
    x_api, pipeline, saved, sent, clamped
):
    x_api.tweets = tweets(2)
    state = {"newest_time": saved}
    counts = make_listener(x_api).run(pipeline, state, clock)
    assert x_api.received[0].query["start_time"] == sent  # NOW is 2026-03-02 12:00 UTC
    assert counts["start_time_clamped"] == clamped and counts["stored"] == 2
    assert state == {"newest_time": "2026-03-02T09:16:00+00:00"}


def test_listener_x_rejected_search_stops_with_the_api_message(x_api, pipeline):
    x_api.tweets = tweets(1)
    x_api.queue(x_invalid_request("query", "(", "There were errors processing your request"))
    with pytest.raises(SourceStopped, match=r"^X rejected the search: There were errors"):
        make_listener(x_api).run(pipeline, {}, clock)


def test_listener_x_skips_non_dutch_tweets(x_api, pipeline):
    x_api.tweets = [*tweets(2), x_tweet(1790000000000000009, ENGLISH, lang="en")]
    counts = make_listener(x_api).run(pipeline, {}, clock)
    assert counts["found"] == 3 and counts["other_language"] == 1 and counts["stored"] == 2
    assert not list(pipeline.db.query("SELECT 1 FROM posts WHERE text LIKE '%rent%'"))


def test_listener_x_401_stops_naming_the_variable(x_api, pipeline):
    source = XSource(type="x", purpose="Signalen over geldzorgen", api_url=x_api.url)
    listener = XRecentSearchListener("x_test", source, "wrong-token", sleep=pytest.fail)
    with pytest.raises(SourceStopped) as stopped:
        listener.run(pipeline, {}, clock)
    assert str(stopped.value) == ("X refused the bearer token in OPENDEUR_X_BEARER_TOKEN (401)")
    assert x_api.received[0].headers["authorization"] == "Bearer wrong-token"


def test_listener_x_429_waits_when_allowed(x_api, pipeline):
    x_api.tweets = tweets(2)
    x_api.queue(x_rate_limited(reset=int(NOW.timestamp()) + 120))
    sleeps: list[float] = []
    state: dict = {}
    counts = make_listener(x_api, sleeps, wait_on_rate_limit=True).run(pipeline, state, clock)
    assert sleeps == [121]  # one second past the reset
    assert counts["stored"] == 2 and state == {"newest_time": "2026-03-02T09:16:00+00:00"}
    assert len(x_api.received) == 2


@pytest.mark.parametrize(
    ("allowed", "wait"), [(False, 120), (True, 16 * 60)], ids=["not_allowed", "too_long"]
)
def test_listener_x_429_stops_and_keeps_earlier_pages(x_api, pipeline, allowed, wait):
    x_api.tweets, x_api.page_size = tweets(4), 2
    reset = int(NOW.timestamp()) + wait
    x_api.queue(None, x_rate_limited(reset))
    state = {"newest_time": "2026-03-02T08:00:00+00:00"}
    listener = make_listener(x_api, sleeps=[], wait_on_rate_limit=allowed)
    with pytest.raises(SourceStopped) as stopped:
        listener.run(pipeline, state, clock)
    until = datetime.fromtimestamp(reset, UTC).strftime("%H:%M")
    assert str(stopped.value) == f"rate limited until {until} UTC; the next run continues"
    assert state == {"newest_time": "2026-03-02T08:00:00+00:00"}
    assert stored(pipeline.db) == 2


def test_listener_x_5xx_is_retried_with_backoff(x_api, pipeline):
    x_api.tweets = tweets(1)
    x_api.queue(x_problem(503, "Service Unavailable"), x_problem(500, "Internal Error"))
    sleeps: list[float] = []
    counts = make_listener(x_api, sleeps).run(pipeline, {}, clock)
    assert sleeps == [2.0, 4.0] and counts["stored"] == 1


def test_listener_x_5xx_gives_up_after_three_retries(x_api, pipeline):
    x_api.queue(*[x_problem(503, "Service Unavailable")] * 4)
    sleeps: list[float] = []
    with pytest.raises(SourceStopped, match=r"after 4 attempts \(503 Service Unavailable\)"):
        make_listener(x_api, sleeps).run(pipeline, {}, clock)
    assert sleeps == [2.0, 4.0, 8.0] and len(x_api.received) == 4


def test_listener_x_timeout_is_retried(x_api, pipeline):
    x_api.tweets = tweets(1)
    x_api.queue(Reply(delay=1.0))
    sleeps: list[float] = []
    counts = make_listener(x_api, sleeps, timeout=0.2).run(pipeline, {}, clock)
    assert sleeps == [2.0] and counts["stored"] == 1


def test_listener_x_timeouts_give_up(x_api, pipeline):
    x_api.queue(*[Reply(delay=0.6)] * 4)
    with pytest.raises(SourceStopped, match=r"after 4 attempts \(ReadTimeout\)"):
        make_listener(x_api, [], timeout=0.1).run(pipeline, {}, clock)


def test_listener_x_query_from_lexicon_fits_the_limit(x_api, pipeline):
    terms = load_query_terms()
    query = build_query(terms)
    assert 400 < len(query) <= MAX_QUERY_LENGTH
    assert query.startswith(f"({terms[0]} OR {terms[1]} OR ")
    assert query.endswith(") lang:nl -is:retweet")
    assert '"huur niet betalen"' in query and "lang:nl" in query
    assert 40 <= len(terms) <= 80 and not any(term.startswith("#") for term in terms)

    make_listener(x_api).run(pipeline, {}, clock)
    assert x_api.received[0].query["query"] == query


def test_listener_x_configured_query_is_sent_as_is(x_api, pipeline):
    make_listener(x_api, query="huurachterstand lang:nl").run(pipeline, {}, clock)
    assert x_api.received[0].query["query"] == "huurachterstand lang:nl"


def test_listener_x_build_query_stops_at_the_limit():
    assert build_query(["aaaa", "bbbb", "cccc"], limit=35) == "(aaaa OR bbbb) lang:nl -is:retweet"
    with pytest.raises(ValueError):
        build_query(["a" * 600])


def test_listener_x_from_settings_without_token_is_not_configured():
    source = XSource(type="x", purpose="Signalen over geldzorgen")
    with pytest.raises(SourceNotConfigured) as missing:
        XRecentSearchListener.from_settings("x_test", source, Secrets({}))
    assert str(missing.value) == "OPENDEUR_X_BEARER_TOKEN not set"


def test_listener_x_settings_query_at_most_512_characters():
    XSource(type="x", purpose="Signalen over geldzorgen", query="a" * MAX_QUERY_LENGTH)
    with pytest.raises(ValidationError) as invalid:
        XSource(type="x", purpose="Signalen over geldzorgen", query="a" * 513)
    assert "expected at most 512 characters (X's limit for recent search), got 513" in str(
        invalid.value
    )


@pytest.mark.parametrize(("max_pages", "valid"), [(50, True), (51, False), (0, False)])
def test_listener_x_settings_max_pages_between_1_and_50(max_pages, valid):
    if valid:
        XSource(type="x", purpose="Signalen over geldzorgen", max_pages=max_pages)
    else:
        with pytest.raises(ValidationError, match="max_pages"):
            XSource(type="x", purpose="Signalen over geldzorgen", max_pages=max_pages)


def test_listener_x_database_holds_no_author_id_or_tweet_url(x_api, pipeline, db_path):
    x_api.tweets = tweets(3)
    state: dict = {}
    make_listener(x_api).run(pipeline, state, clock)
    save_state(pipeline.db, "x_test", state, NOW)  # as the shell does after a run
    assert stored(pipeline.db) == 3 and load_state(pipeline.db, "x_test") == state

    files = [db_path, db_path.with_name(db_path.name + "-wal")]
    data = b"".join(path.read_bytes() for path in files if path.exists())
    for tweet in x_api.tweets:
        assert tweet["author_id"].encode() not in data
        assert tweet["id"].encode() not in data
    assert b"x.com" not in data and b"status/" not in data


def test_listener_x_token_and_bodies_never_logged(x_api, pipeline, caplog):
    x_api.tweets = tweets(1)
    with caplog.at_level(logging.DEBUG):
        make_listener(x_api).run(pipeline, {}, clock)
    assert "Making API request" in caplog.text  # tweepy's DEBUG lines were seen, and masked
    assert TOKEN not in caplog.text
    assert "99887766" not in caplog.text and DUTCH[0][:30] not in caplog.text
