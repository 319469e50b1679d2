"""`opendeur publish`: send scheduled content to the configured channels.

`due` runs one pass (for cron), `worker` keeps running and sleeps until the next due item,
`post` sends one message at once (a smoke test for operators), `list` shows what was sent and
what failed, `retry` gives a failed one another go, `health` checks each channel's login and
`spending` shows what paid channels spent. The work is done by `campaigns.publisher`.
"""

from __future__ import annotations

import signal
import threading
from datetime import UTC, datetime
from typing import Any

import click

from campaigns import cli_support as support
from campaigns.cli_support import actor_option, json_option

WORKER_MAX_SLEEP_SECONDS = 60.0  # look for newly scheduled items at least this often


@click.group(invoke_without_command=True)
@click.pass_context
def publish(ctx: click.Context) -> None:
    """Send scheduled campaign content to its channels, each item exactly once.

    Channels are [channels.NAME] tables in the configuration; an item goes to every enabled
    channel of its type. `publish due` from cron or `publish worker` as a service.
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


def build_publisher(obj: Any, **options: Any):
    """The publisher for the configured, enabled channels, with secrets from the environment."""
    from campaigns.publisher import publisher_for

    settings = obj.settings
    return publisher_for(obj.db, settings.channels, settings.publish, settings.campaigns.timezone,
                         obj.secrets.get, **options)  # fmt: skip


@publish.command()
@json_option
@click.pass_obj
def due(obj: Any, as_json: bool) -> None:
    """Send everything that is due now, then stop (run it from cron every few minutes).

    Exits with status 1 when an item failed for good in this run; `publish list --state
    failed` shows why.
    """
    summary = build_publisher(obj).run_once()
    _echo_summary(summary, as_json)
    if summary.failed:
        raise SystemExit(1)


@publish.command()
@click.option(
    "--max-sleep",
    default=WORKER_MAX_SLEEP_SECONDS,
    show_default=True,
    type=click.FloatRange(0.1, 3600),
    help="Longest sleep between two looks, seconds.",
)
@click.pass_obj
def worker(obj: Any, max_sleep: float) -> None:
    """Keep publishing: send what is due, sleep until the next item, and so on.

    Stops cleanly on SIGTERM or Ctrl-C: a post being sent is finished and recorded first.
    """
    stop = threading.Event()

    def request_stop(signum: int, frame: Any) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    publisher = build_publisher(obj)
    obj.echo(
        f"publish worker {publisher.worker} started; channels: "
        f"{', '.join(publisher.channels) or 'none'}"
    )
    try:
        while not stop.is_set():
            summary = publisher.run_once()
            if any((summary.sent, summary.failed, summary.reconciled, summary.withdrawn)):
                _echo_summary(summary, as_json=False)
            wake = publisher.next_wake()
            now = datetime.now(UTC)
            seconds = max_sleep if wake is None else (wake - now).total_seconds()
            stop.wait(min(max(seconds, 0.05), max_sleep))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    obj.echo("publish worker stopped")


@publish.command()
@click.argument("channel_name", metavar="CHANNEL")
@click.option("--title", help="Title (blog and theme-site channels need one).")
@click.option("--body", required=True, help="The text.")
@click.option("--link", required=True, help="The link the post carries.")
@json_option
@click.pass_obj
def post(
    obj: Any, channel_name: str, title: str | None, body: str, link: str, as_json: bool
) -> None:
    """Send one message to CHANNEL at once, outside any campaign (a smoke test).

    Nothing is stored; the answer shows the post's id and address on the channel. Use a
    test account or page, or set dry_run = true on the channel.
    """
    import hashlib

    from campaigns.channels import build_channel
    from campaigns.channels.base import ChannelError, Post

    settings = obj.settings.channels.get(channel_name)
    if settings is None:
        known = ", ".join(obj.settings.channels) or "none configured"
        raise click.ClickException(f"no channel {channel_name!r}; channels: {known}")
    channel = build_channel(channel_name, settings, obj.secrets.get)
    stamp = datetime.now(UTC).isoformat()
    key = hashlib.sha256(f"post\0{channel_name}\0{stamp}".encode()).hexdigest()[:16]
    message = Post(key=key, body=body, link=link, title=title)
    try:
        receipt = channel.publish(message)
    except ChannelError as error:
        raise click.ClickException(f"{error} [{error.kind}]") from None
    result = {
        "channel": channel_name,
        "remote_id": receipt.remote_id,
        "url": receipt.url,
        "dry_run": receipt.dry_run,
        "request": channel.request(message),
    }
    if as_json:
        from campaigns.cli_output import echo_json

        echo_json(result)
    else:
        where = f" at {receipt.url}" if receipt.url else ""
        dry = " (dry run: nothing was sent)" if result["dry_run"] else ""
        click.echo(f"sent to {channel_name}: {receipt.remote_id}{where}{dry}")


@publish.command(name="list")
@click.option(
    "--state",
    type=click.Choice(["pending", "sending", "sent", "failed", "withdrawn"]),
    help="Only publications in this state.",
)
@click.option("--campaign", "campaign_id", type=int, help="Only this campaign's.")
@json_option
@click.pass_obj
def list_publications(obj: Any, state: str | None, campaign_id: int | None, as_json: bool) -> None:
    """Each item on each channel: its state, attempts, post address or error."""
    from campaigns.publications import list_rows

    rows = list_rows(obj.db, state=state, campaign_id=campaign_id)
    if as_json:
        from campaigns.cli_output import echo_json

        echo_json(rows)
        return
    if not rows:
        click.echo("no publications")
    for row in rows:
        where = row["remote_url"] or row["remote_id"] or ""
        line = (
            f"{row['id']:>4} campaign {row['campaign_id']} item {row['position']} "
            f"{row['channel']}: {row['state']}, {row['attempts']} attempt(s)"
        )
        if row["dry_run"]:
            line += ", dry run"
        if where:
            line += f", {where}"
        if row["error"] and row["state"] != "sent":
            line += f"\n       {row['error_kind']}: {row['error']}"
        click.echo(line)


@publish.command()
@click.argument("publication_id", metavar="ID", type=int)
@actor_option
@click.pass_obj
def retry(obj: Any, publication_id: int, actor: str | None) -> None:
    """Try a failed publication again (after fixing its cause); its item is rescheduled."""
    from campaigns.publications import retry_failed

    with support.user_errors():
        retry_failed(
            obj.db,
            publication_id,
            actor=support.actor_name(actor),
            roles=support.roles_of(obj),
            now=support.utc_now(),
        )
    click.echo(f"publication {publication_id} will be tried again by the next `publish due`")


@publish.command()
@click.argument("names", nargs=-1, metavar="[CHANNEL]...")
@json_option
@click.pass_obj
def health(obj: Any, names: tuple[str, ...], as_json: bool) -> None:
    """Check that each channel (or those named) answers and accepts its login."""
    from campaigns.channels import build_channel
    from campaigns.channels.base import ChannelError, Health

    unknown = [n for n in names if n not in obj.settings.channels]
    if unknown:
        raise click.ClickException(f"no channel {', '.join(unknown)}")
    results = {}
    for name, settings in obj.settings.channels.items():
        if names and name not in names:
            continue
        try:
            result = build_channel(name, settings, obj.secrets.get).health()
        except ChannelError as error:
            result = Health(False, str(error))
        results[name] = {
            "type": settings.type,
            "enabled": settings.enabled,
            "dry_run": settings.dry_run,
            "ok": result.ok,
            "detail": result.detail,
        }
    if as_json:
        from campaigns.cli_output import echo_json

        echo_json(results)
    else:
        for name, r in results.items():
            flag = "ok  " if r["ok"] else "FAIL"
            off = "" if r["enabled"] else " (disabled)"
            click.echo(f"{flag} {name} ({r['type']}){off}: {r['detail']}")
        if not results:
            click.echo("no channels configured; add [channels.NAME] tables")
    if any(not r["ok"] for r in results.values()):
        raise SystemExit(1)


@publish.command()
@json_option
@click.pass_obj
def spending(obj: Any, as_json: bool) -> None:
    """What paid channels (X) spent per month, against their monthly budget."""
    from campaigns.spending import amount_text, spending_rows

    paid = {n: c for n, c in obj.settings.channels.items() if c.type == "x"}
    rows = spending_rows(obj.db, paid)
    for row in rows:
        settings = paid.get(row["channel"])
        row["budget_per_month"] = amount_text(settings.budget_per_month) if settings else None
    if as_json:
        from campaigns.cli_output import echo_json

        echo_json(rows)
        return
    if not rows:
        click.echo("nothing spent yet")
    for row in rows:
        click.echo(
            f"{row['channel']} {row['month']}: {row['currency']} {row['spent']} for "
            f"{row['posts']} post(s); monthly budget {row['budget_per_month']}"
        )


def _echo_summary(summary: Any, as_json: bool) -> None:
    if as_json:
        from campaigns.cli_output import echo_json

        echo_json(summary.as_dict())
        return
    parts = [f"{summary.sent} sent", f"{summary.retried} to retry", f"{len(summary.failed)} failed"]
    if summary.reconciled:
        parts.append(f"{summary.reconciled} found already sent after a crash")
    if summary.withdrawn:
        parts.append(f"{summary.withdrawn} withdrawn")
    if summary.rate_limited:
        parts.append(f"{summary.rate_limited} held back by a rate limit")
    click.echo("publish: " + ", ".join(parts))
    for line in summary.failed:
        click.echo(f"  failed: {line}", err=True)
