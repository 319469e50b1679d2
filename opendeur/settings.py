"""Settings: one TOML file, validated on load, with secrets kept out of it.

Lookup order for the file: ``--config PATH``, then ``$OPENDEUR_CONFIG``, then
``opendeur.toml`` in the user's configuration folder; with none of these the built-in
defaults apply. Relative paths in the file are taken relative to the file's own folder.

Secrets never live in the file: a setting that needs one names an environment variable in a
key ending in ``_env`` (``hash_key_env = "OPENDEUR_HASH_KEY"``); see :mod:`opendeur.secrets`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import platformdirs
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from campaigns.channel_settings import CHANNEL_SETTING_TYPES, ChannelSettings, PublishSettings
from listener.settings import SOURCE_TYPES, ListenerSettings
from opendeur.errors import ConfigError
from themesites.settings import ThemeSitesSettings

APP_NAME = "opendeur"
CONFIG_ENV = "OPENDEUR_CONFIG"
CONFIG_FILENAME = "opendeur.toml"

# Keys that look like they hold a secret value. Such a value belongs in the environment; the
# file names the variable instead (``password_env``).
_SECRET_KEY = re.compile(r"(password|passwd|secret|token|api_?key|private_key|access_key)$", re.I)
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME)) / CONFIG_FILENAME


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / "opendeur.db"


def _check_env_name(value: str) -> str:
    if not _ENV_NAME.match(value):
        raise ValueError(
            f"expected the name of an environment variable (capitals, digits and _), not {value!r}"
        )
    return value


EnvName = Annotated[str, AfterValidator(_check_env_name)]


def _check_http_url(value: str) -> str:
    if value and not re.match(r"^https?://[^\s/]+", value):
        raise ValueError(f"expected an http:// or https:// address, not {value!r}")
    return value


HttpUrl = Annotated[str, AfterValidator(_check_http_url)]


class Section(BaseModel):
    """A settings section: unknown keys are errors, values are immutable once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _resolve_path(value: Path, info: ValidationInfo) -> Path:
    value = value.expanduser()
    base_dir = (info.context or {}).get("base_dir")
    if not value.is_absolute() and base_dir is not None:
        value = Path(base_dir) / value
    return value


class OrganisationSettings(Section):
    """The corporation running opendeur; named in the crawler's user agent and on reports."""

    name: str = Field("", description="Name of the housing corporation.")
    website: HttpUrl = Field("", description="The corporation's website.")
    contact_url: HttpUrl = Field(
        "", description="Page where site owners can reach you; sent in the crawler's user agent."
    )
    address_form: Literal["je", "u"] = Field(
        "je", description='How content addresses tenants: "je" or "u", never both.'
    )


class StoreSettings(Section):
    """Where the SQLite database lives (outside the repository)."""

    path: Path = Field(default_factory=default_db_path, description="Database file.")

    _resolve = field_validator("path")(_resolve_path)


class PrivacySettings(Section):
    """Privacy rules of DESIGN §5 that a corporation may tune."""

    retention_days: StrictInt = Field(
        30, ge=0, description="Days scrubbed post text is kept; 0 = classify and drop."
    )
    min_count: StrictInt = Field(
        5, ge=1, description='Counts below this are shown as "< N" in reports and exports.'
    )
    show_excerpts: StrictBool = Field(
        False, description="Show short scrubbed excerpts in reports (off by default)."
    )
    hash_key_env: EnvName = Field(
        "OPENDEUR_HASH_KEY",
        description="Environment variable holding the secret key for hashing identifiers.",
    )


class SecretsSettings(Section):
    """An optional file of KEY=VALUE secrets, kept outside any repository."""

    env_file: Path | None = Field(None, description="Secrets file loaded into the environment.")

    @field_validator("env_file")
    @classmethod
    def _resolve_env_file(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        return None if value is None else _resolve_path(value, info)


def default_models_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / "models"


class ClassifierSettings(Section):
    """The money-trouble classifier: which backend, where its trained models live."""

    backend: Literal["spacy", "transformers"] = Field(
        "spacy", description='Model backend: "spacy" (default) or "transformers" (optional extra).'
    )
    models_dir: Path = Field(
        default_factory=default_models_dir,
        description="Folder of trained models, one versioned folder per training.",
    )
    base_model: Path | None = Field(
        None, description="transformers: local folder of the checkpoint to fine-tune."
    )
    device: Literal["auto", "cpu", "cuda"] = Field(
        "auto", description="transformers: where to train and classify (auto uses a GPU if any)."
    )
    batch_size: StrictInt = Field(
        500, ge=1, le=100_000, description="Posts classified per batch (and per transaction)."
    )
    processes: StrictInt = Field(
        2, ge=1, le=64,
        description="spacy: processes that classify a batch, and that train the threshold folds "
        "of `nlp train` (one per CPU core).",
    )  # fmt: skip

    _resolve = field_validator("models_dir")(_resolve_path)

    @field_validator("base_model")
    @classmethod
    def _resolve_base_model(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        return None if value is None else _resolve_path(value, info)


def default_reports_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / "reports"


class ReportEmailSettings(Section):
    """Where `opendeur report weekly --email` sends the report (SMTP, TLS verified)."""

    host: str = Field("", description="SMTP server.")
    port: StrictInt = Field(587, ge=1, le=65535, description="SMTP port (587 for STARTTLS).")
    security: Literal["starttls", "tls", "none"] = Field(
        "starttls", description='"starttls", "tls" (port 465) or "none" (this machine only).'
    )
    username: str = Field("", description="Login name; empty: no login.")
    password_env: EnvName = Field(
        "OPENDEUR_SMTP_PASSWORD", description="Environment variable holding the SMTP password."
    )
    sender: str = Field("", description="From address.")
    recipients: list[str] = Field(default_factory=list, description="To addresses.")
    ca_file: Path | None = Field(
        None, description="Certificate authority file, for a server with a private certificate."
    )
    timeout_seconds: float = Field(30, gt=0, le=600, description="Seconds to wait for the server.")

    @field_validator("ca_file")
    @classmethod
    def _resolve_ca_file(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        return None if value is None else _resolve_path(value, info)


def _check_sections(value: list[str]) -> list[str]:
    from opendeur.report.sections import SECTIONS

    unknown = [name for name in value if name not in SECTIONS]
    if unknown:
        raise ValueError(f"unknown section(s) {', '.join(unknown)}; known: {', '.join(SECTIONS)}")
    if len(set(value)) != len(value):
        raise ValueError("a section is listed twice")
    return value


def _all_sections() -> list[str]:
    from opendeur.report.sections import SECTIONS

    return list(SECTIONS)


class ReportSettings(Section):
    """The weekly signal report."""

    out_dir: Path = Field(
        default_factory=default_reports_dir, description="Folder of reports, one per week."
    )
    sections: Annotated[list[str], AfterValidator(_check_sections)] = Field(
        default_factory=_all_sections, description="Sections shown, in this order."
    )
    trend_weeks: StrictInt = Field(12, ge=4, le=52, description="Weeks shown in trends.")
    compare_weeks: StrictInt = Field(
        4, ge=1, le=12, description="Earlier weeks each figure is compared with."
    )
    browser: Path | None = Field(None, description="Chromium for --pdf (default: on PATH).")
    email: ReportEmailSettings = Field(default_factory=ReportEmailSettings)

    _resolve = field_validator("out_dir")(_resolve_path)


def _check_timezone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(
            f'unknown time zone {value!r}; use a name like "Europe/Amsterdam"'
        ) from error
    return value


def _check_names(value: list[str]) -> list[str]:
    if any(not name.strip() for name in value):
        raise ValueError("a name is empty")
    return value


Names = Annotated[list[str], AfterValidator(_check_names)]


class CampaignSettings(Section):
    """Campaigns: who may edit and approve them, time zone, and the open door templates name."""

    editors: Names = Field(
        default_factory=list,
        description="Names that may create and edit campaigns; with approvers empty too: everyone.",
    )
    approvers: Names = Field(
        default_factory=list,
        description="Names that may approve campaigns (never their own: four-eyes).",
    )
    timezone: Annotated[str, AfterValidator(_check_timezone)] = Field(
        "Europe/Amsterdam", description="Time zone of scheduled times and campaign periods."
    )
    help_page: HttpUrl = Field(
        "", description="The help page campaign templates link to (`campaign plan --create`)."
    )
    phone: str = Field("", description="The dedicated phone number campaign templates give.")
    team: str = Field(
        "", description='Who answers that phone, as templates name it ("het team Huur en Geld").'
    )


ChannelName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]


class Settings(Section):
    """The whole configuration file."""

    organisation: OrganisationSettings = Field(default_factory=OrganisationSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    secrets: SecretsSettings = Field(default_factory=SecretsSettings)
    listener: ListenerSettings = Field(default_factory=ListenerSettings)
    classifier: ClassifierSettings = Field(default_factory=ClassifierSettings)
    report: ReportSettings = Field(default_factory=ReportSettings)
    campaigns: CampaignSettings = Field(default_factory=CampaignSettings)
    channels: dict[ChannelName, ChannelSettings] = Field(
        default_factory=dict, description="Where campaign content is published, by name."
    )
    publish: PublishSettings = Field(default_factory=PublishSettings)
    themesites: ThemeSitesSettings = Field(default_factory=ThemeSitesSettings)


@dataclass(frozen=True)
class LoadedSettings:
    settings: Settings
    source: Path | None  # None: built-in defaults, no file


def find_config_file(explicit: Path | None, environ: Mapping[str, str]) -> Path | None:
    """Return the configuration file to read, or None for the built-in defaults."""
    if explicit is not None:
        candidate, origin = explicit, "--config"
    elif environ.get(CONFIG_ENV):
        candidate, origin = Path(environ[CONFIG_ENV]), f"${CONFIG_ENV}"
    else:
        default = default_config_path()
        return default if default.is_file() else None
    candidate = candidate.expanduser()
    if not candidate.is_file():
        raise ConfigError(f"configuration file {candidate} (from {origin}) does not exist")
    return candidate


def load_settings(path: Path | None) -> LoadedSettings:
    """Read and validate a configuration file; ``None`` gives the defaults."""
    if path is None:
        return LoadedSettings(Settings(), None)
    raw = _read_toml(path)
    problems = [f"{key}: {message}" for key, message in _literal_secrets(raw)]
    if not problems:
        try:
            settings = Settings.model_validate(raw, context={"base_dir": path.parent})
            return LoadedSettings(settings, path)
        except ValidationError as error:
            problems = [_describe(e) for e in error.errors()]
    raise ConfigError("\n".join(f"{path}: {problem}" for problem in problems))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read configuration file {path}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"{path}: not UTF-8 text (byte {error.start}); save the file as UTF-8"
        ) from error
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from error


def _literal_secrets(raw: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for key, value in raw.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from _literal_secrets(value, dotted + ".")
        elif _SECRET_KEY.search(key) and isinstance(value, str):
            yield (
                dotted,
                (
                    "secrets do not belong in the configuration file; set "
                    f'{key}_env = "SOME_NAME" and put the value in that environment variable'
                ),
            )


_PLAIN_MESSAGES = {
    "int_parsing": "expected a whole number",
    "int_type": "expected a whole number",
    "int_from_float": "expected a whole number",
    "bool_parsing": "expected true or false",
    "bool_type": "expected true or false",
    "string_type": "expected text in quotes",
    "path_type": "expected a file path in quotes",
    "model_type": "expected a [section] table",
    "dict_type": "expected a [section] table",
}


def _describe(error: Mapping[str, Any]) -> str:
    loc = _without_union_tags(tuple(str(part) for part in error["loc"]))
    key = ".".join(loc)
    kind = error["type"]
    context = error.get("ctx") or {}
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        expected = ", ".join(CHANNEL_SETTING_TYPES if loc[0] == "channels" else SOURCE_TYPES)
        if kind == "union_tag_not_found":
            return f"{key}.type: required setting is missing; expected one of: {expected}"
        return f"{key}.type: unknown type {context.get('tag')!r}; expected one of: {expected}"
    if kind == "string_too_short":
        minimum = context.get("min_length")
        return f"{key}: expected at least {minimum} characters, got {error.get('input')!r}"
    if kind == "extra_forbidden":
        known = _known_keys(loc[:-1])
        hint = f"; known settings here: {', '.join(known)}" if known else ""
        return f"{key}: unknown setting{hint}"
    if kind == "missing":
        return f"{key}: required setting is missing"
    message = str(error["msg"])
    message = _PLAIN_MESSAGES.get(kind) or (
        message.removeprefix("Value error, ")
        if kind == "value_error"
        else re.sub(r"^Input should be (?=greater|less)", "expected a value ", message).replace(
            "Input should be", "expected"
        )
    )
    if kind != "value_error":  # our own validators already quote the bad value
        message += f", got {error.get('input')!r}"
    return f"{key}: {message}"


def _without_union_tags(loc: tuple[str, ...]) -> tuple[str, ...]:
    """pydantic puts the chosen type in the path: sources.NAME.forum.url -> sources.NAME.url"""
    return tuple(
        part for index, part in enumerate(loc)
        if not (index >= 2 and loc[index - 2] == "sources")
        and not (index == 2 and loc[0] == "channels")
    )  # fmt: skip


def _known_keys(loc: tuple[str, ...]) -> list[str]:
    model: type[BaseModel] = Settings
    for part in loc:
        field = model.model_fields.get(part)
        annotation = field.annotation if field else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return sorted(model.model_fields)


def iter_settings(settings: BaseModel, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Yield ``(dotted key, value)`` for every leaf setting, in declaration order.

    Tables of named tables (``listener.sources.NAME``) are walked too; an empty one is a leaf.
    """
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, BaseModel):
            yield from iter_settings(value, f"{prefix}{name}.")
        elif (
            isinstance(value, dict)
            and value
            and all(isinstance(v, BaseModel) for v in value.values())
        ):
            for key, item in value.items():
                yield from iter_settings(item, f"{prefix}{name}.{key}.")
        else:
            yield f"{prefix}{name}", value


def referenced_env_names(settings: Settings) -> list[str]:
    """Environment variables the settings point at (the values of ``*_env`` keys)."""
    return sorted({v for k, v in iter_settings(settings) if k.endswith("_env") and v})
