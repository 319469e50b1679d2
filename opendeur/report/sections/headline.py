"""Headline: posts read, money-trouble signals and their share, by severity, against before."""

from __future__ import annotations

from opendeur.report import charts
from opendeur.report.counts import SUPPRESSED, compare, dutch_percent, one_decimal, shown_text
from opendeur.report.model import Cell, ReportContext, SectionResult, Table
from opendeur.report.queries import (
    classified_per_week,
    posts_per_week,
    trouble_per_week_severity,
)
from opendeur.report.words import SEVERITY_NAMES, SEVERITY_SHORT

TITLE = "In het kort"


def build(ctx: ReportContext) -> SectionResult:
    counts = ctx.counts
    weeks = ctx.trend
    posts = posts_per_week(ctx, weeks)
    classified = classified_per_week(ctx, [ctx.week])[ctx.week]
    severity = trouble_per_week_severity(ctx, weeks)
    trouble = {w: sum(by.values()) for w, by in severity.items()}
    before = ctx.compare_to
    read_now, trouble_now = posts[ctx.week], trouble[ctx.week]
    section = SectionResult("headline", TITLE)
    label = f"week {ctx.week.number} ({ctx.week.dutch_range()})"
    if read_now == 0:
        section.sentences.append(
            f"In {label} lazen we geen berichten. Daarom staan er deze week geen cijfers. "
            "Kijk bij ‘Bronnen’ of een bron niet werkte."
        )
    else:
        read_change = compare(read_now, [posts[w] for w in before], counts)
        trouble_change = compare(trouble_now, [trouble[w] for w in before], counts)
        section.sentences.append(
            f"In {label} lazen we {shown_text(counts.show(read_now))} berichten: "
            f"{read_change.words()}."
        )
        if trouble_now == 0:
            section.sentences.append("Geen van die berichten ging over eigen geldzorgen.")
        else:
            share = (
                f" ({dutch_percent(trouble_now, read_now)} van alle berichten)"
                if not counts.hidden(trouble_now) and not counts.hidden(read_now)
                else ""
            )
            section.sentences.append(
                f"{shown_text(counts.show(trouble_now))} berichten gingen over eigen "
                f"geldzorgen{share}. Dat is {trouble_change.words()}."
            )
        if classified < read_now:
            section.notes.append(
                f"{shown_text(counts.show(read_now - classified))} berichten van deze week zijn "
                "nog niet ingedeeld; ze tellen nog niet mee."
            )
    parts = counts.breakdown({str(s): severity[ctx.week][s] for s in (1, 2, 3)})
    rows = [
        _row("Berichten gelezen", read_now, [posts[w] for w in before], ctx),
        _row("Signalen van geldzorgen", trouble_now, [trouble[w] for w in before], ctx),
    ]
    for level in (1, 2, 3):
        row = _row(
            f"– ernst {level}: {SEVERITY_NAMES[level]}",
            severity[ctx.week][level],
            [severity[w][level] for w in before],
            ctx,
        )
        if parts[str(level)] == SUPPRESSED:
            row[1:] = [SUPPRESSED, "–", "–"]
        rows.append(row)
    if trouble_now:
        words = [f"{shown_text(parts[str(s)])} {SEVERITY_SHORT[s]} (ernst {s})" for s in (3, 2, 1)]
        section.sentences.append("Naar ernst: " + ", ".join(words) + ".")
    section.tables.append(
        Table(
            "headline",
            "Deze week en het gemiddelde van de vier weken ervoor",
            ["", "Deze week", "Gemiddeld vier weken ervoor", "Richting"],
            rows,
        )
    )
    section.charts.append(
        charts.line_chart(
            {"Signalen van geldzorgen": [counts.visible(trouble[w]) for w in weeks]},
            [str(w) for w in weeks],
            title="Signalen van geldzorgen per week",
            description=(
                f"Aantal berichten over eigen geldzorgen in de laatste {len(weeks)} weken. "
                f"Deze week: {shown_text(counts.show(trouble_now))}."
            ),
            threshold=counts.threshold,
            id_prefix="headline",
            y_label="signalen",
        )
    )
    section.figures = {
        "week": str(ctx.week),
        "posts_read": counts.show(read_now),
        "classified": counts.show(classified),
        "money_trouble": counts.show(trouble_now),
        "share": round(trouble_now / read_now, 4)
        if read_now and not counts.hidden(trouble_now) and not counts.hidden(read_now)
        else None,
        "by_severity": parts,
        "weeks": {str(w): {"posts": counts.show(posts[w]), "money_trouble": counts.show(trouble[w])}
                  for w in weeks},
    }  # fmt: skip
    return section


def _row(label: str, now: int, before: list[int], ctx: ReportContext) -> list[Cell]:
    change = compare(now, before, ctx.counts)
    mean = ctx.counts.mean(before)
    direction = {"hoger": "↑ meer", "lager": "↓ minder", "gelijk": "≈ gelijk"}.get(
        change.direction, "–"
    )
    return [label, ctx.counts.show(now), one_decimal(mean) if mean is not None else "–", direction]
