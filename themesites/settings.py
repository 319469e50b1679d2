"""The `[themesites]` section: the portfolio of theme sites and the open door they share.

Each site is a table `[themesites.sites.SLUG]`: its domain, the piggyback theme it rides on,
its title and tagline, and the folder of campaign articles the publisher's theme-site channel
writes (`[channels.NAME] type = "themesite"`). The contact block is the corporation's open
door, the same on every site: a dedicated number, who answers, and when.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    ValidationInfo,
    field_validator,
)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _resolve_path(value: Path | None, info: ValidationInfo) -> Path | None:
    if value is None:
        return None
    value = value.expanduser()
    base_dir = (info.context or {}).get("base_dir")
    return Path(base_dir) / value if not value.is_absolute() and base_dir is not None else value


def _domain(value: str) -> str:
    if not re.fullmatch(r"(?=.{1,253}$)([a-z0-9](-?[a-z0-9])*\.)+[a-z]{2,63}", value):
        raise ValueError(f'expected a domain name such as "geldvoorelkaar.nl", not {value!r}')
    return value


def _http_url(value: str) -> str:
    if value and not re.match(r"^https?://[^\s/]+", value):
        raise ValueError(f"expected an http:// or https:// address, not {value!r}")
    return value


Domain = Annotated[str, AfterValidator(_domain)]
Url = Annotated[str, AfterValidator(_http_url)]


class ContactSettings(_Section):
    """The open door: who tenants reach when they cannot pay, and how."""

    phone: str = Field("", description="The dedicated number for payment problems.")
    email: str = Field("", description="The e-mail address for payment problems.")
    team: str = Field("", description='Who answers, as a team ("het team Huur en Geld").')
    person: str = Field("", description="The first name of someone who answers the phone.")
    role: str = Field("", description='That person\'s role ("budgetcoach").')
    photo: Path | None = Field(
        None, description="A photo of that person (JPEG, PNG or WebP); initials without it."
    )
    hours: str = Field("", description='Opening hours in words ("maandag tot vrijdag 9-17 uur").')
    help_page: Url = Field("", description="The corporation's own help page.")
    callback_days: StrictInt = Field(
        1, ge=0, le=5, description="Working days within which a call-back request is answered."
    )

    _resolve = field_validator("photo")(_resolve_path)


class SiteSettings(_Section):
    """One theme site with a recognisable name."""

    domain: Domain = Field(description="The site's domain, for canonical links and Host routing.")
    theme: str = Field(description="The piggyback topic it rides on (lenen, vakantie, auto, ...).")
    title: str = Field(min_length=2, max_length=60, description="The site's name.")
    tagline: str = Field("", max_length=160, description="One sentence under the name.")
    content_dir: Path | None = Field(
        None, description="Campaign articles written by a themesite channel (KEY.md files)."
    )

    _resolve = field_validator("content_dir")(_resolve_path)

    @field_validator("theme")
    @classmethod
    def _known_theme(cls, value: str) -> str:
        from nlp.taxonomy import TOPICS

        if value not in TOPICS:
            raise ValueError(f"unknown theme {value!r}; themes: {', '.join(TOPICS)}")
        return value


def _default_out_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("opendeur")) / "sites"


class ThemeSitesSettings(_Section):
    """The theme sites: where they are built, the open door, and the portfolio."""

    out_dir: Path = Field(
        default_factory=_default_out_dir, description="Built sites go to OUT_DIR/SLUG/."
    )
    contact: ContactSettings = Field(default_factory=ContactSettings)
    callback_staff: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=list,
        description="Names that may read and close call-back requests (`site callbacks`).",
    )
    form_secret_env: Annotated[str, Field(pattern=r"^[A-Z_][A-Z0-9_]*$")] = Field(
        "OPENDEUR_FORM_SECRET",
        description="Environment variable with the key that signs the call-back form "
        "(32 or more random characters).",
    )
    sites: dict[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")], SiteSettings] = Field(
        default_factory=dict, description="The theme sites, one table each."
    )

    _resolve = field_validator("out_dir")(_resolve_path)
