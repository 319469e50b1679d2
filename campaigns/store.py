"""Tables owned by `campaigns`, as the named migration set "campaigns" (DESIGN §3).

`opendeur.store.open_db()` applies this set. Migrations are frozen once released: fix a
mistake with a new migration, never by editing an old one.

- ``campaigns``: one row per campaign, its status in the workflow (`campaigns.workflow`).
- ``content_items``: what each channel publishes; ``link`` is the help page with UTM
  parameters and ``tracking_code`` the short code the theme-site server resolves (``/go/CODE``).
- ``campaign_audit``: who did what, append-only (triggers refuse UPDATE and DELETE).
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("campaigns")


@migrations()
def m001_campaigns(db: Database) -> None:
    # The theme is checked in code against nlp.taxonomy.TOPICS, not by a CHECK: SQLite cannot
    # change a CHECK without rebuilding the table, and the taxonomy may grow. The statuses are
    # the workflow's own and are fixed here.
    db.execute(
        """
        CREATE TABLE campaigns (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL CHECK (name <> ''),
            slug TEXT NOT NULL UNIQUE,
            goal TEXT,
            theme TEXT NOT NULL,
            audience TEXT,
            help_page TEXT NOT NULL,
            starts TEXT NOT NULL,
            ends TEXT NOT NULL,
            channels TEXT NOT NULL CHECK (json_valid(channels)),
            message TEXT NOT NULL,
            address_form TEXT CHECK (address_form IS NULL OR address_form IN ('je', 'u')),
            status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN (
                'draft', 'review', 'approved', 'scheduled', 'published', 'failed', 'cancelled'
            )),
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            edited_by TEXT NOT NULL,
            edited_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            CHECK (starts <= ends)
        )
        """
    )
    db.execute("CREATE INDEX campaigns_status ON campaigns (status)")
    db.execute(
        """
        CREATE TABLE content_items (
            id INTEGER PRIMARY KEY,
            campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
            position INTEGER NOT NULL CHECK (position >= 1),
            channel TEXT NOT NULL
                CHECK (channel IN ('wordpress', 'x', 'facebook', 'themesite', 'dryrun')),
            title TEXT,
            summary TEXT,
            body TEXT NOT NULL,
            link TEXT NOT NULL,
            tracking_code TEXT NOT NULL,
            scheduled_at TEXT,
            status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN (
                'draft', 'review', 'approved', 'scheduled', 'published', 'failed', 'cancelled'
            )),
            updated_at TEXT NOT NULL,
            UNIQUE (campaign_id, position)
        )
        """
    )
    db.execute("CREATE UNIQUE INDEX content_items_tracking_code ON content_items (tracking_code)")
    # The scheduler's question: which scheduled items are due?
    db.execute("CREATE INDEX content_items_due ON content_items (status, scheduled_at)")
    db.execute(
        """
        CREATE TABLE campaign_audit (
            id INTEGER PRIMARY KEY,
            campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail))
        )
        """
    )
    db.execute("CREATE INDEX campaign_audit_campaign ON campaign_audit (campaign_id, id)")
    for event in ("UPDATE", "DELETE"):
        db.execute(
            f"""
            CREATE TRIGGER campaign_audit_no_{event.lower()} BEFORE {event} ON campaign_audit
            BEGIN SELECT RAISE(ABORT, 'campaign_audit is append-only'); END
            """
        )


@migrations()
def m002_publications(db: Database) -> None:
    """The publisher's own tables (`campaigns.publisher`) and the report's view on them.

    - ``publications``: one row per item and channel, the unit of exactly-once. Its
      ``idempotency_key`` is unique; ``state`` goes pending -> sending -> sent | failed, and
      sent -> withdrawn when a post the blog holds for later belongs to a cancelled item.
      ``request`` is what was (or in a dry run would be) sent, without secrets.
    - ``channel_spending``: the ledger of what paid channels (X) charged, one row per sent
      post, written in the same transaction that marks it sent.
    - ``report_publications``: posts sent per ISO week and channel, for the weekly report.
    """
    db.execute(
        """
        CREATE TABLE publications (
            id INTEGER PRIMARY KEY,
            item_id INTEGER NOT NULL REFERENCES content_items (id),
            channel TEXT NOT NULL,
            channel_type TEXT NOT NULL,
            idempotency_key TEXT NOT NULL UNIQUE,
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'withdrawn')),
            dry_run INTEGER NOT NULL DEFAULT 0 CHECK (dry_run IN (0, 1)),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            lease_until TEXT,
            worker TEXT,
            sending_since TEXT,
            request TEXT CHECK (request IS NULL OR json_valid(request)),
            remote_id TEXT,
            remote_url TEXT,
            remote_scheduled INTEGER NOT NULL DEFAULT 0,
            error_kind TEXT,
            error TEXT,
            sent_at TEXT,
            sent_week TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (item_id, channel)
        )
        """
    )
    # The publisher's question: which rows may be tried now? (All times are UTC ISO text.)
    db.execute("CREATE INDEX publications_next ON publications (state, next_attempt_at)")
    db.execute("CREATE INDEX publications_sent ON publications (channel, sent_at)")
    db.execute(
        """
        CREATE TABLE channel_spending (
            id INTEGER PRIMARY KEY,
            publication_id INTEGER NOT NULL UNIQUE REFERENCES publications (id),
            channel TEXT NOT NULL,
            campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
            month TEXT NOT NULL,
            amount TEXT NOT NULL,
            currency TEXT NOT NULL,
            at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX channel_spending_month ON channel_spending (channel, month)")
    db.execute(
        """
        CREATE VIEW report_publications AS
        SELECT sent_week AS week, channel, count(*) AS items
        FROM publications
        WHERE state = 'sent' AND dry_run = 0
        GROUP BY sent_week, channel
        """
    )


@migrations()
def m003_tracked_links(db: Database) -> None:
    """``tracked_links (code, target)``: what the theme-site server resolves at ``/go/CODE``.

    A view, so the server (another floor-2 package) reads links without knowing this layout.
    """
    db.execute(
        "CREATE VIEW tracked_links AS "
        "SELECT tracking_code AS code, link AS target, campaign_id FROM content_items"
    )
