"""Exactly once: a worker killed between X's answer and its own commit publishes nothing twice.

A real `opendeur publish worker` process posts to a fake X API on 127.0.0.1. The fake stores
the post and then kills the worker with SIGKILL before it answers, so the post exists on
"X" while the worker never recorded it. A second worker finds the row in ``sending`` after
its lease, asks X for the account's recent posts, recognises the post by its tracked link,
records it as sent, and sends nothing again. Then SIGTERM stops the worker cleanly.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fake_publish_apis import FakeXPublishApi, wait_until

from campaigns import workflow
from campaigns.publications import list_rows
from campaigns.records import audit_log, get_campaign
from campaigns.roles import Roles
from opendeur.store import open_db

pytestmark = pytest.mark.slow

SECRETS = {
    "OPENDEUR_X_CONSUMER_KEY": "ck-publish-test",
    "OPENDEUR_X_CONSUMER_SECRET": "cs-publish-test-secret",
    "OPENDEUR_X_ACCESS_TOKEN": "at-publish-test",
    "OPENDEUR_X_ACCESS_TOKEN_SECRET": "ats-publish-test-secret",
}
MESSAGE = "December is duur. Lukt de huur niet? Bel ons, dan zoeken we samen een oplossing."


def test_campaigns_worker_killed_after_the_remote_call_publishes_exactly_once(
    write_config, tmp_path, python
):
    fake = FakeXPublishApi(
        SECRETS["OPENDEUR_X_CONSUMER_KEY"],
        consumer_secret=SECRETS["OPENDEUR_X_CONSUMER_SECRET"],
        access_token=SECRETS["OPENDEUR_X_ACCESS_TOKEN"],
        access_token_secret=SECRETS["OPENDEUR_X_ACCESS_TOKEN_SECRET"],
    ).start()
    db_path = tmp_path / "publish.db"
    config = write_config(
        f'[store]\npath = "{db_path}"\n'
        "[publish]\nlease_seconds = 1\nbackoff_seconds = 1\n"
        f'[channels.social]\ntype = "x"\napi_url = "{fake.url}"\ntimeout_seconds = 10\n'
        "price_per_post = 0.01\nprice_per_post_with_link = 0.20\n"
        "budget_per_campaign = 5\nbudget_per_month = 20\n"
    )
    db = open_db(db_path)
    now = datetime.now(UTC).replace(microsecond=0)
    zone = ZoneInfo("Europe/Amsterdam")
    new = workflow.NewCampaign(
        name="Feestdagen", theme="feestdagen", help_page="https://www.voorbeeld.nl/hulp",
        starts=date.today() - timedelta(days=1), ends=date.today() + timedelta(days=30),
        channels=("x",), message=MESSAGE,
    )  # fmt: skip
    campaign_id = workflow.create_campaign(db, new, actor="ann", roles=Roles(), now=now)
    workflow.submit(db, campaign_id, actor="ann", roles=Roles(), now=now)
    workflow.approve(db, campaign_id, actor="bob", roles=Roles(), now=now)
    workflow.schedule(db, campaign_id, at=now + timedelta(seconds=1), zone=zone, actor="ann",
                      roles=Roles(), now=now)  # fmt: skip
    env = {**os.environ, **SECRETS, "NO_PROXY": "127.0.0.1"}
    command = [python, "-m", "opendeur", "--config", str(config), "publish", "worker",
               "--max-sleep", "0.2"]  # fmt: skip
    try:
        first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        fake.on_create = lambda request: os.kill(first.pid, signal.SIGKILL)
        assert first.wait(timeout=60) == -signal.SIGKILL
        fake.on_create = None
        assert len(fake.posts) == 1  # X has the post...
        [row] = list_rows(db)
        assert row["state"] == "sending"  # ...and the worker never recorded it

        second = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        try:
            assert wait_until(lambda: list_rows(db)[0]["state"] == "sent", seconds=60)
        finally:
            second.send_signal(signal.SIGTERM)
            output = second.communicate(timeout=30)[0].decode()
        assert second.returncode == 0, output
        assert "publish worker stopped" in output
        assert "1 found already sent after a crash" in output
    finally:
        fake.stop()
    creates = [r for r in fake.received if r.method == "POST" and r.path == "/2/tweets"]
    assert len(creates) == 1 and len(fake.posts) == 1
    [row] = list_rows(db)
    assert (row["state"], row["remote_id"]) == ("sent", fake.posts[0]["id"])
    assert row["attempts"] == 1
    sent = [e for e in audit_log(db, campaign_id) if e.action == "item_sent"]
    assert [e.detail["reconciled"] for e in sent] == [True]
    assert get_campaign(db, campaign_id).status == "published"
    spent = db.execute("SELECT count(*), sum(amount) FROM channel_spending").fetchone()
    assert spent == (1, 0.2)  # charged once
    assert json.loads(row["request"])["json"]["text"].startswith(MESSAGE)
