"""``opendeur demo``: the whole loop on one machine, no network, no secrets (DESIGN §7).

The demo works in its own folder with its own configuration and database, so it never touches
a production store. Each feature adds a step to ``DEMO_STEPS``; running it twice is safe.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import platformdirs
from sqlite_utils import Database

from opendeur.errors import OpendeurError
from opendeur.jobs import Clock, job_run, utc_now
from opendeur.secrets import Secrets, read_env_file
from opendeur.settings import APP_NAME, Settings, load_settings
from opendeur.store import migration_sets, migration_status, open_db

DEMO_CONFIG = """\
# Configuration of `opendeur demo`: a fictional corporation on this machine only.
# Safe to edit; delete this folder to start the demo afresh.

[organisation]
name = "Woonstichting De Voorbeeldhaven"
website = "https://voorbeeldhaven.example"
contact_url = "https://voorbeeldhaven.example/contact"
address_form = "je"

[store]
path = "opendeur.db"

[secrets]
env_file = "secrets.env"  # a random hash key made for this demo

[classifier]
models_dir = "models"  # trained by the demo on the shipped corpus

# Campaigns: two people (four-eyes), the dedicated number and who answers it.
[campaigns]
editors = ["redactie"]
approvers = ["teamleider"]
help_page = "https://voorbeeldhaven.example.com/hulp-bij-betalen"  # example.com: reserved
phone = "010 123 45 67"
team = "het team Huur en Geld"

# Where campaign content goes. The blog articles go to the local theme site; the real
# channels are dry runs: they record exactly what they would send, and send nothing.
# Posts carry short links to the theme site (BASE/go/CODE), which counts arrivals.
[publish]
short_link_base = "https://geldvoorelkaar.example.com"

# The theme site with the open door; `opendeur serve` serves it at /s/geldvoorelkaar/.
[themesites]
out_dir = "sites"

[themesites.contact]
phone = "010 123 45 67"
email = "huurengeld@voorbeeldhaven.example.com"
team = "het team Huur en Geld"
person = "Samira"
role = "budgetcoach"
hours = "maandag tot vrijdag van 9 tot 17 uur"
help_page = "https://voorbeeldhaven.example.com/hulp-bij-betalen"

[themesites.sites.geldvoorelkaar]
domain = "geldvoorelkaar.example.com"
theme = "lenen"
title = "Geld voor elkaar"
tagline = "Eerlijke tips over lenen, sparen en rondkomen."
content_dir = "site/artikelen"

[channels.themasite]
type = "themesite"
carries = ["wordpress", "themesite"]
content_dir = "site/artikelen"
site = "geldvoorelkaar"

[channels.blog]
type = "wordpress"
dry_run = true
url = "https://blog.voorbeeldhaven.example.com"
user = "redactie"

[channels.x]
type = "x"
dry_run = true
price_per_post = 0.015
price_per_post_with_link = 0.20
budget_per_campaign = 10
budget_per_month = 25

[channels.facebook]
type = "facebook"
dry_run = true
page_id = "voorbeeldhaven"

# The sample sources of data/samples, served on this machine by the demo itself.
[listener.crawl]
download_delay_seconds = 0
autothrottle = false
timeout_seconds = 8
max_page_bytes = 2000000
retries = 3
max_retry_after_seconds = 5

[listener.sources.phpbb]
type = "forum"
purpose = "Voorbeeldforum (phpBB) over geld en wonen, met lastige pagina's"
preset = "phpbb"
start_urls = ["{samples}/phpbb/forum-2.html", "{samples}/phpbb/forum-9.html", "{samples}/hostile/"]
region = "Utrecht"

[listener.sources.xenforo]
type = "forum"
purpose = "Voorbeeldforum (XenForo) over geldzaken"
preset = "xenforo"
start_urls = ["{samples}/xenforo/forums/geldzaken.4/"]

[listener.sources.discourse_html]
type = "forum"
purpose = "Voorbeeldforum (Discourse, zonder JavaScript gelezen)"
preset = "discourse_html"
start_urls = ["{samples}/discourse/c/geld/5"]

[listener.sources.vbulletin]
type = "forum"
purpose = "Voorbeeldforum (vBulletin) over rondkomen"
preset = "vbulletin"
start_urls = ["{samples}/vbulletin/forumdisplay-12.html"]

[listener.sources.discourse]
type = "discourse"
purpose = "Hetzelfde Discourse-forum, via de JSON-API"
base_url = "{samples}/discourse"

[listener.sources.reddit]
type = "reddit"
purpose = "Voorbeeld van een subreddit over geldzaken"
subreddit = "geldzaken"
base_url = "{samples}/reddit"

[listener.sources.nieuws]
type = "feed"
purpose = "Lokale nieuwssite (RSS) over huren en armoede"
urls = ["{samples}/feeds/nieuws.rss"]

[listener.sources.blog]
type = "feed"
purpose = "Budgetblog (Atom) met tips over geld"
urls = ["{samples}/feeds/blog.atom"]

[listener.sources.blogarchief]
type = "sitemap"
purpose = "Artikelen van het budgetblog via de sitemap"
urls = ["{samples}/sitemap-index.xml"]
follow = "/blog/"
content = "article"
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def sample_port(settings: Settings) -> int:
    """The port the demo configuration's sources point at (chosen when it was written)."""
    for source in settings.listener.sources.values():
        for url in [*getattr(source, "start_urls", []), *getattr(source, "urls", [])]:
            return urlsplit(url).port or 80
        if getattr(source, "base_url", None):
            return urlsplit(source.base_url).port or 80
    raise OpendeurError("the demo configuration lists no sample sources; delete it to start afresh")


def default_demo_folder() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / "demo"


@dataclass
class DemoWorkspace:
    folder: Path
    config_path: Path
    settings: Settings
    secrets: Secrets
    db: Database
    clock: Clock


@dataclass
class StepResult:
    summary: dict[str, Any]  # figures, for --json
    lines: list[str]  # what the step did, for people
    look_at: dict[str, str] = field(default_factory=dict)  # label -> path or command


@dataclass
class DemoStep:
    name: str
    run: Callable[[DemoWorkspace], StepResult]


@dataclass
class DemoReport:
    folder: Path
    config_path: Path
    config_created: bool
    steps: list[tuple[str, StepResult]]
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "folder": str(self.folder),
            "config": str(self.config_path),
            "config_created": self.config_created,
            "seconds": round(self.seconds, 3),
            "steps": {name: result.summary for name, result in self.steps},
            "look_at": {k: v for _, result in self.steps for k, v in result.look_at.items()},
        }


def opendeur_command() -> str:
    """How to call opendeur from a shell: the venv's script when it is not on PATH."""
    script = Path(sys.executable).with_name("opendeur")
    return (
        "opendeur"
        if shutil.which("opendeur") == str(script) or not script.exists()
        else str(script)
    )


def store_step(workspace: DemoWorkspace) -> StepResult:
    states = migration_status(workspace.db)
    sets = sorted({s.migration_set for s in states} | {m.name for m in migration_sets()})
    tables = workspace.db.table_names()
    path = workspace.settings.store.path
    return StepResult(
        summary={"path": str(path), "migration_sets": sets, "tables": len(tables)},
        lines=[f"database ready: {len(tables)} tables from {len(sets)} migration sets"],
        look_at={
            "database": str(path),
            "database status": f"{opendeur_command()} --config {workspace.config_path} db status",
        },
    )


def listen_step(workspace: DemoWorkspace) -> StepResult:
    """Serve the sample sources and listen to them, as `opendeur listen run` would."""
    from listener.runner import run_sources
    from listener.sample_server import SampleServer

    settings = workspace.settings.listener
    names = [name for name, source in settings.sources.items() if source.enabled]
    from listener.identifiers import HashKeyMissing, IdentifierHasher

    variable = workspace.settings.privacy.hash_key_env
    hash_key = workspace.secrets.get(variable)
    try:
        IdentifierHasher.from_secret(hash_key, variable)
    except HashKeyMissing as error:
        raise OpendeurError(
            f"{error} (the demo's key is in {workspace.folder}/secrets.env)"
        ) from error
    port = sample_port(workspace.settings)
    try:
        server = SampleServer(port)
    except OSError as error:
        raise OpendeurError(
            f"port {port} for the sample sources is in use ({error.strerror}); is another demo "
            f"running in {workspace.folder}?"
        ) from error
    with server:
        results = run_sources(
            workspace.db,
            workspace.settings.store.path,
            settings,
            names,
            hasher_key=hash_key,
            agent=f"opendeur-demo ({workspace.settings.organisation.name})",
            secrets=workspace.secrets,
            clock=workspace.clock,
        )
    stored = {name: result.counts.get("stored", 0) for name, result in results.items()}
    problems = sum(
        value
        for result in results.values()
        for key, value in result.counts.items()
        if key.startswith("error/")
    )
    total = workspace.db["posts"].count
    return StepResult(
        summary={"stored": stored, "posts_in_store": total, "problems_counted": problems},
        lines=[
            f"listened to {len(names)} sample sources: {sum(stored.values())} new posts stored, "
            f"{total} in the store, {problems} failed pages counted (on purpose)",
        ],
        look_at={"sources": f"{opendeur_command()} --config {workspace.config_path} listen list"},
    )


def train_step(workspace: DemoWorkspace) -> StepResult:
    """Train the default classifier on the shipped corpus, once per demo folder."""
    from nlp.classifier import ModelStore, TrainOptions
    from nlp.evaluation import write_report
    from nlp.training import train_model

    settings = workspace.settings.classifier
    store = ModelStore(settings.models_dir)
    version = store.current_version(settings.backend)
    if version is not None:
        figures = store.load(settings.backend).meta.figures.get("test", {})
        line = f"classifier {version} already trained"
    else:
        options = TrainOptions(processes=settings.processes)
        classifier, report = train_model(settings.backend, store, options)
        version = classifier.version
        write_report(report, store.folder(settings.backend, version))
        figures = classifier.meta.figures.get("test", {})
        line = f"trained classifier {version} on the shipped corpus"
    command = f"{opendeur_command()} --config {workspace.config_path}"
    return StepResult(
        summary={"model": version, "test_figures": figures},
        lines=[
            line + ": on the test split money-trouble F1 "
            f"{figures.get('money_trouble_f1', 0):.3f}, kind macro-F1 "
            f"{figures.get('kind_macro_f1', 0):.3f}, topics micro-F1 "
            f"{figures.get('topics_micro_f1', 0):.3f}"
        ],
        look_at={
            "classifier figures": str(store.folder(settings.backend, version) / "evaluation.txt"),
            "classify a text": f'echo \'{{"text": "ik red de huur niet"}}\' | {command} classify',
        },
    )


def classify_step(workspace: DemoWorkspace) -> StepResult:
    """Classify the stored posts into signals, as `listen run` does after listening."""
    from listener.signals import classify_new, signal_overview
    from nlp.classifier import ModelStore

    settings = workspace.settings.classifier
    classifier = ModelStore(settings.models_dir).load(settings.backend)
    result = classify_new(workspace.db, classifier, workspace.clock(), settings.batch_size)
    overview = signal_overview(workspace.db)
    topics = ", ".join(f"{t} {n}" for t, n in list(overview["trouble_by_topic"].items())[:5])
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(overview["by_kind"].items()))
    severity = ", ".join(f"{k}: {n}" for k, n in sorted(overview["by_severity"].items()))
    return StepResult(
        summary={"classified": result.classified, **overview},
        lines=[
            f"classified {result.classified} new posts; {overview['money_trouble']} of "
            f"{overview['signals']} signals say money trouble",
            f"  by kind: {kinds}",
            f"  money trouble by severity {severity}; by topic: {topics or 'none'}",
        ],
    )


def report_step(workspace: DemoWorkspace) -> StepResult:
    """Write the weekly signal report for the latest complete week with signals."""
    from opendeur.report.weekly import make_weekly_report
    from opendeur.report.weeks import Week

    now = workspace.clock()
    latest = Week.last_complete(now)
    # The sample posts carry fixed dates: report the newest week of them that has ended.
    row = workspace.db.execute(
        "SELECT max(week) FROM signals WHERE week <= ?", [str(latest)]
    ).fetchone()
    week = Week.parse(row[0]) if row and row[0] else latest
    report = make_weekly_report(
        workspace.db,
        workspace.settings,
        workspace.secrets,
        week,
        now,
        out_dir=workspace.folder / "reports" / str(week),
    )
    headline = next((s for s in report.sections if s.name == "headline"), None)
    command = f"{opendeur_command()} --config {workspace.config_path}"
    return StepResult(
        summary={
            "week": str(week),
            "html": str(report.html),
            "sections": [s.name for s in report.sections],
            "headline": headline.figures if headline else {},
        },
        lines=[
            f"wrote the weekly signal report for {week} ({len(report.sections)} sections, "
            f"{len(report.csv)} CSV tables)",
            *(f"  {sentence}" for sentence in (headline.sentences[:2] if headline else [])),
        ],
        look_at={
            "weekly report": str(report.html),
            "report as PDF": f"{command} report weekly --week {week} --pdf",
        },
    )


def campaign_step(workspace: DemoWorkspace) -> StepResult:
    """Plan a campaign from the calendar and signals, check it, approve it, publish it."""
    import dataclasses
    from zoneinfo import ZoneInfo

    from campaigns.planner import campaign_from, suggest
    from campaigns.publications import list_rows
    from campaigns.publisher import publisher_for
    from campaigns.roles import Roles
    from campaigns.workflow import Publishing, approve, import_campaign, schedule, submit

    settings, db = workspace.settings, workspace.db
    if not settings.channels:
        return StepResult(
            summary={"skipped": "no channels"},
            lines=[
                "campaign step skipped: this demo folder's configuration predates "
                "campaigns; delete the folder to start the demo afresh"
            ],
        )
    now = workspace.clock()
    zone = ZoneInfo(settings.campaigns.timezone)
    today = now.astimezone(zone).date()
    # The suggestion to act on today: one with a template, preferably one whose lead time
    # has begun. On a quiet day of the calendar the demo publishes the next one early, so its
    # period starts today.
    with_template = [s for s in suggest(db, today, 52) if s.template_id]
    suggestion = next((s for s in with_template if s.publish_from <= today), with_template[0])
    c = settings.campaigns
    content = campaign_from(
        suggestion,
        organisation=settings.organisation.name,
        help_page=c.help_page,
        phone=c.phone,
        team=c.team,
        address_form=settings.organisation.address_form,
    )
    content = dataclasses.replace(content, starts=min(str(content.starts), today.isoformat()))
    roles = Roles.from_names(c.editors, c.approvers)
    campaign_id = import_campaign(db, content, actor="redactie", roles=roles, now=now)
    submit(db, campaign_id, actor="redactie", roles=roles, now=now)
    approve(db, campaign_id, actor="teamleider", roles=roles, now=now)
    schedule(db, campaign_id, at=now, zone=zone, actor="redactie", roles=roles, now=now,
             publishing=Publishing.from_channels(settings.channels))  # fmt: skip
    publisher = publisher_for(db, settings.channels, settings.publish, c.timezone,
                              workspace.secrets.get, clock=workspace.clock)  # fmt: skip
    summary = publisher.run_once()
    rows = list_rows(db, campaign_id=campaign_id)
    status = db.execute("SELECT status FROM campaigns WHERE id = ?", [campaign_id]).fetchone()[0]
    command = f"{opendeur_command()} --config {workspace.config_path}"
    lines = [
        f'planned campaign {campaign_id} "{content.name}" ({suggestion.moment_name}); '
        f"checked, approved by a second person, published: {status}"
    ]
    for row in rows:
        how = "dry run, recorded" if row["dry_run"] else (row["remote_url"] or row["remote_id"])
        lines.append(f"  {row['channel']}: {row['state']} ({how})")
    return StepResult(
        summary={
            "campaign": campaign_id,
            "name": content.name,
            "status": status,
            "sent": summary.sent,
            "failed": summary.failed,
            "publications": {r["channel"]: r["state"] for r in rows},
        },
        lines=lines,
        look_at={
            "campaign": f"{command} campaign show {campaign_id}",
            "what each channel got": f"{command} publish list --campaign {campaign_id} --json",
            "theme-site articles": str(settings.channels["themasite"].content_dir)
            if "themasite" in settings.channels
            else "",
        },
    )


def site_step(workspace: DemoWorkspace) -> StepResult:
    """Build the theme site, serve it on this machine, and follow a tracked link once."""
    import threading

    import uvicorn

    from opendeur.commands.serve import build_app
    from themesites.builder import Organisation, build_site

    settings, db = workspace.settings, workspace.db
    if not settings.themesites.sites:
        return StepResult(
            summary={"skipped": "no sites"},
            lines=[
                "site step skipped: this demo folder's configuration predates the theme "
                "sites; delete the folder to start the demo afresh"
            ],
        )
    organisation = Organisation(settings.organisation.name, settings.organisation.website)
    built = [
        build_site(
            slug,
            site,
            settings.themesites.contact,
            organisation,
            settings.themesites.out_dir,
            now=workspace.clock(),
        )
        for slug, site in settings.themesites.sites.items()
    ]
    slug = built[0].slug
    code = db.execute(
        "SELECT tracking_code FROM content_items WHERE channel = 'wordpress' ORDER BY id DESC"
    ).fetchone()
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            build_app(workspace),
            host="127.0.0.1",
            port=port,
            access_log=False,
            log_level="warning",
            server_header=False,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    lines = [
        f"built theme site {r.slug}: {r.pages} pages ({r.articles} articles) in {r.folder}"
        for r in built
    ]
    followed = None
    try:
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        if code is not None:
            followed = _follow_once(f"http://127.0.0.1:{port}/go/{code[0]}")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    arrivals = db.execute("SELECT coalesce(sum(count), 0) FROM arrivals").fetchone()[0]
    if followed:
        lines.append(
            f"served it on 127.0.0.1:{port}; /go/{code[0]} led to {followed} and "
            f"counted an arrival ({arrivals} in all, per link per day, no cookies)"
        )
    command = f"{opendeur_command()} --config {workspace.config_path}"
    return StepResult(
        summary={
            "sites": {r.slug: r.pages for r in built},
            "arrivals": arrivals,
            "redirect": followed,
        },
        lines=lines,
        look_at={
            "theme site": str(built[0].folder / "index.html"),
            "serve it": f"{command} serve, then http://{slug}.localhost:8000/",
        },
    )


def _follow_once(url: str) -> str | None:
    """Where ``url`` redirects to, without following it (the target is not on this machine)."""
    import urllib.error
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect, urllib.request.ProxyHandler({}))
    try:
        opener.open(url, timeout=10)
    except urllib.error.HTTPError as answer:
        return answer.headers.get("Location") if answer.code in (301, 302, 303, 307) else None
    return None


DEMO_STEPS: list[DemoStep] = [
    DemoStep("store", store_step),
    DemoStep("train", train_step),
    DemoStep("listen", listen_step),
    DemoStep("classify", classify_step),
    DemoStep("report", report_step),
    DemoStep("campaign", campaign_step),
    DemoStep("site", site_step),
]


def prepare_folder(folder: Path) -> tuple[Path, bool]:
    """Create the demo folder, its configuration and its secrets unless they exist."""
    folder.mkdir(parents=True, exist_ok=True)
    secrets_path = folder / "secrets.env"
    if not secrets_path.exists():
        secrets_path.write_text(f"OPENDEUR_HASH_KEY={secrets.token_urlsafe(32)}\n")
        secrets_path.chmod(0o600)
    if "OPENDEUR_FORM_SECRET=" not in secrets_path.read_text():  # folders made before the sites
        with secrets_path.open("a") as handle:
            handle.write(f"OPENDEUR_FORM_SECRET={secrets.token_urlsafe(32)}\n")
    config_path = folder / "opendeur.toml"
    if config_path.exists():
        return config_path, False
    # A free port, chosen once and kept in the configuration: demos in other folders (and
    # the tests) never collide.
    samples = f"http://127.0.0.1:{_free_port()}"
    config_path.write_text(DEMO_CONFIG.replace("{samples}", samples), encoding="utf-8")
    return config_path, True


def run_demo(
    folder: Path,
    steps: list[DemoStep] | None = None,
    clock: Clock = utc_now,
    on_step: Callable[[str, StepResult], None] | None = None,
) -> DemoReport:
    started = time.perf_counter()
    config_path, created = prepare_folder(folder)
    settings = load_settings(config_path).settings
    env_file = settings.secrets.env_file
    secrets_ = Secrets(os.environ, read_env_file(env_file) if env_file else {})
    db = open_db(settings.store.path)
    workspace = DemoWorkspace(folder, config_path, settings, secrets_, db, clock)
    results: list[tuple[str, StepResult]] = []
    with job_run(db, "demo", clock=clock) as run:
        for step in DEMO_STEPS if steps is None else steps:
            result = step.run(workspace)
            results.append((step.name, result))
            run.summary[step.name] = result.summary
            if on_step:
                on_step(step.name, result)
    db.close()
    return DemoReport(folder, config_path, created, results, time.perf_counter() - started)
