"""Regions: money-trouble signals per province and per municipality.

The shipped gazetteer has no boundaries to draw a map with, so provinces are a bar chart.
"""

from __future__ import annotations

from nlp.gazetteer import PROVINCES, shipped_gazetteer
from opendeur.report import charts
from opendeur.report.counts import Shown, dutch_number, one_decimal
from opendeur.report.model import Cell, ReportContext, SectionResult, Table
from opendeur.report.queries import trouble_per_region

TITLE = "Regio’s"
MAX_MUNICIPALITIES = 20


def build(ctx: ReportContext) -> SectionResult:
    counts = ctx.counts
    section = SectionResult("regions", TITLE)
    by_province = trouble_per_region(ctx, "province", [*ctx.compare_to, ctx.week])
    provinces = sorted(set(PROVINCES.values()))
    # Signals without a place get no row and no number: with them the provinces would add up
    # to the headline's total, and one small province could be worked out by subtraction.
    this_week = {p: by_province.get(p, {}).get(ctx.week, 0) for p in provinces}
    shown = {p: counts.visible(n) for p, n in this_week.items()}
    means = {
        p: counts.mean([by_province.get(p, {}).get(w, 0) for w in ctx.compare_to])
        for p in provinces
    }
    if not any(this_week.values()):
        section.sentences.append(
            "Deze week waren er geen signalen van geldzorgen met een bekende provincie."
        )
    else:
        section.sentences.append(
            "Signalen per provincie, uit een plaatsnaam in het bericht of uit de regio van de "
            "bron. Signalen zonder plaats staan hier niet bij."
        )
        best = max(provinces, key=lambda p: shown[p] or 0)
        if shown[best]:
            section.sentences.append(
                f"De meeste signalen kwamen uit {best} ({dutch_number(shown[best])})."
            )
    section.sentences.append(
        "Een kaart staat er niet in: opendeur heeft geen kaartgegevens van gemeenten. "
        "De staafjes laten hetzelfde zien."
    )
    section.charts.append(
        charts.bar_chart(
            [(p, shown[p]) for p in provinces],
            title="Signalen van geldzorgen per provincie",
            description=f"Staafjes per provincie voor week {ctx.week.number}; het streepje is "
            "het gemiddelde van de vier weken ervoor.",
            threshold=counts.threshold,
            id_prefix="regions",
            comparison=[means[p] if shown[p] is not None else None for p in provinces],
        )
    )
    section.tables.append(
        Table(
            "regions_provinces",
            "Signalen per provincie",
            ["Provincie", "Deze week", "Gemiddeld vier weken ervoor"],
            [
                [
                    p,
                    counts.show(this_week[p]),
                    one_decimal(means[p]) if means[p] is not None and shown[p] is not None else "–",
                ]
                for p in provinces
            ],
        )  # fmt: skip
    )
    section.tables.append(_municipalities(ctx, this_week))
    section.figures = {"provinces": {p: counts.show(this_week[p]) for p in provinces}}
    return section


def _municipalities(ctx: ReportContext, provinces: dict[str, int]) -> Table:
    """Municipalities with signals this week, hidden counts listed last.

    Each province's total is shown, so its municipalities are a breakdown of it: the
    signals known only by province count as one more (unshown) part, and a single small
    municipality hides the next smallest with it.
    """
    counts = ctx.counts
    by_code = trouble_per_region(ctx, "municipality_code", [ctx.week])
    names = shipped_gazetteer().by_code
    now = {code: weeks[ctx.week] for code, weeks in by_code.items() if code and weeks[ctx.week]}
    shown: dict[str, Shown] = {}
    for province, total in provinces.items():
        inside = {c: n for c, n in now.items() if c in names and names[c].province == province}
        parts = counts.breakdown({**inside, "": total - sum(inside.values())})
        shown.update({c: v for c, v in parts.items() if c})
    shown.update({c: counts.show(n) for c, n in now.items() if c not in shown})

    def order(code: str) -> tuple[bool, int, str]:
        # Hidden counts come after the shown ones, alphabetically: the order must not rank
        # the small counts either.
        value = shown[code]
        hidden = not isinstance(value, int)
        return hidden, 0 if hidden else -value, names[code].name if code in names else code

    ordered = sorted(now, key=order)
    rows: list[list[Cell]] = []
    for code in ordered[:MAX_MUNICIPALITIES]:
        municipality = names.get(code)
        rows.append(
            [
                municipality.name if municipality else code,
                municipality.province if municipality else "",
                shown[code],
            ]
        )
    rest = ordered[MAX_MUNICIPALITIES:]
    if rest:
        rows.append([f"{len(rest)} andere gemeenten", "", counts.show(sum(now[c] for c in rest))])
    return Table(
        "regions_municipalities",
        "Signalen per gemeente, deze week" if rows else "Deze week geen signalen met een gemeente",
        ["Gemeente", "Provincie", "Deze week"],
        rows,
    )
