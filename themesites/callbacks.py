"""Call-back requests: the form's checks, its CSRF token, storage, and the staff side.

This is the one place tenants give personal data (DESIGN §5): a name, a phone number and an
optional note, with explicit consent. The data stays in ``callback_requests``, is purged when a
request is handled, and every access (created, listed, handled) writes ``callback_access_log``.
Deciding who may call ``list_requests`` and ``mark_handled`` (the staff role) is the shell's job.

The form needs no cookies: its token is an HMAC of the site and the moment it was issued, so
any server holding the secret can check it, and it expires after two hours.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from sqlite_utils import Database

from themesites.store import BEST_TIMES

TOKEN_MAX_AGE = 2 * 60 * 60  # seconds
TOKEN_CLOCK_SKEW = 60  # seconds a token may seem to come from the future (several servers)
NAME_MAX = 80
NOTE_MAX = 500
HONEYPOT = "website"
FORM_ACTOR = "formulier"  # the actor of the access-log row that records a new request

MESSAGES = {
    "name_missing": "Vul je naam in.",
    "name_long": f"Je naam is te lang. Gebruik hoogstens {NAME_MAX} tekens.",
    "phone_missing": "Vul je telefoonnummer in.",
    "phone_invalid": (
        "Dit is geen Nederlands telefoonnummer. Een goed nummer is bijvoorbeeld "
        "06 12345678 of 020 1234567."
    ),
    "best_time": "Kies wanneer we je het beste kunnen bellen.",
    "note_long": f"Je bericht is te lang. Gebruik hoogstens {NOTE_MAX} tekens.",
    "consent": "Zet een vinkje bij toestemming. Zonder toestemming mogen we je niet bellen.",
}

# Numbers we will not call: premium and free service numbers (0800, 0900, 0906, 0909),
# pagers (066) and machine-to-machine numbers (097).
_NOT_CALLABLE = re.compile(r"(800|90[069]|66|97)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class UnknownCallbackRequest(LookupError):
    """No call-back request has this id."""


@dataclass(frozen=True)
class CallbackForm:
    """A checked form: the phone number in E.164 (``+31612345678``), the note maybe empty."""

    name: str
    phone: str
    best_time: str
    note: str


@dataclass(frozen=True)
class StoredRequest:
    id: int
    site: str
    name: str | None
    phone: str | None
    best_time: str
    note: str | None
    consent_at: str
    created_at: str
    handled_at: str | None
    handled_by: str | None


# --- checking the form ---


def normalise_phone(value: str) -> str | None:
    """A Dutch phone number as E.164 (``+31201234567``), or None when it is not one.

    Accepts 06-12345678, 020 123 4567, 0111-123456, +31 6 12345678, +31 (0)20 1234567 and
    0031 20 1234567: ten digits in the national form, with spaces, dashes, dots or brackets.
    """
    compact = re.sub(r"[\s.\-()]", "", unicodedata.normalize("NFKC", value))
    for country in ("+31", "0031"):
        if compact.startswith(country):
            national = compact.removeprefix(country)
            # "+31 (0)20 ..." keeps the trunk 0 once the brackets are gone.
            if len(national) == 10:
                national = national.removeprefix("0")
            break
    else:
        if not compact.startswith("0"):
            return None
        national = compact[1:]
    if not re.fullmatch(r"[1-9][0-9]{8}", national, re.ASCII) or _NOT_CALLABLE.match(national):
        return None
    return "+31" + national


def _clean(value: str, *, multiline: bool = False) -> str:
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value)
    if not multiline:
        value = " ".join(value.split())
    return value.strip()


def validate_form(fields: Mapping[str, str]) -> tuple[CallbackForm | None, dict[str, str]]:
    """Check the posted fields; return the form, or None and Dutch messages per field name."""
    errors: dict[str, str] = {}
    name = _clean(fields.get("name", ""))
    if not name:
        errors["name"] = MESSAGES["name_missing"]
    elif len(name) > NAME_MAX:
        errors["name"] = MESSAGES["name_long"]
    raw_phone = fields.get("phone", "").strip()
    phone = normalise_phone(raw_phone) if raw_phone else None
    if not raw_phone:
        errors["phone"] = MESSAGES["phone_missing"]
    elif phone is None:
        errors["phone"] = MESSAGES["phone_invalid"]
    best_time = fields.get("best_time", "")
    if best_time not in BEST_TIMES:
        errors["best_time"] = MESSAGES["best_time"]
    note = _clean(fields.get("note", ""), multiline=True)
    if len(note) > NOTE_MAX:
        errors["note"] = MESSAGES["note_long"]
    if fields.get("consent") != "ja":
        errors["consent"] = MESSAGES["consent"]
    if errors or phone is None:
        return None, errors
    return CallbackForm(name=name, phone=phone, best_time=best_time, note=note), errors


def is_bot(fields: Mapping[str, str]) -> bool:
    """True when the hidden honeypot field was filled in: people never see it, bots do."""
    return bool(fields.get(HONEYPOT, "").strip())


# --- the token and the origin check ---


def _signature(secret: bytes, site: str, issued_at: int) -> str:
    # A separator keeps ("site1", 700...) and ("site", 1700...) apart.
    message = f"{site}\n{issued_at}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def issue_token(secret: bytes, site: str, now: datetime) -> str:
    """A form token for ``site``: ``ISSUED_AT.HMAC``, ISSUED_AT in Unix seconds."""
    issued_at = int(now.timestamp())
    return f"{issued_at}.{_signature(secret, site, issued_at)}"


def check_token(
    secret: bytes, site: str, token: str, now: datetime, *, max_age: int = TOKEN_MAX_AGE
) -> bool:
    """True when ``token`` was issued for ``site`` with ``secret`` less than ``max_age`` ago."""
    issued_text, _, signature = token.partition(".")
    if not re.fullmatch(r"[0-9]{1,12}", issued_text, re.ASCII):
        return False
    issued_at = int(issued_text)
    expected = _signature(secret, site, issued_at)
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        return False
    age = now.timestamp() - issued_at
    return -TOKEN_CLOCK_SKEW <= age <= max_age


def same_origin(host: str, origin: str | None, referer: str | None) -> bool:
    """True unless the browser says the form was posted from another site.

    ``Origin`` wins when present (``null`` counts as foreign); else ``Referer``; when neither is
    sent (old browsers, privacy tools) the token alone decides.
    """
    claimed = origin if origin is not None else referer
    if claimed is None:
        return True
    if claimed.strip() == "null":
        return False
    try:
        netloc = urlsplit(claimed.strip()).netloc
    except ValueError:
        return False
    return bool(netloc) and netloc.lower() == host.strip().lower()


# --- storage and the staff side ---


def _iso(now: datetime) -> str:
    if now.tzinfo is None:
        raise ValueError("call-back times must be timezone-aware")
    return now.astimezone(UTC).isoformat(timespec="seconds")


def _log(db: Database, at: str, actor: str, action: str, request_id: int | None) -> None:
    db.execute(
        "INSERT INTO callback_access_log (at, actor, action, request_id) VALUES (?, ?, ?, ?)",
        [at, actor, action, request_id],
    )


def store_request(db: Database, site: str, form: CallbackForm, now: datetime) -> int:
    """Store a checked request with its consent time; return its id."""
    at = _iso(now)
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO callback_requests "
            "(site, name, phone, best_time, note, consent_at, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [site, form.name, form.phone, form.best_time, form.note or None, at, at],
        )
        request_id = cursor.lastrowid
        _log(db, at, FORM_ACTOR, "created", request_id)
    return request_id


def list_requests(
    db: Database, actor: str, *, now: datetime | None = None, include_handled: bool = False
) -> list[StoredRequest]:
    """The open requests (oldest first) for staff member ``actor``; each one shown is logged."""
    at = _iso(now or datetime.now(UTC))
    where = "" if include_handled else "WHERE handled_at IS NULL"
    with db.atomic():
        rows = db.execute(
            "SELECT id, site, name, phone, best_time, note, consent_at, created_at, "
            f"handled_at, handled_by FROM callback_requests {where} ORDER BY id"
        ).fetchall()
        _log(db, at, actor, "listed", None)
        for row in rows:
            _log(db, at, actor, "viewed", row[0])
    return [StoredRequest(*row) for row in rows]


def mark_handled(db: Database, request_id: int, actor: str, *, now: datetime | None = None) -> bool:
    """Mark a request handled and purge its personal data; False when it already was handled.

    Name, phone and note become NULL in the same statement that sets handled_at/handled_by,
    so no handled request keeps personal data (the table's CHECK refuses it too).
    """
    at = _iso(now or datetime.now(UTC))
    with db.atomic():
        exists = db.execute(
            "SELECT handled_at FROM callback_requests WHERE id = ?", [request_id]
        ).fetchone()
        if exists is None:
            raise UnknownCallbackRequest(f"no call-back request with id {request_id}")
        cursor = db.execute(
            "UPDATE callback_requests SET name = NULL, phone = NULL, note = NULL, "
            "handled_at = ?, handled_by = ? WHERE id = ? AND handled_at IS NULL",
            [at, actor, request_id],
        )
        handled = cursor.rowcount == 1
        _log(db, at, actor, "handled" if handled else "handled-again", request_id)
    return handled
