"""Theme-site build speed: a site of 2,000 campaign articles, pages per second (target 1,000).

Eleventy publishes about 2,000 and Hugo about 5,800 pages/s on a similar benchmark. The
articles are Markdown files as the publisher's theme-site channel writes them; the figure is
the median of three builds of the whole site (every page, sitemap, feed), written to disk.
"""

from __future__ import annotations

import statistics
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ARTICLES = 2_000
RUNS = 3
BODY = (
    "December is een dure maand. Cadeaus, eten en uitjes kosten samen veel geld.\n\n"
    "- Maak een lijstje van wat je echt wilt kopen.\n- Spreek met familie een bedrag af.\n"
    "- Zet elke week wat geld opzij.\n\n"
    "Lukt de huur niet meer? Bel ons. We denken mee en zoeken samen een oplossing.\n"
) * 3


def write_articles(folder: Path) -> None:
    start = datetime(2026, 1, 1, 9, tzinfo=UTC)
    for n in range(ARTICLES):
        moment = (start + timedelta(hours=n)).isoformat()
        (folder / f"{n:016x}.md").write_text(
            f'+++\ntitle = "Tip {n}: zo hou je de maand betaalbaar"\n'
            f'summary = "Vier tips om de maand rond te krijgen, en waar je hulp vindt."\n'
            f'slug = "tip-{n}-zo-hou-je-de-maand-betaalbaar"\ndate = "{moment}"\n'
            f'link = "https://voorbeeld.nl/hulp?utm_source=themesite"\ntags = ["feestdagen"]\n'
            f'key = "{n:016x}"\n+++\n\n{BODY}',
            encoding="utf-8",
        )


def run() -> None:
    from themesites.builder import Organisation, build_site
    from themesites.settings import ContactSettings, SiteSettings

    contact = ContactSettings(phone="010 123 45 67", team="het team Huur en Geld",
                              hours="maandag tot vrijdag van 9 tot 17 uur")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        articles = Path(tmp) / "artikelen"
        articles.mkdir()
        write_articles(articles)
        site = SiteSettings(domain="geldvoorelkaar.nl", theme="feestdagen",
                            title="Geld voor elkaar", content_dir=articles)  # fmt: skip
        results = [
            build_site(
                "bench", site, contact, Organisation("Woonstichting Test"), Path(tmp) / "out"
            )
            for _ in range(RUNS)
        ]
    rates = [r.pages_per_second for r in results]
    print(f"site build: {results[0].pages} pages ({results[0].articles} articles), "
          f"median {statistics.median(rates):,.0f} pages/s over {RUNS} builds "
          f"(range {min(rates):,.0f}-{max(rates):,.0f}; target 1,000)")  # fmt: skip


if __name__ == "__main__":
    run()
