"""`campaigns.planner.suggest`: calendar moments ranked by urgency, signals and templates."""

from __future__ import annotations

from datetime import date, timedelta

from sqlite_utils import Database

from campaigns.planner import suggest

MID_NOVEMBER = date(2026, 11, 16)


def _ids(suggestions) -> list[str]:
    return [s.moment_id for s in suggestions]


def _week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def test_campaigns_planner_mid_november_puts_sinterklaas_and_black_friday_on_top(db):
    suggestions = suggest(db, MID_NOVEMBER)
    assert {"sinterklaas", "black-friday"} <= set(_ids(suggestions)[:3])
    assert [s.rank for s in suggestions] == list(range(1, len(suggestions) + 1))
    sinterklaas = next(s for s in suggestions if s.moment_id == "sinterklaas")
    assert sinterklaas.template_id == "feestdagen" and sinterklaas.theme == "feestdagen"
    assert sinterklaas.publish_from == date(2026, 10, 25)
    assert (sinterklaas.starts, sinterklaas.ends) == (date(2026, 11, 15), date(2026, 12, 5))
    assert (
        sinterklaas.reasons[0]
        == "Mensen zoeken vanaf half november naar de feestdagen en aanbiedingen."
    )
    assert any(r.startswith("Er is een sjabloon: feestdagen.") for r in sinterklaas.reasons)


def test_campaigns_planner_early_june_suggests_zomervakantie():
    suggestions = suggest(Database(memory=True), date(2026, 6, 5))
    assert "zomervakantie" in _ids(suggestions)[:3]


def test_campaigns_planner_is_deterministic_and_respects_the_horizon(db):
    assert suggest(db, MID_NOVEMBER, 2) == suggest(db, MID_NOVEMBER, 2)
    assert all(s.publish_from <= MID_NOVEMBER + timedelta(weeks=2)
               for s in suggest(db, MID_NOVEMBER, 2))  # fmt: skip


def test_campaigns_planner_rising_signals_change_the_order(db, signal_writer):
    before = _ids(suggest(db, MID_NOVEMBER))
    assert before.index("auto-winterklaar") > before.index("sinterklaas")
    monday = MID_NOVEMBER - timedelta(days=MID_NOVEMBER.weekday())
    for n in range(1, 13):  # 11 a week in the last four weeks, 6 a week in the eight before
        week = _week(monday - timedelta(weeks=n))
        signal_writer.add(week, 11 if n <= 4 else 6, money_trouble=True, topics=("auto",))
        signal_writer.add(week, 3, money_trouble=False, topics=("auto",))
    signal_writer.add(_week(monday), 50, money_trouble=True, topics=("feestdagen",))  # not complete
    after = suggest(db, MID_NOVEMBER)
    assert _ids(after)[0] == "auto-winterklaar"
    auto = after[0]
    assert "Signalen over auto stegen de laatste vier weken van gemiddeld 6 naar 11 per week." in (
        auto.reasons
    )
    assert not any("feestdagen stegen" in r for s in after for r in s.reasons)


def test_campaigns_planner_few_signals_are_noise(db, signal_writer):
    monday = MID_NOVEMBER - timedelta(days=MID_NOVEMBER.weekday())
    signal_writer.add(_week(monday - timedelta(weeks=1)), 4, money_trouble=True, topics=("auto",))
    assert suggest(db, MID_NOVEMBER) == suggest(Database(memory=True), MID_NOVEMBER)


def test_campaigns_planner_without_signal_topics_gives_no_signal_reasons():
    suggestions = suggest(Database(memory=True), MID_NOVEMBER)  # no tables at all
    assert suggestions
    assert not any("Signalen" in r for s in suggestions for r in s.reasons)


def test_campaigns_planner_moment_without_template_says_so(db):
    suggestions = suggest(db, date(2026, 6, 5))
    rent = next(s for s in suggestions if s.moment_id == "huurverhoging-1-juli")
    assert rent.template_id is None and rent.theme is None
    assert rent.reasons[-1].startswith("Er is nog geen sjabloon")
