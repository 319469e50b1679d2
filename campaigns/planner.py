"""The campaign planner: which calendar moments to make a campaign for now, and why.

`suggest` takes the upcoming moments of the piggyback calendar (`campaigns.calendar.upcoming`)
and ranks them by ``score = urgency + rise + template``:

- **urgency** (0 to 1): how soon publishing should start. Publishing starts ``lead_weeks``
  before the moment (``publish_from``). A moment whose publishing has begun but which has not
  started yet scores 1.0: its content should be out now. A running moment scores 1.0 at its
  first day down to 0.5 at its last. A moment whose publishing is still ahead scores
  ``0.9 * (1 - days until publish_from / (horizon days + 7))``: sooner is more urgent.
- **rise** (0 to 1): rising money-trouble signals in the moment's topics, read from listener's
  table ``signal_topics`` (``money_trouble = 1``). Per topic the posts of the last four
  complete ISO weeks (the week of ``today`` is not complete) are compared with the eight weeks
  before, as means per week. A topic rises when the four weeks hold at least 5 posts
  (``MIN_COUNT``, against noise) and the ratio ``recent mean / max(earlier mean, 1)`` is at
  least 1.25; its rise is ``min(ratio - 1, 1)``. The moment takes its highest topic's rise. No
  table or no rows means "no signal information": a rise of 0 and no signal reason.
- **template** (0.25): a template in ``data/templates`` fits the moment: it lists the moment's
  id in its ``moments``, or else its theme is the moment's first topic.

Ties go to the earlier start, then the id, so the order is fixed for a given database and date.
Every suggestion carries Dutch B1 sentences (``reasons``) that say why.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from sqlite_utils import Database

from campaigns.calendar import Moment, load_calendar, upcoming
from campaigns.content_file import CampaignContent
from campaigns.templates import Template, TemplateError, fill, load_templates

log = logging.getLogger(__name__)

MIN_COUNT = 5  # posts in the last four weeks before a topic can count as rising
RISE_RATIO = 1.25
RECENT_WEEKS, EARLIER_WEEKS = 4, 8
TEMPLATE_BONUS = 0.25

MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")  # fmt: skip
# What people search for, per topic, as it reads after "Mensen zoeken ... naar".
SEARCHED = {
    "huur": "de huur", "energie": "hun energierekening", "schulden": "hulp bij schulden",
    "lenen": "geld lenen", "inkomen": "hun inkomen", "vakantie": "een vakantie",
    "feestdagen": "de feestdagen", "auto": "een auto", "studie": "school of studie",
    "wonen": "verhuizen", "winkelen": "aanbiedingen",
}  # fmt: skip


@dataclass(frozen=True)
class Suggestion:
    rank: int
    moment_id: str
    moment_name: str
    theme: str | None  # the template's theme; None without a template
    topics: tuple[str, ...]
    publish_from: date
    starts: date
    ends: date
    score: float
    reasons: tuple[str, ...]
    template_id: str | None

    def as_dict(self) -> dict:
        data = asdict(self)
        data.update(topics=list(self.topics), reasons=list(self.reasons),
                    publish_from=self.publish_from.isoformat(), starts=self.starts.isoformat(),
                    ends=self.ends.isoformat())  # fmt: skip
        return data


@dataclass(frozen=True)
class TopicTrend:
    topic: str
    recent_mean: float
    earlier_mean: float
    rise: float  # 0 when not rising


def suggest(
    db: Database, today: date, horizon_weeks: int = 8, moments: Sequence[Moment] | None = None,
    templates: Sequence[Template] | None = None,
) -> list[Suggestion]:  # fmt: skip
    """Ranked campaign suggestions for the moments within ``horizon_weeks`` of ``today``."""
    moments = load_calendar() if moments is None else moments
    templates = load_templates() if templates is None else templates
    trends = topic_trends(db, today)
    scored = []
    for moment, starts, ends in upcoming(moments, today, horizon_weeks):
        publish_from = starts - timedelta(weeks=moment.lead_weeks)
        template = template_for(moment, templates)
        rising = [trends[t] for t in moment.topics if t in trends and trends[t].rise > 0]
        score = (_urgency(today, publish_from, starts, ends, horizon_weeks)
                 + max((t.rise for t in rising), default=0.0)
                 + (TEMPLATE_BONUS if template else 0.0))  # fmt: skip
        reasons = (*_timing_reasons(moment, today, publish_from, starts, ends), moment.reason,
                   *(_signal_reason(t) for t in rising), _template_reason(template))  # fmt: skip
        scored.append((round(score, 3), moment, publish_from, starts, ends, template, reasons))
    scored.sort(key=lambda s: (-s[0], s[3], s[1].id))
    return [
        Suggestion(rank=rank, moment_id=moment.id, moment_name=moment.name,
                   theme=template.theme if template else None, topics=moment.topics,
                   publish_from=publish_from, starts=starts, ends=ends, score=score,
                   reasons=reasons, template_id=template.id if template else None)
        for rank, (score, moment, publish_from, starts, ends, template, reasons)
        in enumerate(scored, start=1)
    ]  # fmt: skip


def campaign_from(
    suggestion: Suggestion, *, organisation: str, help_page: str, phone: str, team: str,
    address_form: str, templates: Sequence[Template] | None = None,
) -> CampaignContent:  # fmt: skip
    """The campaign of ``suggestion``'s template, filled in, over the suggestion's period.

    The period runs from ``publish_from`` (the lead time before the moment, when people start
    searching) to the moment's end. Raises TemplateError when there is no usable template.
    """
    import dataclasses

    if suggestion.template_id is None:
        raise TemplateError(
            f"suggestion {suggestion.rank} ({suggestion.moment_name}) has no template; "
            "create it with `campaign new` or `campaign import`"
        )
    templates = load_templates() if templates is None else templates
    template = next(t for t in templates if t.id == suggestion.template_id)
    if address_form != template.address_form:
        raise TemplateError(
            f'the templates are written with "{template.address_form}" and '
            f'organisation.address_form is "{address_form}"; there are no "{address_form}" '
            "variants yet, so write the campaign yourself (`campaign new` or `campaign import`)"
        )
    values = {"organisation.name": organisation, "campaigns.help_page": help_page,
              "campaigns.phone": phone, "campaigns.team": team}  # fmt: skip
    missing = [key for key, value in values.items() if not str(value).strip()]
    if missing:
        raise TemplateError(
            f"a campaign from a template needs {', '.join(missing)} in the configuration file"
        )
    content = fill(template, organisation=organisation, phone=phone, help_page=help_page,
                   team=team)  # fmt: skip
    return dataclasses.replace(
        content, name=f"{suggestion.moment_name} {suggestion.starts.year}",
        starts=suggestion.publish_from.isoformat(), ends=suggestion.ends.isoformat(),
    )  # fmt: skip


def template_for(moment: Moment, templates: Sequence[Template]) -> Template | None:
    """The template listing the moment (by id order), else one whose theme is its first topic."""
    listed = [t for t in templates if moment.id in t.moments]
    themed = [t for t in templates if t.theme == moment.topics[0]]
    found = sorted(listed, key=lambda t: t.id) or sorted(themed, key=lambda t: t.id)
    return found[0] if found else None


def topic_trends(db: Database, today: date) -> dict[str, TopicTrend]:
    """Money-trouble posts per topic: last four complete ISO weeks against the eight before."""
    this_monday = today - timedelta(days=today.weekday())
    recent = [_iso_week(this_monday - timedelta(weeks=n)) for n in range(1, RECENT_WEEKS + 1)]
    earlier = [_iso_week(this_monday - timedelta(weeks=n))
               for n in range(RECENT_WEEKS + 1, RECENT_WEEKS + EARLIER_WEEKS + 1)]  # fmt: skip
    weeks = recent + earlier
    try:
        rows = db.execute(
            "SELECT topic, week, count(DISTINCT post_id) FROM signal_topics "
            f"WHERE money_trouble = 1 AND week IN ({', '.join('?' * len(weeks))}) "
            "GROUP BY topic, week",
            weeks,
        ).fetchall()
    except sqlite3.OperationalError as error:  # listener's tables are not there
        log.info("No signal information for the planner: %s", error)
        return {}
    counts: dict[str, list[int]] = {}
    for topic, week, count in rows:
        pair = counts.setdefault(topic, [0, 0])
        pair[0 if week in recent else 1] += count
    trends = {}
    for topic, (recent_total, earlier_total) in sorted(counts.items()):
        recent_mean, earlier_mean = recent_total / RECENT_WEEKS, earlier_total / EARLIER_WEEKS
        ratio = recent_mean / max(earlier_mean, 1.0)
        rising = recent_total >= MIN_COUNT and ratio >= RISE_RATIO
        trends[topic] = TopicTrend(topic, recent_mean, earlier_mean,
                                   min(ratio - 1, 1.0) if rising else 0.0)  # fmt: skip
    return trends


def _urgency(today: date, publish_from: date, starts: date, ends: date, horizon: int) -> float:
    if today < publish_from:
        return 0.9 * (1 - (publish_from - today).days / (horizon * 7 + 7))
    if today < starts:
        return 1.0
    length = max((ends - starts).days, 1)
    return 1.0 - 0.5 * min((today - starts).days / length, 1.0)


def _timing_reasons(
    moment: Moment, today: date, publish_from: date, starts: date, ends: date
) -> list[str]:
    searched = _join([SEARCHED[topic] for topic in moment.topics])
    first = f"Mensen zoeken vanaf {_part_of_month(starts)} naar {searched}."
    if today < publish_from:
        weeks = "week" if moment.lead_weeks == 1 else "weken"
        second = (f"Begin met publiceren op {_day(publish_from)}: {moment.lead_weeks} {weeks} "
                  f"voor de start op {_day(starts)}.")  # fmt: skip
    elif today < starts:
        second = f"Publiceer nu: {moment.name} begint op {_day(starts)}."
    else:
        second = f"{moment.name} loopt nu, tot en met {_day(ends)}. Publiceer zo snel mogelijk."
    return [first, second]


def _signal_reason(trend: TopicTrend) -> str:
    before, now = _number(trend.earlier_mean), _number(trend.recent_mean)
    return (
        f"Signalen over {trend.topic} stegen de laatste vier weken van gemiddeld {before} "
        f"naar {now} per week."
    )


def _template_reason(template: Template | None) -> str:
    if template is None:
        return "Er is nog geen sjabloon voor dit moment. Schrijf de teksten zelf."
    return f"Er is een sjabloon: {template.id}. {template.description}"


def _part_of_month(day: date) -> str:
    part = "begin" if day.day <= 10 else "half" if day.day <= 20 else "eind"
    return f"{part} {MONTHS[day.month - 1]}"


def _day(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]}"


def _number(value: float) -> str:
    rounded = round(value, 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}".replace(".", ",")


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} en {parts[-1]}"


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
