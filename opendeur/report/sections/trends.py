"""Trends: twelve weeks of money-trouble signals per trouble topic."""

from __future__ import annotations

from nlp.taxonomy import TROUBLE_TOPICS
from opendeur.report import charts
from opendeur.report.counts import compare, shown_text
from opendeur.report.model import ReportContext, SectionResult, Table
from opendeur.report.queries import trouble_per_topic_week
from opendeur.report.words import TOPIC_NAMES

TITLE = "Onderwerpen: de laatste weken"


def build(ctx: ReportContext) -> SectionResult:
    counts = ctx.counts
    per_topic = trouble_per_topic_week(ctx)
    weeks = ctx.trend
    section = SectionResult("trends", TITLE)
    section.sentences.append(
        f"Hoeveel berichten over eigen geldzorgen per onderwerp gingen, in de laatste "
        f"{len(weeks)} weken. Eén bericht kan over meer onderwerpen gaan."
    )
    silent = []
    for topic in TROUBLE_TOPICS:
        series = per_topic[topic]
        name = TOPIC_NAMES[topic].capitalize()
        if not any(series.values()):
            silent.append(TOPIC_NAMES[topic])
            continue
        now = series[ctx.week]
        change = compare(now, [series[w] for w in ctx.compare_to], counts)
        section.sentences.append(
            f"{name}: deze week {shown_text(counts.show(now))}, {change.words()}."
        )
    if silent:
        section.sentences.append(
            f"Over {_join(silent)} vonden we in deze {len(weeks)} weken geen signalen."
        )
    section.charts.append(
        charts.line_chart(
            {
                TOPIC_NAMES[t].capitalize(): [counts.visible(per_topic[t][w]) for w in weeks]
                for t in TROUBLE_TOPICS
            },
            [str(w) for w in weeks],
            title="Signalen van geldzorgen per onderwerp",
            description=(
                f"Lijnen per onderwerp over {len(weeks)} weken, van {weeks[0]} tot {weeks[-1]}. "
                f"Aantallen onder {counts.threshold} staan in de grijze band, zonder getal."
            ),
            threshold=counts.threshold,
            id_prefix="trends",
            y_label="signalen",
        )
    )
    section.tables.append(
        Table(
            "trends",
            "Signalen van geldzorgen per onderwerp en week",
            ["Onderwerp", *[w.short() for w in weeks]],
            [
                [TOPIC_NAMES[t], *[counts.show(per_topic[t][w]) for w in weeks]]
                for t in TROUBLE_TOPICS
            ],
        )
    )
    section.figures = {
        topic: {str(w): counts.show(per_topic[topic][w]) for w in weeks} for topic in TROUBLE_TOPICS
    }
    return section


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " en " + words[-1]
