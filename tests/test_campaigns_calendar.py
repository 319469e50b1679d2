"""The piggyback calendar (data/calendar/piggyback.toml): its content, loader and `upcoming`."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

import pytest

from campaigns.calendar import CalendarError, Moment, load_calendar, upcoming
from nlp.datafiles import data_path
from nlp.taxonomy import TOPICS

# DESIGN §6: no officialese. "dient" also catches "u dient" and "dient u".
OFFICIALESE = {"dient", "vrijblijvend", "verschuldigd", "teneinde", "middels"}
MUST_COVER = {
    "sinterklaas",
    "kerst-en-oud-en-nieuw",
    "januari-lange-maand",
    "jaarafrekening-energie",
    "brief-huurverhoging",
    "huurverhoging-1-juli",
    "vakantiegeld",
    "zomervakantie-boeken",
    "zomervakantie",
    "herfstvakantie",
    "meivakantie",
    "voorjaarsvakantie",
    "terug-naar-school",
    "start-studiejaar",
    "toeslagen-definitief",
    "belastingaangifte",
    "zorgverzekering-overstappen",
    "eigen-risico",
    "begin-stookseizoen",
    "koude-winter",
    "black-friday",
    "koningsdag",
    "auto-kopen-voorjaar",
    "verhuizen",
    "prinsjesdag",
}

VALID = """
[[moment]]
id = "sinterklaas"
name = "Sinterklaas"
topics = ["feestdagen", "winkelen"]
starts = "11-15"
ends = "12-05"
lead_weeks = 3
reason = "Cadeaus kosten veel. Tips helpen dan."
"""


@pytest.fixture(scope="module")
def moments() -> list[Moment]:
    return load_calendar()


def _by_id(found: list[tuple[Moment, date, date]]) -> dict[str, tuple[date, date]]:
    return {moment.id: (start, end) for moment, start, end in found}


def _moment(moment_id: str = "test", **fields) -> Moment:
    values = {
        "name": "Test",
        "topics": ("feestdagen",),
        "starts": (12, 1),
        "ends": (12, 31),
        "lead_weeks": 0,
        "reason": "Test.",
    }
    values.update(fields)
    return Moment(id=moment_id, **values)


# --- the shipped file ----------------------------------------------------------------------------


def test_campaigns_calendar_shipped_file_loads(moments: list[Moment]):
    assert load_calendar(data_path("calendar", "piggyback.toml")) == moments
    assert 30 <= len(moments) <= 45
    assert MUST_COVER - {moment.id for moment in moments} == set()


def test_campaigns_calendar_shipped_ids_are_unique():
    raw = tomllib.loads(data_path("calendar", "piggyback.toml").read_text(encoding="utf-8"))
    ids = [entry["id"] for entry in raw["moment"]]
    assert len(ids) == len(set(ids))


def test_campaigns_calendar_shipped_topics_are_valid(moments: list[Moment]):
    for moment in moments:
        assert moment.topics, moment.id
        assert set(moment.topics) <= set(TOPICS), moment.id


def test_campaigns_calendar_shipped_reasons_are_short_plain_and_use_je(
    moments: list[Moment],
):
    for moment in moments:
        sentences = [part for part in re.split(r"[.!?](?:\s+|$)", moment.reason) if part.strip()]
        words = re.findall(r"[\w'-]+", moment.reason.lower())
        assert 1 <= len(sentences) <= 2, moment.id
        assert len(moment.reason.split()) <= 40, moment.id
        assert not OFFICIALESE & set(words), moment.id
        assert not {"u", "uw"} & set(words), f"{moment.id}: use 'je', not 'u'"


def test_campaigns_calendar_shipped_leaves_out_payday(moments: list[Moment]):
    # End of the month comes every month: it is not a calendar moment.
    names = " ".join(f"{moment.id} {moment.name}".lower() for moment in moments)
    assert "einde-maand" not in names and "betaaldag" not in names


def test_campaigns_calendar_shipped_movable_moments_name_their_year(moments: list[Moment]):
    movable = [moment for moment in moments if moment.movable]
    assert {moment.name for moment in movable} == {"Ramadan en Suikerfeest", "Offerfeest"}
    for moment in movable:
        assert moment.year is not None and moment.note, moment.id
        assert moment.id.endswith(str(moment.year)), moment.id
    assert all(moment.year is None for moment in moments if not moment.movable)


def test_campaigns_calendar_shipped_rent_rises_on_1_july(moments: list[Moment]):
    rent = next(moment for moment in moments if moment.id == "huurverhoging-1-juli")
    assert rent.starts == (7, 1)


# --- upcoming on concrete dates ------------------------------------------------------------------


def test_campaigns_calendar_mid_november_finds_sinterklaas_and_kerst(moments: list[Moment]):
    found = _by_id(upcoming(moments, date(2026, 11, 15), horizon_weeks=3))
    assert found["sinterklaas"] == (date(2026, 11, 15), date(2026, 12, 5))
    # Kerst starts after this three-week horizon (6 December), but its three lead weeks open
    # the publishing window on 24 November.
    kerst = next(moment for moment in moments if moment.id == "kerst-en-oud-en-nieuw")
    assert kerst.lead_weeks == 3
    assert found["kerst-en-oud-en-nieuw"] == (date(2026, 12, 15), date(2027, 1, 1))
    assert "uitverkoop-na-kerst" not in found  # 26 December, no lead weeks


def test_campaigns_calendar_lead_weeks_bring_a_moment_into_the_horizon():
    today = date(2026, 11, 15)  # horizon ends on 27 December
    late = _moment("late", starts=(12, 28), ends=(12, 31), lead_weeks=0)
    early = _moment("early", starts=(12, 28), ends=(12, 31), lead_weeks=1)
    assert _by_id(upcoming([late, early], today)) == {
        "early": (date(2026, 12, 28), date(2026, 12, 31))
    }
    assert _by_id(upcoming([late], today, horizon_weeks=7)) == {
        "late": (date(2026, 12, 28), date(2026, 12, 31))
    }


def test_campaigns_calendar_late_december_wraps_into_january(moments: list[Moment]):
    found = _by_id(upcoming(moments, date(2026, 12, 28)))
    assert found["kerst-en-oud-en-nieuw"] == (date(2026, 12, 15), date(2027, 1, 1))
    assert found["goede-voornemens"] == (date(2026, 12, 27), date(2027, 1, 15))
    assert found["januari-lange-maand"] == (date(2027, 1, 1), date(2027, 1, 31))
    assert found["eigen-risico"] == (date(2027, 1, 1), date(2027, 3, 31))
    assert "sinterklaas" not in found  # ended on 5 December; next one is beyond the horizon


def test_campaigns_calendar_running_moment_is_included(moments: list[Moment]):
    # In January, the wrapping winter moment started last December and is still running.
    found = _by_id(upcoming(moments, date(2027, 1, 20)))
    assert found["koude-winter"] == (date(2026, 12, 1), date(2027, 2, 28))
    assert "goede-voornemens" not in found  # ended on 15 January; the next one is too far off
    assert found["januari-lange-maand"] == (date(2027, 1, 1), date(2027, 1, 31))


def test_campaigns_calendar_last_day_counts_and_day_after_does_not():
    moment = _moment(starts=(7, 1), ends=(7, 31), lead_weeks=3)
    assert _by_id(upcoming([moment], date(2026, 7, 31))) == {
        "test": (date(2026, 7, 1), date(2026, 7, 31))
    }
    assert upcoming([moment], date(2026, 8, 1)) == []


def test_campaigns_calendar_moment_beyond_horizon_is_left_out(moments: list[Moment]):
    found = _by_id(upcoming(moments, date(2026, 11, 15)))
    assert "zomervakantie" not in found
    assert "huurverhoging-1-juli" not in found
    assert "ramadan-2027" not in found  # publishing opens on 18 January 2027


def test_campaigns_calendar_results_are_sorted_by_start(moments: list[Moment]):
    found = upcoming(moments, date(2026, 12, 28), horizon_weeks=12)
    starts = [start for _, start, _ in found]
    assert starts == sorted(starts)
    assert len(found) >= 10


def test_campaigns_calendar_29_february_in_leap_and_other_years(moments: list[Moment]):
    winter = next(moment for moment in moments if moment.id == "koude-winter")
    assert winter.ends == (2, 29)
    assert _by_id(upcoming([winter], date(2027, 12, 20)))["koude-winter"] == (
        date(2027, 12, 1),
        date(2028, 2, 29),
    )
    assert _by_id(upcoming([winter], date(2029, 1, 10)))["koude-winter"] == (
        date(2028, 12, 1),
        date(2029, 2, 28),
    )
    leap_start = _moment(starts=(2, 29), ends=(3, 10))
    assert _by_id(upcoming([leap_start], date(2027, 2, 20))) == {
        "test": (date(2027, 2, 28), date(2027, 3, 10))
    }
    assert _by_id(upcoming([leap_start], date(2028, 2, 20))) == {
        "test": (date(2028, 2, 29), date(2028, 3, 10))
    }


def test_campaigns_calendar_movable_moment_only_in_its_year(moments: list[Moment]):
    found = _by_id(upcoming(moments, date(2027, 1, 20)))
    assert found["ramadan-2027"] == (date(2027, 2, 8), date(2027, 3, 11))
    assert "ramadan-2028" not in found
    # A year later the 2027 entry is spent and the 2028 one takes over.
    found = _by_id(upcoming(moments, date(2028, 1, 10)))
    assert "ramadan-2027" not in found
    assert found["ramadan-2028"] == (date(2028, 1, 28), date(2028, 2, 28))


def test_campaigns_calendar_movable_moment_may_wrap_over_the_year_end():
    moment = _moment(starts=(12, 26), ends=(1, 24), movable=True, year=2030, note="maan")
    assert _by_id(upcoming([moment], date(2030, 12, 20))) == {
        "test": (date(2030, 12, 26), date(2031, 1, 24))
    }
    assert upcoming([moment], date(2031, 12, 20)) == []


def test_campaigns_calendar_negative_horizon_is_refused(moments: list[Moment]):
    with pytest.raises(ValueError, match="horizon_weeks"):
        upcoming(moments, date(2026, 1, 1), horizon_weeks=-1)


# --- validation ----------------------------------------------------------------------------------


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "piggyback.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_campaigns_calendar_small_valid_file_loads(tmp_path: Path):
    [moment] = load_calendar(_write(tmp_path, VALID))
    assert moment == Moment(
        id="sinterklaas",
        name="Sinterklaas",
        topics=("feestdagen", "winkelen"),
        starts=(11, 15),
        ends=(12, 5),
        lead_weeks=3,
        reason="Cadeaus kosten veel. Tips helpen dan.",
    )
    assert not moment.movable and moment.year is None


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            '"winkelen"]',
            '"kerst"]',
            r"moment 'sinterklaas': unknown topic 'kerst'; allowed topics: huur, energie, schulden",
        ),
        ('topics = ["feestdagen", "winkelen"]', "topics = []", "topics must be a non-empty list"),
        ('ends = "12-05"', 'ends = "02-30"', r"ends '02-30' is not a date as MM-DD"),
        ('starts = "11-15"', 'starts = "13-01"', r"starts '13-01' is not a date as MM-DD"),
        ('starts = "11-15"', 'starts = "11-5"', r"starts '11-5' is not a date as MM-DD"),
        ('starts = "11-15"', "starts = 1115", r"starts 1115 is not a date as MM-DD"),
        ("lead_weeks = 3", "lead_weeks = 13", "lead_weeks must be a whole number from 0 to 12"),
        ("lead_weeks = 3", "lead_weeks = -1", "lead_weeks must be a whole number from 0 to 12"),
        ("lead_weeks = 3", "lead_weeks = 2.5", "lead_weeks must be a whole number from 0 to 12"),
        ("lead_weeks = 3", "", "moment 'sinterklaas': missing field 'lead_weeks'"),
        ('reason = "Cadeaus kosten veel. Tips helpen dan."', 'reason = "  "', "reason is empty"),
        ('reason = "Cadeaus kosten veel. Tips helpen dan."', "", "missing field 'reason'"),
        ('name = "Sinterklaas"', 'name = ""', "name is empty"),
        ('id = "sinterklaas"', 'id = "Sint Klaas"', r"id 'Sint Klaas' must be lower-case ascii"),
        ('id = "sinterklaas"', "", r"moment #1 \(no id\): missing field 'id'"),
        ("lead_weeks = 3", "lead_week = 3", "unknown field 'lead_week'"),
        ("lead_weeks = 3", "lead_weeks = 3\nyear = 2027", "year is only for movable moments"),
        ("lead_weeks = 3", "lead_weeks = 3\nmovable = true", "a movable moment needs a year"),
        ("lead_weeks = 3", "lead_weeks = 3\nmovable = 1", "movable must be true or false"),
    ],
)
def test_campaigns_calendar_rejects_bad_moment(tmp_path: Path, old: str, new: str, message: str):
    assert old in VALID
    path = _write(tmp_path, VALID.replace(old, new))
    with pytest.raises(CalendarError, match=message) as caught:
        load_calendar(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_campaigns_calendar_rejects_duplicate_id(tmp_path: Path):
    path = _write(tmp_path, VALID + VALID)
    with pytest.raises(
        CalendarError, match=r"moment 'sinterklaas': duplicate id \(also moment #1\)"
    ):
        load_calendar(path)


def test_campaigns_calendar_movable_needs_a_note_and_checks_its_year(tmp_path: Path):
    movable = VALID.replace("lead_weeks = 3", "lead_weeks = 3\nmovable = true\nyear = 2027")
    with pytest.raises(CalendarError, match="a movable moment needs a note"):
        load_calendar(_write(tmp_path, movable))
    leap_day = movable.replace('ends = "12-05"', 'ends = "02-29"') + 'note = "maan"\n'
    with pytest.raises(CalendarError, match=r"ends '02-29' is not a date as MM-DD in 2027"):
        load_calendar(_write(tmp_path, leap_day))
    [moment] = load_calendar(_write(tmp_path, leap_day.replace("2027", "2028")))
    assert moment.movable and moment.year == 2028 and moment.note == "maan"


def test_campaigns_calendar_reports_every_problem_at_once(tmp_path: Path):
    text = VALID.replace('"winkelen"]', '"kerst"]') + VALID.replace("lead_weeks = 3", "")
    with pytest.raises(CalendarError) as caught:
        load_calendar(_write(tmp_path, text))
    lines = str(caught.value).splitlines()
    assert len(lines) == 2
    assert "unknown topic 'kerst'" in lines[0] and "missing field 'lead_weeks'" in lines[1]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no moments"),
        ("[[moment]\n", "not valid TOML"),
        ("moment = [1]\n", r"moment #1 \(no id\): not a table"),
        (VALID + "\n[extra]\nkey = 1\n", "unknown top-level key 'extra'"),
    ],
)
def test_campaigns_calendar_rejects_bad_file(tmp_path: Path, text: str, message: str):
    path = _write(tmp_path, text)
    with pytest.raises(CalendarError, match=message) as caught:
        load_calendar(path)
    assert str(path) in str(caught.value)


def test_campaigns_calendar_missing_file_is_explained(tmp_path: Path):
    with pytest.raises(CalendarError, match="calendar file .*missing.toml does not exist"):
        load_calendar(tmp_path / "missing.toml")
