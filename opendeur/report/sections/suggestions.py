"""Suggestions: piggyback topics for the coming weeks, from the seasonal calendar and the
signals that rise, each with its reason."""

from __future__ import annotations

from datetime import timedelta

from campaigns.calendar import CalendarError, load_calendar, upcoming
from nlp.taxonomy import TROUBLE_TOPICS
from opendeur.errors import ConfigError
from opendeur.report.counts import compare
from opendeur.report.model import Item, ReportContext, SectionResult
from opendeur.report.queries import trouble_per_topic_week
from opendeur.report.weeks import dutch_date
from opendeur.report.words import TOPIC_NAMES

TITLE = "Tips voor de komende weken"
HORIZON_WEEKS = 6
MAX_MOMENTS = 8
RECENT_START = timedelta(weeks=2)  # a moment that began this recently is still news


def build(ctx: ReportContext) -> SectionResult:
    section = SectionResult("suggestions", TITLE)
    per_topic = trouble_per_topic_week(ctx)
    rising = [
        topic for topic in TROUBLE_TOPICS
        if compare(per_topic[topic][ctx.week], [per_topic[topic][w] for w in ctx.compare_to],
                   ctx.counts).direction == "hoger"
    ]  # fmt: skip
    today = ctx.week.sunday + timedelta(days=1)
    try:
        calendar = load_calendar()
    except CalendarError as error:
        raise ConfigError(f"the piggyback calendar cannot be read: {error}") from error
    moments = upcoming(calendar, today, HORIZON_WEEKS)
    # Moments that touch a rising topic come first: that is where content helps most now.
    # Then the ones still ahead, by when publishing should start; long-running moments that
    # began weeks ago come last, or they would crowd out what is about to start.
    moments.sort(
        key=lambda m: (
            not set(m[0].topics) & set(rising),
            m[1] < today - RECENT_START,
            m[1] - timedelta(weeks=m[0].lead_weeks),
        )
    )
    for topic in rising:
        section.items.append(
            Item(
                f"Meer signalen over {TOPIC_NAMES[topic]}",
                f"Deze week gingen meer berichten over geldzorgen over {TOPIC_NAMES[topic]} dan "
                "in de vier weken ervoor. Zet hulp bij dit onderwerp vooraan.",
            )
        )
    for moment, starts, ends in moments[:MAX_MOMENTS]:
        publish = max(today, starts - timedelta(weeks=moment.lead_weeks))
        linked = [TOPIC_NAMES[t] for t in moment.topics if t in rising]
        detail = f"Publiceren vanaf {dutch_date(publish)}; het moment loopt van " \
                 f"{dutch_date(starts)} tot en met {dutch_date(ends)}."  # fmt: skip
        if linked:
            detail += f" Past bij de stijging van {', '.join(linked)}."
        section.items.append(Item(moment.name, moment.reason, detail))
    if section.items:
        section.sentences.append(
            "Onderwerpen waar mensen de komende weken naar zoeken, en waar je hulp bij geld "
            "aan kunt koppelen. De reden staat erbij."
        )
    else:
        section.sentences.append(
            f"Er staat in de komende {HORIZON_WEEKS} weken geen moment in de kalender, en geen "
            "onderwerp stijgt. Kies een algemeen onderwerp, zoals sparen of vaste lasten."
        )
    section.figures = {
        "rising_topics": rising,
        "moments": [
            {"id": m.id, "starts": s.isoformat(), "ends": e.isoformat()}
            for m, s, e in moments[:MAX_MOMENTS]
        ],
    }
    return section
