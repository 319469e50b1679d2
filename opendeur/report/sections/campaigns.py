"""Campaigns: items published per channel and arrivals per tracking link.

The campaign and theme-site packages own their tables; the report reads two views they
provide, so it does not depend on their table layout:
``report_publications (week, channel, items)`` and ``report_arrivals (week, link, arrivals)``.
Until those exist, the section says that campaigns have not started.
"""

from __future__ import annotations

from opendeur.report.model import ReportContext, SectionResult, Table

TITLE = "Campagnes"
PUBLICATIONS_VIEW = "report_publications"
ARRIVALS_VIEW = "report_arrivals"


def build(ctx: ReportContext) -> SectionResult:
    section = SectionResult("campaigns", TITLE)
    week = str(ctx.week)
    published = []
    if ctx.has_table(PUBLICATIONS_VIEW):
        published = ctx.db.execute(
            f"SELECT channel, sum(items) FROM {PUBLICATIONS_VIEW} WHERE week = ? "
            "GROUP BY channel ORDER BY channel",
            [week],
        ).fetchall()
    arrivals = []
    if ctx.has_table(ARRIVALS_VIEW):
        arrivals = ctx.db.execute(
            f"SELECT link, sum(arrivals) FROM {ARRIVALS_VIEW} WHERE week = ? "
            "GROUP BY link ORDER BY sum(arrivals) DESC, link",
            [week],
        ).fetchall()
    if not ctx.has_table(PUBLICATIONS_VIEW):
        section.sentences.append(
            "Er zijn nog geen campagnes. Zodra er berichten verstuurd zijn, staat hier per "
            "kanaal hoeveel, en hoeveel mensen via elke link binnenkwamen."
        )
    elif not published:
        section.sentences.append("Deze week is er niets gepubliceerd.")
    else:
        total = sum(n for _, n in published)
        section.sentences.append(f"Deze week zijn er {total} berichten gepubliceerd.")
        section.tables.append(
            Table("campaign_publications", "Gepubliceerd per kanaal", ["Kanaal", "Berichten"],
                  [[c, n] for c, n in published])
        )  # fmt: skip
    if arrivals:
        # Arrivals are counts of clicks on a link, not of people: no small-count rule needed,
        # and nothing about a person is stored (DESIGN §5).
        section.sentences.append(
            f"Via de links kwamen deze week {sum(n for _, n in arrivals)} bezoeken binnen."
        )
        section.tables.append(
            Table("campaign_arrivals", "Bezoeken per link", ["Link", "Bezoeken"],
                  [[link, n] for link, n in arrivals])
        )  # fmt: skip
    elif ctx.has_table(ARRIVALS_VIEW):
        section.sentences.append("Deze week kwam niemand binnen via een campagnelink.")
    section.figures = {
        "published": dict(published),
        "arrivals": dict(arrivals),
    }
    return section
