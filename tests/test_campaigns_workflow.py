"""The campaign workflow: statuses, roles, four-eyes, schedule, edits and the audit log."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from campaigns import workflow
from campaigns.content_file import CampaignContent, ContentItem
from campaigns.errors import (
    CampaignCheckFailed,
    CampaignInputError,
    CampaignNotFound,
    CampaignPermissionError,
    CampaignStateError,
)
from campaigns.records import STATUSES, audit_log, campaign_items, get_campaign
from campaigns.roles import Roles
from campaigns.transitions import ACTIONS, move

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ZONE = ZoneInfo("Europe/Amsterdam")
OPEN = Roles()
HELP = "https://www.voorbeeld.nl/hulp-bij-betalen"
MESSAGE = "December is duur. Lukt de huur niet? Bel ons, dan zoeken we samen een oplossing."


def _new(db, channels=("x", "facebook"), actor="ann", roles=OPEN, **fields) -> int:
    values = {
        "name": "Feestdagen zonder zorgen",
        "theme": "feestdagen",
        "help_page": HELP,
        "starts": date(2026, 12, 1),
        "ends": date(2026, 12, 31),
        "channels": channels,
        "message": MESSAGE,
        **fields,
    }
    return workflow.create_campaign(
        db, workflow.NewCampaign(**values), actor=actor, roles=roles, now=NOW
    )


def _at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 12, day, hour, 0, tzinfo=ZONE)


def _campaign_in(db, status: str) -> int:
    """A campaign brought to ``status`` the way people would (publisher statuses by SQL)."""
    campaign_id = _new(db)
    steps = [
        ("review", lambda: workflow.submit(db, campaign_id, actor="ann", roles=OPEN, now=NOW)),
        ("approved", lambda: workflow.approve(db, campaign_id, actor="bob", roles=OPEN, now=NOW)),
        (
            "scheduled",
            lambda: workflow.schedule(
                db, campaign_id, at=_at(1), zone=ZONE, actor="ann", roles=OPEN, now=NOW
            ),
        ),
    ]
    if status == "cancelled":
        workflow.cancel(db, campaign_id, reason="test", actor="ann", roles=OPEN, now=NOW)
    elif status != "draft":
        for reached, step in steps:
            step()
            if reached == status:
                break
    if status in ("published", "failed"):
        db.execute("UPDATE campaigns SET status = ? WHERE id = ?", [status, campaign_id])
    assert get_campaign(db, campaign_id).status == status
    return campaign_id


def _attempt(db, campaign_id: int, action: str) -> None:
    kwargs = {"roles": OPEN, "now": NOW}
    if action == "submit":
        workflow.submit(db, campaign_id, actor="ann", **kwargs)
    elif action == "approve":
        workflow.approve(db, campaign_id, actor="bob", **kwargs)
    elif action == "schedule":
        workflow.schedule(db, campaign_id, at=_at(2), zone=ZONE, actor="ann", **kwargs)
    elif action == "cancel":
        workflow.cancel(db, campaign_id, reason="te laat", actor="ann", **kwargs)
    else:
        workflow.edit_item(
            db, campaign_id, 1, {"body": MESSAGE + " Doe het nu."}, actor="ann", **kwargs
        )


def test_campaigns_workflow_create_makes_a_draft_with_one_item_per_channel(db):
    campaign_id = _new(db, channels=("x", "wordpress", "x"), goal="Eerder bellen")
    campaign = get_campaign(db, campaign_id)
    items = campaign_items(db, campaign_id)
    assert (campaign.status, campaign.channels, campaign.goal) == (
        "draft",
        ("x", "wordpress"),
        "Eerder bellen",
    )
    assert [(i.position, i.channel, i.body, i.status) for i in items] == [
        (1, "x", MESSAGE, "draft"),
        (2, "wordpress", MESSAGE, "draft"),
    ]
    assert items[0].title is None and items[1].title == "Feestdagen zonder zorgen"
    assert items[0].link == (
        f"{HELP}?utm_source=x&utm_medium=social&utm_campaign=feestdagen-zonder-zorgen"
    )
    assert "utm_medium=blog" in items[1].link
    [entry] = audit_log(db, campaign_id)
    assert (entry.actor, entry.action, entry.at) == ("ann", "created", NOW.isoformat())
    assert entry.detail == {
        "from": None,
        "to": "draft",
        "slug": "feestdagen-zonder-zorgen",
        "items": 2,
    }


def test_campaigns_workflow_invalid_fields_are_listed_in_one_message(db):
    with pytest.raises(CampaignInputError) as caught:
        _new(
            db,
            channels=(),
            theme="kerst",
            help_page="www.voorbeeld.nl",
            starts=date(2026, 12, 31),
            ends=date(2026, 12, 1),
            message=" ",
        )
    message = str(caught.value)
    for part in (
        "theme must be one of huur",
        "http(s) address",
        "starts (2026-12-31) after",
        "no channels",
        "message is empty",
    ):
        assert part in message
    assert "\n" not in message
    assert db.execute("SELECT count(*) FROM campaigns").fetchone()[0] == 0


def test_campaigns_workflow_happy_path_writes_an_audit_row_per_step(db):
    campaign_id = _campaign_in(db, "scheduled")
    workflow.cancel(db, campaign_id, reason="Budget op", actor="carla", roles=OPEN, now=NOW)
    log = audit_log(db, campaign_id)
    assert [(e.actor, e.action, e.detail["from"], e.detail["to"]) for e in log] == [
        ("ann", "created", None, "draft"),
        ("ann", "submitted", "draft", "review"),
        ("bob", "approved", "review", "approved"),
        ("ann", "scheduled", "approved", "scheduled"),
        ("carla", "cancelled", "scheduled", "cancelled"),
    ]
    assert log[-1].detail["reason"] == "Budget op"
    assert {i.status for i in campaign_items(db, campaign_id)} == {"cancelled"}


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_campaigns_workflow_every_transition_allowed_or_refused(db, status, action):
    campaign_id = _campaign_in(db, status)
    rows_before = len(audit_log(db, campaign_id))
    if status in ACTIONS[action]:
        _attempt(db, campaign_id, action)
        assert len(audit_log(db, campaign_id)) == rows_before + 1
        return
    with pytest.raises(CampaignStateError) as caught:
        _attempt(db, campaign_id, action)
    message = str(caught.value)
    assert message.startswith(f"campaign {campaign_id} is {status}; {action} needs a campaign in")
    assert "Allowed now: " in message
    assert get_campaign(db, campaign_id).status == status
    assert len(audit_log(db, campaign_id)) == rows_before


def test_campaigns_workflow_submit_refused_with_the_findings(db):
    campaign_id = _new(db, channels=("wordpress",))  # no summary, short body
    with pytest.raises(CampaignCheckFailed) as caught:
        workflow.submit(db, campaign_id, actor="ann", roles=OPEN, now=NOW)
    checks = {f.finding.check for f in caught.value.report.findings}
    assert "channel.summary_missing" in checks
    assert f"campaign check --id {campaign_id}" in str(caught.value)
    assert get_campaign(db, campaign_id).status == "draft"
    assert [e.action for e in audit_log(db, campaign_id)] == ["created"]


def test_campaigns_workflow_four_eyes_creator_and_last_editor_cannot_approve(db):
    campaign_id = _new(db, actor="ann")
    workflow.edit_item(
        db, campaign_id, 2, {"body": MESSAGE + " Je bent welkom."}, actor="bob", roles=OPEN, now=NOW
    )
    workflow.submit(db, campaign_id, actor="bob", roles=OPEN, now=NOW)
    for person, did in (("ann", "created"), ("BOB", "last edited")):
        with pytest.raises(CampaignPermissionError, match=f"{did} campaign 1 .*\\(four-eyes\\)"):
            workflow.approve(db, campaign_id, actor=person, roles=OPEN, now=NOW)
    workflow.approve(db, campaign_id, actor="carla", roles=OPEN, now=NOW)
    assert get_campaign(db, campaign_id).status == "approved"


def test_campaigns_workflow_roles_from_the_lists(db):
    roles = Roles.from_names(editors=["Ann"], approvers=["bob"])
    with pytest.raises(
        CampaignPermissionError, match="bob may not create campaigns: only editors may \\(ann\\)"
    ):
        _new(db, actor="bob", roles=roles)
    campaign_id = _new(db, actor="ann", roles=roles)  # names match without regard to case
    workflow.submit(db, campaign_id, actor="ANN", roles=roles, now=NOW)
    with pytest.raises(CampaignPermissionError, match="only approvers may \\(bob\\)"):
        workflow.approve(db, campaign_id, actor="dave", roles=roles, now=NOW)
    workflow.approve(db, campaign_id, actor="bob", roles=roles, now=NOW)
    for act in (
        lambda: workflow.schedule(
            db, campaign_id, at=_at(1), zone=ZONE, actor="dave", roles=roles, now=NOW
        ),
        lambda: workflow.cancel(db, campaign_id, reason="x", actor="dave", roles=roles, now=NOW),
    ):
        with pytest.raises(CampaignPermissionError, match="only editors and approvers"):
            act()
    workflow.schedule(db, campaign_id, at=_at(1), zone=ZONE, actor="bob", roles=roles, now=NOW)


def test_campaigns_workflow_editors_without_approvers_means_nobody_approves(db):
    roles = Roles.from_names(editors=["ann"])
    campaign_id = _new(db, actor="ann", roles=roles)
    workflow.submit(db, campaign_id, actor="ann", roles=roles, now=NOW)
    with pytest.raises(CampaignPermissionError, match="none configured"):
        workflow.approve(db, campaign_id, actor="bob", roles=roles, now=NOW)


def test_campaigns_workflow_schedule_records_a_time_per_item(db):
    campaign_id = _campaign_in(db, "approved")
    times = workflow.schedule(
        db,
        campaign_id,
        at=_at(1),
        item_times={2: _at(3, 19)},
        zone=ZONE,
        actor="ann",
        roles=OPEN,
        now=NOW,
    )
    assert times == {1: "2026-12-01T09:00:00+01:00", 2: "2026-12-03T19:00:00+01:00"}
    items = campaign_items(db, campaign_id)
    assert [(i.scheduled_at, i.status) for i in items] == [
        ("2026-12-01T09:00:00+01:00", "scheduled"),
        ("2026-12-03T19:00:00+01:00", "scheduled"),
    ]
    assert audit_log(db, campaign_id)[-1].detail["items"] == {"1": times[1], "2": times[2]}
    # Scheduled again: item 2 moves, item 1 keeps its time.
    workflow.schedule(
        db, campaign_id, item_times={2: _at(4)}, zone=ZONE, actor="ann", roles=OPEN, now=NOW
    )
    assert [i.scheduled_at for i in campaign_items(db, campaign_id)] == [
        "2026-12-01T09:00:00+01:00",
        "2026-12-04T09:00:00+01:00",
    ]
    assert audit_log(db, campaign_id)[-1].action == "rescheduled"


@pytest.mark.parametrize(
    ("at", "message"),
    [
        (
            datetime(2026, 11, 30, 23, 0, tzinfo=ZONE),
            "2026-11-30 23:00 is outside the campaign period 2026-12-01 to 2026-12-31",
        ),
        # 23:30 UTC on the last day is already the next day in Amsterdam
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "2027-01-01 00:30 is outside"),
        (datetime(2026, 12, 1, 9, 0), "has no time zone"),
        (None, "has no time; give --at TIME, or --item 1 --at TIME"),
    ],
)
def test_campaigns_workflow_schedule_outside_the_period_is_refused(db, at, message):
    campaign_id = _campaign_in(db, "approved")
    with pytest.raises(CampaignInputError, match=message) as caught:
        workflow.schedule(db, campaign_id, at=at, zone=ZONE, actor="ann", roles=OPEN, now=NOW)
    assert str(caught.value).startswith(f"cannot schedule campaign {campaign_id}: item 1 (x)")
    assert get_campaign(db, campaign_id).status == "approved"
    assert {i.scheduled_at for i in campaign_items(db, campaign_id)} == {None}


def test_campaigns_workflow_schedule_in_the_past_or_of_unknown_items_is_refused(db):
    campaign_id = _campaign_in(db, "approved")
    later = NOW.replace(year=2026, month=12, day=10)
    with pytest.raises(CampaignInputError, match="is in the past"):
        workflow.schedule(db, campaign_id, at=_at(2), zone=ZONE, actor="ann", roles=OPEN, now=later)
    with pytest.raises(CampaignNotFound, match="has no item 7 to schedule; its items: 1, 2"):
        workflow.schedule(
            db,
            campaign_id,
            at=_at(2),
            item_times={7: _at(3)},
            zone=ZONE,
            actor="ann",
            roles=OPEN,
            now=NOW,
        )


def test_campaigns_workflow_edit_moves_review_back_to_draft(db):
    campaign_id = _campaign_in(db, "review")
    later = NOW + timedelta(hours=1)
    changed = workflow.edit_item(
        db,
        campaign_id,
        1,
        {"body": MESSAGE + " Echt.", "title": None},
        actor="bob",
        roles=OPEN,
        now=later,
    )
    assert changed == ["body"]  # the title was None already
    campaign = get_campaign(db, campaign_id)
    assert (campaign.status, campaign.edited_by, campaign.edited_at) == (
        "draft",
        "bob",
        later.isoformat(),
    )
    assert {i.status for i in campaign_items(db, campaign_id)} == {"draft"}
    entry = audit_log(db, campaign_id)[-1]
    assert (entry.actor, entry.action) == ("bob", "item_edited")
    assert entry.detail == {
        "from": "review",
        "to": "draft",
        "item": 1,
        "fields": ["body"],
        "before": {"body": MESSAGE},
    }
    rows = len(audit_log(db, campaign_id))
    assert (
        workflow.edit_item(
            db, campaign_id, 1, {"body": MESSAGE + " Echt."}, actor="bob", roles=OPEN, now=later
        )
        == []
    )
    assert len(audit_log(db, campaign_id)) == rows  # nothing changed, nothing written


@pytest.mark.parametrize(
    ("position", "changes", "error", "message"),
    [
        (9, {"body": "x"}, CampaignNotFound, "has no item 9; its items: 1, 2"),
        (1, {"link": "https://elders.nl"}, CampaignInputError, "cannot edit link; editable"),
        (1, {"body": "  "}, CampaignInputError, "the body cannot be empty"),
    ],
)
def test_campaigns_workflow_bad_edits_are_refused(db, position, changes, error, message):
    campaign_id = _new(db)
    with pytest.raises(error, match=message):
        workflow.edit_item(db, campaign_id, position, changes, actor="ann", roles=OPEN, now=NOW)


def test_campaigns_workflow_cancel_needs_a_reason_and_keeps_published_items(db):
    campaign_id = _campaign_in(db, "scheduled")
    with pytest.raises(CampaignInputError, match="give a reason"):
        workflow.cancel(db, campaign_id, reason=" ", actor="ann", roles=OPEN, now=NOW)
    db.execute("UPDATE content_items SET status = 'published' WHERE position = 1")
    workflow.cancel(db, campaign_id, reason="Fout in de tekst", actor="ann", roles=OPEN, now=NOW)
    assert [i.status for i in campaign_items(db, campaign_id)] == ["published", "cancelled"]


def test_campaigns_workflow_unknown_campaign_is_named(db):
    with pytest.raises(CampaignNotFound, match="there is no campaign 42; `opendeur campaign list`"):
        workflow.approve(db, 42, actor="bob", roles=OPEN, now=NOW)


def test_campaigns_workflow_audit_log_is_append_only(db):
    campaign_id = _new(db)
    for statement in ("UPDATE campaign_audit SET actor = 'mallory'", "DELETE FROM campaign_audit"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute(statement)
    assert audit_log(db, campaign_id)[0].actor == "ann"


def test_campaigns_workflow_stale_status_change_is_refused(db):
    campaign_id = _new(db)
    stale = get_campaign(db, campaign_id)
    workflow.submit(db, campaign_id, actor="ann", roles=OPEN, now=NOW)
    with pytest.raises(CampaignStateError, match="changed while you acted on it"):
        move(db, stale, "review", NOW)
    # an edit in draft keeps the status, but what was checked is no longer what is stored
    campaign_id = _new(db)
    checked = get_campaign(db, campaign_id)
    workflow.edit_item(
        db, campaign_id, 1, {"title": "Nieuw"}, actor="bob", roles=OPEN, now=NOW + timedelta(1)
    )
    with pytest.raises(CampaignStateError, match="changed while you acted on it"):
        move(db, checked, "review", NOW)


def test_campaigns_workflow_import_needs_the_campaign_fields(db):
    items = (ContentItem(channel="x", body=MESSAGE, link=f"{HELP}?utm_source=oud&ref=mail"),)
    partial = CampaignContent(name="Vakantie", help_page=HELP, address_form="u", items=items)
    with pytest.raises(
        CampaignInputError, match="lacks theme, starts, ends, message in \\[campaign\\]"
    ):
        workflow.import_campaign(db, partial, actor="ann", roles=OPEN, now=NOW)
    full = CampaignContent(
        name="Vakantie",
        help_page=HELP,
        address_form="u",
        items=items,
        theme="vakantie",
        starts="2027-06-01",
        ends="2027-08-31",
        message=MESSAGE,
    )
    campaign_id = workflow.import_campaign(db, full, actor="ann", roles=OPEN, now=NOW)
    campaign, [item] = get_campaign(db, campaign_id), campaign_items(db, campaign_id)
    assert (campaign.address_form, campaign.starts, campaign.channels) == (
        "u",
        "2027-06-01",
        ("x",),
    )
    # the item's own query stays; old UTM parameters are replaced
    assert item.link == f"{HELP}?ref=mail&utm_source=x&utm_medium=social&utm_campaign=vakantie"
    assert audit_log(db, campaign_id)[0].action == "imported"
