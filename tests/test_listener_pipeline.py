"""The privacy pipeline: what reaches the store, and what never does."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import partial

import pytest

from listener.items import CollectedPost
from nlp.datafiles import data_path

TROUBLE = "Ik kan de huur van november niet betalen en de woningbouw stuurt al een aanmaning."


@pytest.fixture(scope="module")
def distinct_texts() -> list[str]:
    """Long, different Dutch posts from the corpus (no two are near-duplicates)."""
    with data_path("corpus", "personal.jsonl").open(encoding="utf-8") as handle:
        texts = [json.loads(line)["text"] for line in handle]
    return [text for text in texts if len(text.split()) >= 12][:120]


def post(
    text: str = TROUBLE, url: str = "https://forum.example.nl/t/1#p1", **fields
) -> CollectedPost:
    return CollectedPost(source="forum", url=url, text=text, **fields)


def test_listener_pipeline_stores_scrubbed_text_and_no_identifiers(pipeline, db):
    outcome = pipeline.process(
        post(
            "Bel me op 06-12345678, groetjes Mieke. " + TROUBLE,
            author="kaaskop_77",
            title="Huur &amp; zorgen",
            published_at=datetime(2026, 11, 3, 8, 0, tzinfo=UTC),
            region_hint="Utrecht",
        )
    )
    pipeline.commit()
    assert outcome == "stored"
    [row] = list(db["posts"].rows)
    assert row["text"] == "Bel me op [TELEFOON], groetjes [NAAM]. " + TROUBLE
    assert row["title"] == "Huur & zorgen"
    assert json.loads(row["scrubbed"]) == {"NAAM": 1, "TELEFOON": 1}
    assert (row["language"], row["week"], row["region_hint"]) == ("nl", "2026-W45", "Utrecht")
    stored = repr(row)
    for identifier in ("kaaskop_77", "forum.example.nl", "/t/1", "06-12345678"):
        assert identifier not in stored
    assert len(row["url_hash"]) == len(row["author_hash"]) == 32


def test_listener_pipeline_drops_empty_other_language_and_duplicates(pipeline):
    outcomes = [
        pipeline.process(post("  \u200b \n ", url="https://x.nl/1")),
        pipeline.process(post("I cannot pay my rent this month and I am really worried.", url="https://x.nl/2")),
        pipeline.process(post(url="https://x.nl/3")),
        pipeline.process(post(url="https://x.nl/3")),  # the same URL again
        pipeline.process(post(url="https://x.nl/4")),  # the same text elsewhere
        pipeline.process(post(TROUBLE + " Heeft iemand een tip?", url="https://x.nl/5")),  # repost
        pipeline.process(post(TROUBLE.upper(), url="https://x.nl/6")),  # shouting the same
    ]  # fmt: skip
    assert outcomes == [
        "empty", "other_language", "stored", "duplicate", "duplicate", "near_duplicate",
        "duplicate",
    ]  # fmt: skip
    assert pipeline.counts["stored"] == 1


def test_listener_pipeline_keeps_different_posts_on_one_page(pipeline):
    first = pipeline.process(post(url="https://forum.example.nl/t/1#p1"))
    second = pipeline.process(
        post(
            "Heeft iemand ervaring met een betalingsregeling bij Vattenfall?",
            url="https://forum.example.nl/t/1#p2",
        )
    )
    assert (first, second) == ("stored", "stored")


def test_listener_pipeline_writer_hash_changes_every_week(pipeline, db, distinct_texts):
    for number, day in enumerate((3, 4, 12), start=1):
        pipeline.process(
            post(
                distinct_texts[number],
                url=f"https://x.nl/{number}",
                author="kaaskop_77",
                published_at=datetime(2026, 11, day, tzinfo=UTC),
            )
        )
    pipeline.commit()
    hashes = [row["author_hash"] for row in db["posts"].rows_where(order_by="id")]
    assert hashes[0] == hashes[1]  # same ISO week: distinct writers can be counted
    assert hashes[0] != hashes[2]  # next week: the writer cannot be followed


def test_listener_pipeline_commits_in_batches_and_survives_a_crash(
    db, hasher, tmp_path, distinct_texts
):
    from listener import pipeline as pipeline_module
    from listener.pipeline import PostPipeline
    from opendeur.store import open_db

    work = PostPipeline(db, hasher)
    for number in range(pipeline_module.COMMIT_EVERY + 5):
        work.process(post(distinct_texts[number], url=f"https://x.nl/{number}"))
    # The process dies here: the last five were never committed.
    other = open_db(tmp_path / "test.db")
    assert other["posts"].count == pipeline_module.COMMIT_EVERY
    db.conn.rollback()
    rerun = PostPipeline(db, hasher)
    outcomes = [
        rerun.process(post(distinct_texts[n], url=f"https://x.nl/{n}"))
        for n in range(pipeline_module.COMMIT_EVERY + 5)
    ]
    rerun.commit()
    assert (
        outcomes.count("stored") == 5
        and outcomes.count("duplicate") == pipeline_module.COMMIT_EVERY
    )
    assert db["posts"].count == pipeline_module.COMMIT_EVERY + 5


def test_listener_pipeline_text_is_searchable(pipeline, db):
    pipeline.process(post())
    pipeline.commit()
    assert [row["week"] for row in db["posts"].search("aanmaning")] == ["2026-W47"]


def test_listener_store_purge_drops_text_after_retention(pipeline, db):
    from listener.store import purge_old_text

    pipeline.process(post())
    pipeline.commit()
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    purge = partial(purge_old_text, db, include_unclassified=True)  # no classifier here
    assert purge(now.replace(day=30), retention_days=30).purged == 0
    assert purge(now.replace(month=12, day=21), retention_days=30).purged == 1
    [row] = list(db["posts"].rows)
    assert (row["text"], row["title"], row["week"]) == (None, None, "2026-W47")
    assert list(db["posts"].search("aanmaning")) == []
    assert purge(now, retention_days=0).purged == 0  # nothing left to drop


def test_listener_pipeline_never_stores_half_a_post(pipeline, db, monkeypatch):
    from listener import steps

    pipeline.process(post(url="https://x.nl/first"))

    real_band_keys, calls = steps.minhash.band_keys, []

    def fail_inside_store(signature):
        # First call: the near-duplicate check; second: store_post, after the posts insert.
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_band_keys(signature)

    monkeypatch.setattr(steps.minhash, "band_keys", fail_inside_store)
    with pytest.raises(RuntimeError):
        text = "Wie weet waar ik hulp kan krijgen bij mijn energierekening deze winter?"
        pipeline.process(post(text, url="https://x.nl/second"))
    pipeline.commit()
    assert db["posts"].count == 1  # the first post; nothing of the second
    assert db["post_bands"].count == 8


def test_listener_pipeline_language_of_a_reply_is_its_own(pipeline):
    reply = post(
        "Same thing happened to me in Delft, my advance payment went up. I called them.",
        title="Energierekening te hoog: voorschot verhoogd",
        url="https://x.nl/reply",
    )
    short = post("Ja, precies!", title="Energierekening te hoog", url="https://x.nl/short")
    assert pipeline.process(reply) == "other_language"
    assert pipeline.process(short) == "stored"


def test_listener_runner_chooses_due_and_enabled_sources(db):
    from datetime import timedelta

    from listener.runner import UnknownSource, choose_sources
    from listener.runs import finish_run, start_run
    from listener.settings import ListenerSettings

    purpose = "Bron voor de tests van de planning"
    settings = ListenerSettings.model_validate({"sources": {
        "vaak": {"type": "feed", "purpose": purpose, "urls": ["https://a.nl/f"], "every": "1h"},
        "zelden": {"type": "feed", "purpose": purpose, "urls": ["https://b.nl/f"], "every": "1d"},
        "uit": {"type": "feed", "purpose": purpose, "urls": ["https://c.nl/f"], "enabled": False},
    }})  # fmt: skip
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    assert choose_sources(settings, [], due=True, db=db, now=now) == ["vaak", "zelden"]
    for name in ("vaak", "zelden"):
        run = start_run(db, name, now - timedelta(hours=2))
        finish_run(db, run, now - timedelta(hours=2), "ok", {})
    assert choose_sources(settings, [], due=True, db=db, now=now) == ["vaak"]
    assert choose_sources(settings, [], due=False, db=db, now=now) == ["vaak", "zelden"]
    assert choose_sources(settings, ["uit"], due=False, db=db, now=now) == ["uit"]  # by name
    with pytest.raises(UnknownSource, match="unknown source nope; configured sources: uit, vaak"):
        choose_sources(settings, ["nope"], due=False, db=db, now=now)
