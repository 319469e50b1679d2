"""Send the weekly report by e-mail over SMTP, encrypted unless the server is this machine."""

from __future__ import annotations

import logging
import smtplib
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Literal

from opendeur.errors import OpendeurError

logger = logging.getLogger(__name__)

Security = Literal["starttls", "tls", "none"]
_SECURITY_MODES = ("starttls", "tls", "none")
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_PASSWORD_HINT = "set the variable named by report.email.password_env"


class ReportDeliveryError(OpendeurError):
    """The report could not be handed to the mail server."""


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to send the report; ``password`` is kept out of ``repr`` and messages."""

    host: str
    sender: str
    recipients: tuple[str, ...]
    port: int = 587
    security: Security = "starttls"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: Path | None = None
    timeout_seconds: float = 30.0

    def __post_init__(self) -> None:
        if self.security not in _SECURITY_MODES:
            raise ReportDeliveryError(
                f"unknown mail security {self.security!r}; use one of {', '.join(_SECURITY_MODES)}"
            )
        if not self.recipients:
            raise ReportDeliveryError("no recipients for the report; add at least one address")
        if self.security == "none" and self.host.strip("[]").lower() not in _LOOPBACK_HOSTS:
            # A report names places and counts staff would not publish; never send it, or a
            # login, in clear text across a network.
            raise ReportDeliveryError(
                f"mail security 'none' is only allowed for a server on this machine, not "
                f"{self.host}; use 'starttls' or 'tls'"
            )
        if self.security == "none" and self.username:
            raise ReportDeliveryError(
                "refusing to log in to the mail server without encryption; "
                "use security 'starttls' or 'tls', or remove the username"
            )

    @property
    def address(self) -> str:
        """``host:port`` as shown in messages."""
        return f"{self.host}:{self.port}"


def build_message(
    *,
    subject: str,
    html: str,
    text: str,
    sender: str,
    recipients: Sequence[str],
    attachments: Sequence[tuple[str, bytes, str]] = (),
    date: datetime | None = None,
) -> EmailMessage:
    """A text + HTML message with attachments given as (filename, bytes, "type/subtype")."""
    if not recipients:
        raise ValueError("a message needs at least one recipient")
    for name, value in [("subject", subject), ("sender", sender)] + [
        ("recipient", recipient) for recipient in recipients
    ]:
        _refuse_line_breaks(name, value)
    domain = parseaddr(sender)[1].rpartition("@")[2]
    if not domain:
        raise ValueError(f"sender {sender!r} is not an e-mail address")

    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime(date or datetime.now(UTC))
    # Without a domain make_msgid asks DNS for this machine's name, which can stall offline.
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    for filename, content, mime_type in attachments:
        _refuse_line_breaks("attachment filename", filename)
        maintype, slash, subtype = mime_type.partition("/")
        if not slash or not maintype or not subtype:
            raise ValueError(f"attachment type {mime_type!r} is not of the form type/subtype")
        # Adding the first attachment wraps the alternative part in multipart/mixed.
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message


def _refuse_line_breaks(name: str, value: str) -> None:
    if "\r" in value or "\n" in value:
        raise ValueError(f"{name} contains a line break, which could inject mail headers")


def send_message(config: SmtpConfig, message: EmailMessage) -> list[str]:
    """Send ``message`` to ``config.recipients``; return the recipients the server accepted."""
    if config.username and not config.password:
        raise ReportDeliveryError(
            f"no password for mail user {config.username!r}; {_PASSWORD_HINT}"
        )
    context = _tls_context(config) if config.security != "none" else None
    client: smtplib.SMTP | None = None
    try:
        client = _connect(config, context)
        refused = _deliver(client, config, context, message)
        client.quit()
    except (smtplib.SMTPException, OSError) as error:
        text = _explain(error, config)
        if config.password:
            text = text.replace(config.password, "****")
        raise ReportDeliveryError(text) from error
    finally:
        # quit() is only worth waiting for after success; a broken session is just closed.
        if client is not None:
            client.close()
    if refused:
        logger.warning("Mail server %s refused %s", config.address, ", ".join(_describe(refused)))
    return [recipient for recipient in config.recipients if recipient not in refused]


def _tls_context(config: SmtpConfig) -> ssl.SSLContext:
    # The default context verifies the certificate chain and the host name; it is never relaxed.
    try:
        return ssl.create_default_context(cafile=config.ca_file)
    except (OSError, ssl.SSLError) as error:
        raise ReportDeliveryError(
            f"cannot load ca_file {config.ca_file}: {getattr(error, 'strerror', None) or error}; "
            "point ca_file at a PEM file with the certificate of your mail server's CA"
        ) from error


def _connect(config: SmtpConfig, context: ssl.SSLContext | None) -> smtplib.SMTP:
    # The host goes to the constructor, not to connect(): smtplib takes the name it checks the
    # certificate against from the constructor only.
    if config.security == "tls":
        return smtplib.SMTP_SSL(
            config.host, config.port, timeout=config.timeout_seconds, context=context
        )
    return smtplib.SMTP(config.host, config.port, timeout=config.timeout_seconds)


def _deliver(
    client: smtplib.SMTP,
    config: SmtpConfig,
    context: ssl.SSLContext | None,
    message: EmailMessage,
) -> dict[str, tuple[int, bytes]]:
    client.ehlo()
    if config.security == "starttls":
        if not client.has_extn("starttls"):
            raise _NoStartTls()
        client.starttls(context=context)
        client.ehlo()
    if config.username:
        if not client.has_extn("auth"):
            raise _NoLogin()
        client.login(config.username, config.password or "")
    return client.send_message(message, from_addr=config.sender, to_addrs=list(config.recipients))


class _NoStartTls(smtplib.SMTPException):
    """The server does not offer STARTTLS although the configuration asks for it."""


class _NoLogin(smtplib.SMTPException):
    """The server does not offer AUTH although a username is configured."""


def _explain(error: BaseException, config: SmtpConfig) -> str:
    """One line saying what went wrong with ``config.address`` and what to check."""
    where = config.address
    if isinstance(error, smtplib.SMTPServerDisconnected) and isinstance(error.__context__, OSError):
        # smtplib reports a read timeout or reset as a disconnect; the cause says more.
        return _explain(error.__context__, config)
    if isinstance(error, _NoStartTls):
        return (
            f"mail server {where} does not offer STARTTLS; use security 'tls' if it expects "
            "encryption from the start (usually port 465), or ask its administrator"
        )
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return (
            f"mail server {where} rejected the login of user {config.username!r} "
            f"({_reply(error.smtp_code, error.smtp_error)}); check the username, and the password "
            "in the variable named by report.email.password_env"
        )
    if isinstance(error, _NoLogin):
        return (
            f"mail server {where} does not offer a login on this connection; check the "
            "security and port, or remove the username if the server needs no login"
        )
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return f"mail server {where} lacks a needed feature ({error}); check the security and port"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(_describe(error.recipients))
        return f"mail server {where} refused every recipient: {refused}; check the addresses"
    if isinstance(error, smtplib.SMTPSenderRefused):
        return (
            f"mail server {where} refused sender {error.sender!r} "
            f"({_reply(error.smtp_code, error.smtp_error)}); check the sender address"
        )
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return (
            f"mail server {where} closed the connection unexpectedly; check the port and security"
        )
    if isinstance(error, smtplib.SMTPResponseException):
        return f"mail server {where} answered {_reply(error.smtp_code, error.smtp_error)}"
    if isinstance(error, smtplib.SMTPException):
        return f"sending mail via {where} failed: {error}"
    if isinstance(error, ssl.SSLCertVerificationError):
        return (
            f"the certificate of mail server {where} could not be verified "
            f"({error.verify_message}); if it is signed by your own CA, set ca_file to that "
            "CA's certificate"
        )
    if isinstance(error, ssl.SSLError):
        return (
            f"TLS with mail server {where} failed ({error.reason or error}); check that security "
            "'starttls' or 'tls' matches the port"
        )
    if isinstance(error, ConnectionRefusedError):
        return f"cannot connect to mail server {where}: connection refused; check host and port"
    if isinstance(error, TimeoutError):
        return (
            f"mail server {where} did not answer within {config.timeout_seconds:g} s; "
            "check host, port and firewall"
        )
    if isinstance(error, socket.gaierror):
        return f"cannot find mail server {config.host}: {error.strerror}; check the host name"
    return f"cannot reach mail server {where}: {getattr(error, 'strerror', None) or error}"


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}"


def _describe(refused: dict[str, tuple[int, bytes]]) -> list[str]:
    return [f"{address} ({_reply(*reply)})" for address, reply in refused.items()]
