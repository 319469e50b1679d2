"""Campaign templates: ready Dutch B1 content per piggyback theme, in ``data/templates``.

A template is a campaign file (`campaigns.content_file`) with one extra table::

    [template]
    theme = "feestdagen"                        # one of nlp.taxonomy.TOPICS
    moments = ["sinterklaas", "kerst-en-oud-en-nieuw"]   # calendar ids it fits
    description = "Feestdagen betaalbaar houden, en waar je terecht kunt."

Its texts hold placeholders that `fill` replaces with the corporation's own details:
``{organisatie}``, ``{telefoon}``, ``{hulp_pagina}`` and ``{team}``. Templates are written
in the "je" form (``[campaign] address_form = "je"``); the README of ``data/templates`` says why
there are no "u" variants yet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from campaigns.content_file import CampaignContent, CampaignFileError, parse_campaign
from campaigns.toml_files import read_toml
from nlp.datafiles import data_path
from nlp.taxonomy import TOPICS

PLACEHOLDERS = ("organisatie", "telefoon", "hulp_pagina", "team")
_PLACEHOLDER = re.compile(r"\{([^{}\s]*)\}")
_TEMPLATE_KEYS = {"theme", "moments", "description"}


class TemplateError(ValueError):
    """A template cannot be read or filled; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Template:
    id: str  # the file name without .toml
    theme: str
    moments: tuple[str, ...]
    description: str
    path: Path
    data: dict[str, Any]  # the [campaign] and [[item]] tables, placeholders unfilled

    @property
    def address_form(self) -> str:
        return str(self.data.get("campaign", {}).get("address_form") or "je")

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(str(item.get("channel")) for item in self.data.get("item", []))


def templates_dir() -> Path:
    return data_path("templates")


def load_templates(folder: Path | None = None) -> list[Template]:
    """Every ``*.toml`` template in ``folder`` (default: the shipped one), sorted by id.

    All problems are reported at once, each naming its file.
    """
    folder = folder if folder is not None else templates_dir()
    paths = sorted(folder.glob("*.toml"))
    if not paths:
        raise TemplateError(f"{folder}: no templates (*.toml) found")
    problems: list[str] = []
    templates = []
    for path in paths:
        try:
            templates.append(load_template(path))
        except TemplateError as error:
            problems.append(str(error))
    if problems:
        raise TemplateError("\n".join(problems))
    return templates


def load_template(path: Path) -> Template:
    document = read_toml(path, TemplateError, "template")
    meta = document.pop("template", None)
    problems = _meta_problems(meta)
    try:
        parse_campaign(document, str(path))
    except CampaignFileError as error:
        problems.append(str(error).removeprefix(f"{path}: "))
    unknown = sorted(set(_placeholders(document)) - set(PLACEHOLDERS))
    if unknown:
        problems.append(
            f"unknown placeholder(s) {_braced(unknown)}; known: {_braced(PLACEHOLDERS)}"
        )
    if problems:
        raise TemplateError(f"{path}: " + "; ".join(problems))
    assert isinstance(meta, dict)
    return Template(id=path.stem, theme=meta["theme"], moments=tuple(meta["moments"]),
                    description=" ".join(meta["description"].split()), path=path,
                    data=document)  # fmt: skip


def fill(
    template: Template, *, organisation: str, phone: str, help_page: str, team: str
) -> CampaignContent:
    """The template's campaign with every placeholder replaced.

    Refuses (TemplateError) a placeholder it does not know and an empty value for one the
    template uses.
    """
    values = {"organisatie": organisation, "telefoon": phone, "hulp_pagina": help_page,
              "team": team}  # fmt: skip
    used = _placeholders(template.data)
    unknown = sorted(set(used) - set(values))
    if unknown:
        raise TemplateError(
            f"{template.path}: unknown placeholder(s) {_braced(unknown)}; "
            f"known: {_braced(PLACEHOLDERS)}"
        )
    missing = [name for name in PLACEHOLDERS if name in used and not values[name].strip()]
    if missing:
        raise TemplateError(
            f"{template.path}: no value for {_braced(missing)}; give "
            + ", ".join(_ARGUMENT[name] for name in missing)
        )
    filled = _replace(template.data, {key: value.strip() for key, value in values.items()})
    return parse_campaign(filled, str(template.path))


_ARGUMENT = {"organisatie": "organisation", "telefoon": "phone", "hulp_pagina": "help_page",
             "team": "team"}  # fmt: skip


def _meta_problems(meta: Any) -> list[str]:
    if not isinstance(meta, dict):
        return ["missing [template] table with theme, moments and description"]
    problems = [
        f"[template] has an unknown key {key!r}" for key in sorted(set(meta) - _TEMPLATE_KEYS)
    ]
    problems += [f"[template] lacks {key!r}" for key in sorted(_TEMPLATE_KEYS - set(meta))]
    if "theme" in meta and meta["theme"] not in TOPICS:
        problems.append(
            f"[template] theme must be one of {', '.join(TOPICS)}, not {meta['theme']!r}"
        )
    moments = meta.get("moments", [])
    if not isinstance(moments, list) or not all(isinstance(m, str) and m for m in moments):
        problems.append("[template] moments must be a list of calendar ids")
    if not isinstance(meta.get("description", ""), str) or not str(meta.get("description")).strip():
        problems.append("[template] description must be a short Dutch text")
    return problems


def _placeholders(value: Any) -> list[str]:
    if isinstance(value, str):
        return _PLACEHOLDER.findall(value)
    if isinstance(value, dict):
        return [name for part in value.values() for name in _placeholders(part)]
    if isinstance(value, list):
        return [name for part in value for name in _placeholders(part)]
    return []


def _replace(value: Any, values: dict[str, str]) -> Any:
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda match: values[match[1]], value)
    if isinstance(value, dict):
        return {key: _replace(part, values) for key, part in value.items()}
    if isinstance(value, list):
        return [_replace(part, values) for part in value]
    return value


def _braced(names) -> str:
    return ", ".join(f"{{{name}}}" for name in names)
