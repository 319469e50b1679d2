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
