"""Stored posts become signals: once per model version, in committed batches, before purging."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from listener.items import CollectedPost
from listener.signals import classify_new, pending_count, signal_overview
from listener.store import purge_old_text

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
POSTS = [
    ("Ik kan de huur niet meer betalen en nu staat de deurwaarder voor de deur.", "Utrecht"),
    ("Heb je een achterstand met de huur? Bel ons gerust, samen zoeken we een oplossing.", None),
    ("Wij gaan deze zomer met de caravan naar Frankrijk, iemand tips voor campings?", None),
    ("Elke maand is het krap bij ons in Zwolle, de boodschappen worden steeds duurder.", None),
    ("De gemeente Amersfoort opent een nieuw loket voor schuldhulp, meldt de krant.", None),
]


@pytest.fixture
def stored_posts(pipeline, db):
    for number, (text, region) in enumerate(POSTS):
        outcome = pipeline.process(
            CollectedPost(
                source="forum",
                url=f"https://forum.example.nl/t/{number}",
                text=text,
                region_hint=region,
                published_at=datetime(2026, 11, 16, tzinfo=UTC),
            )  # fmt: skip
        )
        assert outcome == "stored", text
    pipeline.commit()
    return db


def test_listener_signals_classify_each_post_once(stored_posts, trained_classifier):
    db = stored_posts
    assert pending_count(db, trained_classifier.version) == len(POSTS)
    first = classify_new(db, trained_classifier, NOW, batch_size=2)
    again = classify_new(db, trained_classifier, NOW, batch_size=2)
    assert (first.classified, again.classified) == (len(POSTS), 0)
    rows = {r["post_id"]: r for r in db["signals"].rows}
    assert len(rows) == len(POSTS)
    assert {r["model_version"] for r in rows.values()} == {trained_classifier.version}
    assert {r["week"] for r in rows.values()} == {"2026-W47"}
    bailiff = db.execute(
        "SELECT s.money_trouble, s.severity, s.kind, s.province, s.evidence FROM signals s "
        "JOIN posts p ON p.id = s.post_id WHERE p.text LIKE '%deurwaarder%'"
    ).fetchone()
    assert bailiff[:4] == (1, 3, "personal", "Utrecht")  # the source's region: none named
    assert "deurwaarder" in [e["text"] for e in json.loads(bailiff[4])]
    zwolle = db.execute(
        "SELECT municipality, province FROM signals s JOIN posts p ON p.id = s.post_id "
        "WHERE p.text LIKE '%Zwolle%'"
    ).fetchone()
    assert tuple(zwolle) == ("Zwolle", "Overijssel")
    topics = db.execute(
        "SELECT topic FROM signal_topics t JOIN posts p ON p.id = t.post_id "
        "WHERE p.text LIKE '%deurwaarder%'"
    ).fetchall()
    assert ("huur",) in topics


def test_listener_signals_new_model_replaces_signals_except_purged(
    stored_posts, trained_classifier
):
    db = stored_posts
    classify_new(db, trained_classifier, NOW)
    # the oldest post's text is purged: it keeps the signal of the model that read it
    db.execute("UPDATE posts SET text = NULL, purged_at = ? WHERE id = 1", [NOW.isoformat()])
    newer = replace(trained_classifier.meta, version="spacy-29990101-000000")
    retrained = type(trained_classifier)(
        trained_classifier.model, newer, trained_classifier.analyser
    )
    topics_before = db["signal_topics"].count
    result = classify_new(db, retrained, NOW)
    assert result.classified == len(POSTS) - 1
    versions = dict(db.execute("SELECT post_id, model_version FROM signals").fetchall())
    assert versions[1] == trained_classifier.version
    assert set(versions.values()) == {trained_classifier.version, newer.version}
    assert db["signals"].count == len(POSTS)  # replaced, not added
    assert db["signal_topics"].count == topics_before


def test_listener_signals_crash_keeps_committed_batches(stored_posts, trained_classifier):
    db = stored_posts
    calls = 0
    real = trained_classifier.classify

    class Crashing:
        version = trained_classifier.version

        def classify(self, texts, hints):
            nonlocal calls
            calls += 1
            if calls == 2:
                raise RuntimeError("killed mid-run")
            return real(texts, hints)

    with pytest.raises(RuntimeError):
        classify_new(db, Crashing(), NOW, batch_size=2)
    assert db["signals"].count == 2  # the first batch, whole
    result = classify_new(db, trained_classifier, NOW, batch_size=2)
    assert result.classified == len(POSTS) - 2
    assert db["signals"].count == len(POSTS)


def test_listener_signals_purge_keeps_unclassified_text(stored_posts, trained_classifier):
    db = stored_posts
    first = purge_old_text(db, NOW, retention_days=0)
    assert (first.purged, first.kept_unclassified) == (0, len(POSTS))
    classify_new(db, trained_classifier, NOW)
    second = purge_old_text(db, NOW, retention_days=0)
    assert (second.purged, second.kept_unclassified) == (len(POSTS), 0)
    assert db["signals"].count == len(POSTS)  # signals outlive the text


def test_listener_signals_purge_can_include_unclassified(stored_posts):
    result = purge_old_text(stored_posts, NOW, retention_days=0, include_unclassified=True)
    assert (result.purged, result.kept_unclassified) == (len(POSTS), 0)


def test_listener_signals_overview_counts(stored_posts, trained_classifier):
    classify_new(stored_posts, trained_classifier, NOW)
    overview = signal_overview(stored_posts)
    assert overview["signals"] == len(POSTS)
    assert sum(overview["by_kind"].values()) == len(POSTS)
    assert overview["money_trouble"] == sum(overview["by_severity"].values())
    assert overview["model_versions"] == {trained_classifier.version: len(POSTS)}


def test_listener_signals_cli_classify_new_and_purge(
    run_cli, classifier_config, stored_posts, trained_classifier
):
    # stored_posts wrote to the database the classifier_config points at (tmp_path/test.db)
    result = run_cli("--config", str(classifier_config), "nlp", "classify-new", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "model_version": trained_classifier.version,
        "classified": len(POSTS),
        "money_trouble": stored_posts.execute(
            "SELECT count(*) FROM signals WHERE money_trouble"
        ).fetchone()[0],
    }
    again = run_cli("--config", str(classifier_config), "nlp", "classify-new")
    assert f"classified 0 posts with {trained_classifier.version}" in again.stdout


def test_listener_signals_cli_without_model_explains(run_cli, config_path):
    result = run_cli("--config", str(config_path), "nlp", "classify-new")
    assert result.exit_code == 1
    assert "opendeur nlp train" in result.stderr


def test_listener_signals_db_purge_reports_kept_texts(run_cli, classifier_config, stored_posts):
    config = classifier_config.read_text() + "[privacy]\nretention_days = 0\n"
    classifier_config.write_text(config)
    first = run_cli("--config", str(classifier_config), "db", "purge")
    assert "Kept 5 older texts that are not classified yet" in first.stdout
    run_cli("--config", str(classifier_config), "nlp", "classify-new")
    second = run_cli("--config", str(classifier_config), "db", "purge", "--json")
    figures = json.loads(second.stdout)
    assert figures["rare_terms_dropped"] >= 0  # the posts are of a past week: see below
    del figures["rare_terms_dropped"]
    assert figures == {"purged": len(POSTS), "kept_unclassified": 0, "retention_days": 0}


def test_listener_signals_count_each_posts_terms_once(stored_posts, trained_classifier):
    db = stored_posts
    classify_new(db, trained_classifier, NOW)
    terms = {r["term"]: r for r in db["week_terms"].rows}
    assert terms["huur"]["posts"] == 2  # the tenant and the help text
    assert terms["deurwaarder"] == {"week": "2026-W47", "term": "deurwaarder", "posts": 1,
                                    "trouble_posts": 1}  # fmt: skip
    assert terms["caravan"]["trouble_posts"] == 0
    assert "huur niet" not in terms and "huur" in terms  # "niet" is a function word
    # A new model reclassifies every post; the terms of a post are counted once only.
    db.execute("UPDATE signals SET model_version = 'older'")
    classify_new(db, trained_classifier, NOW)
    assert db.execute("SELECT posts FROM week_terms WHERE term = 'huur'").fetchone()[0] == 2


def test_listener_signals_rare_terms_of_old_weeks_are_pruned(stored_posts, trained_classifier):
    from listener.store import prune_rare_terms

    db = stored_posts
    classify_new(db, trained_classifier, NOW)
    db["week_terms"].insert({"week": "2026-W40", "term": "boodschappen", "posts": 9,
                             "trouble_posts": 3})  # fmt: skip
    counted = db["week_terms"].count
    # Within retention nothing goes: the comparison with earlier weeks needs the counts.
    assert prune_rare_terms(db, NOW, retention_days=30, below=5) == 0
    # Past retention, words fewer than five posts used go; common ones stay.
    later = datetime(2027, 1, 20, tzinfo=UTC)
    assert prune_rare_terms(db, later, retention_days=30, below=5) == counted - 1
    assert [r["term"] for r in db["week_terms"].rows] == ["boodschappen"]


def test_listener_signals_migration_counts_terms_of_classified_posts(tmp_path, trained_classifier):
    from sqlite_utils import Database

    from listener.store import migrations as listener_migrations
    from opendeur.store import open_db

    database = open_db(tmp_path / "old.db")
    database.execute("DELETE FROM week_terms")
    database.execute(
        "INSERT INTO posts (source, url_hash, content_hash, week, collected_at, text, language) "
        "VALUES ('forum', 'u', 'c', '2026-W47', '2026-11-20', 'De energierekening is te hoog', "
        "'nl')"
    )
    database.execute(
        "INSERT INTO signals (post_id, model_version, classified_at, week, source, money_trouble, "
        "score, kind, severity, evidence) VALUES (1, 'm', 'now', '2026-W47', 'forum', 1, 0.9, "
        "'personal', 1, '[]')"
    )
    database.conn.commit()
    # The migration's own backfill, run as it runs on a database of before week_terms.
    database.execute("DROP TABLE week_terms")
    database.execute("DELETE FROM _sqlite_migrations WHERE name = 'm004_week_terms'")
    database.conn.commit()
    listener_migrations.apply(Database(tmp_path / "old.db"))
    rows = {r["term"]: r["trouble_posts"] for r in Database(tmp_path / "old.db")["week_terms"].rows}
    assert rows == {"energierekening": 1, "hoog": 1}


@pytest.mark.slow
def test_listener_signals_listen_run_classifies_what_it_stored(
    run_cli, samples_config, copy_trained_models, trained_classifier
):
    from opendeur.settings import load_settings
    from opendeur.store import open_db

    copy_trained_models(samples_config.parent)  # models_dir = "models" next to the config
    result = run_cli("--config", str(samples_config), "listen", "run", "phpbb", "nieuws")
    assert f"with {trained_classifier.version}" in result.stdout
    db = open_db(load_settings(samples_config).settings.store.path)
    posts = db["posts"].count
    assert posts > 0
    assert db["signals"].count == posts
    assert db.execute("SELECT count(*) FROM signals WHERE money_trouble").fetchone()[0] > 0
