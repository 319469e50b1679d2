"""Sending the report through a real local SMTP server that demands STARTTLS and a login."""

from __future__ import annotations

import datetime
import email
import email.policy
import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from opendeur.report.mail import ReportDeliveryError, SmtpConfig, build_message, send_message

USERNAME = "rapport@woonstichting.test"
PASSWORD = "Geheim-wachtwoord-42"
SENDER = "Opendeur <rapport@woonstichting.test>"
RECIPIENTS = ("bestuur@woonstichting.test", "huurders@woonstichting.test")
PDF_BYTES = b"%PDF-1.4\n% weekrapport\n%%EOF\n"


@dataclass
class ServerCertificate:
    ca_file: Path
    cert_file: Path
    key_file: Path


class StoringHandler:
    """Keeps every envelope; addresses at nobody@ are refused like unknown mailboxes."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"


def _authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    accepted = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USERNAME.encode()
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=accepted, handled=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> None:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


@pytest.fixture
def certificate(tmp_path: Path) -> ServerCertificate:
    """A test CA and a server certificate it signed for localhost and 127.0.0.1."""
    now = datetime.datetime.now(datetime.UTC)
    valid = {"not_valid_before": now - datetime.timedelta(hours=1)}
    valid["not_valid_after"] = now + datetime.timedelta(days=1)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder(**valid)
        .subject_name(_name("Opendeur test CA"))
        .issuer_name(_name("Opendeur test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = (
        x509.CertificateBuilder(**valid)
        .subject_name(_name("localhost"))
        .issuer_name(ca_cert.subject)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.OID_SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = ServerCertificate(
        ca_file=tmp_path / "ca.pem",
        cert_file=tmp_path / "server.pem",
        key_file=tmp_path / "key.pem",
    )
    paths.ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    paths.cert_file.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    _write_key(server_key, paths.key_file)
    return paths


@pytest.fixture
def handler() -> StoringHandler:
    return StoringHandler()


@pytest.fixture
def start_server(handler: StoringHandler) -> Iterator[Callable[..., int]]:
    """Start an aiosmtpd server on 127.0.0.1 and return its port; all are stopped afterwards."""
    controllers: list[Controller] = []

    def start(**smtp_options) -> int:
        controller = Controller(handler, hostname="127.0.0.1", port=_free_port(), **smtp_options)
        controller.start()
        controllers.append(controller)
        return controller.port

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def tls_port(start_server: Callable[..., int], certificate: ServerCertificate) -> int:
    """A server that requires STARTTLS and accepts one login, only over TLS."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate.cert_file, certificate.key_file)
    return start_server(
        tls_context=context,
        require_starttls=True,
        authenticator=_authenticate,
        auth_require_tls=True,
    )


@pytest.fixture
def config(tls_port: int, certificate: ServerCertificate) -> SmtpConfig:
    return SmtpConfig(
        host="127.0.0.1",
        port=tls_port,
        username=USERNAME,
        password=PASSWORD,
        sender=SENDER,
        recipients=RECIPIENTS,
        ca_file=certificate.ca_file,
        timeout_seconds=10,
    )


def _report(recipients: tuple[str, ...] = RECIPIENTS) -> email.message.EmailMessage:
    return build_message(
        subject="Weekrapport signalen, week 12",
        html="<h1>Weekrapport</h1><p>Drie meldingen over schimmel in Zuidwijk.</p>",
        text="Weekrapport\n\nDrie meldingen over schimmel in Zuidwijk.\n",
        sender=SENDER,
        recipients=recipients,
        attachments=[("weekrapport-2025-12.pdf", PDF_BYTES, "application/pdf")],
    )


def test_opendeur_report_mail_delivers_html_and_pdf(
    config: SmtpConfig, handler: StoringHandler
) -> None:
    accepted = send_message(config, _report())

    assert accepted == list(RECIPIENTS)
    [envelope] = handler.envelopes
    assert envelope.mail_from == "rapport@woonstichting.test"
    assert envelope.rcpt_tos == list(RECIPIENTS)
    received = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert received["Subject"] == "Weekrapport signalen, week 12"
    assert received["To"] == ", ".join(RECIPIENTS)
    assert received["Date"] is not None
    assert received["Message-ID"].endswith("@woonstichting.test>")
    assert received.get_content_type() == "multipart/mixed"
    plain = received.get_body(preferencelist=("plain",))
    html = received.get_body(preferencelist=("html",))
    assert "Drie meldingen over schimmel" in plain.get_content()
    assert "<h1>Weekrapport</h1>" in html.get_content()
    [attachment] = list(received.iter_attachments())
    assert attachment.get_filename() == "weekrapport-2025-12.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == PDF_BYTES


def test_opendeur_report_mail_returns_accepted_when_some_refused(
    config: SmtpConfig, handler: StoringHandler
) -> None:
    recipients = ("bestuur@woonstichting.test", "nobody@woonstichting.test")

    accepted = send_message(replace(config, recipients=recipients), _report(recipients))

    assert accepted == ["bestuur@woonstichting.test"]
    assert handler.envelopes[0].rcpt_tos == ["bestuur@woonstichting.test"]


def test_opendeur_report_mail_all_recipients_refused(config: SmtpConfig) -> None:
    recipients = ("nobody@woonstichting.test",)

    with pytest.raises(ReportDeliveryError, match="refused every recipient.*nobody@"):
        send_message(replace(config, recipients=recipients), _report(recipients))


def test_opendeur_report_mail_wrong_password_names_user_not_password(
    config: SmtpConfig, handler: StoringHandler
) -> None:
    wrong = "Fout-wachtwoord-99"

    with pytest.raises(ReportDeliveryError) as caught:
        send_message(replace(config, password=wrong), _report())

    message = str(caught.value)
    assert USERNAME in message
    assert "rejected the login" in message
    assert wrong not in message and PASSWORD not in message
    assert wrong not in repr(replace(config, password=wrong))
    assert handler.envelopes == []


def test_opendeur_report_mail_missing_password_refused(config: SmtpConfig) -> None:
    with pytest.raises(ReportDeliveryError, match="report.email.password_env"):
        send_message(replace(config, password=None), _report())


def test_opendeur_report_mail_untrusted_certificate(config: SmtpConfig) -> None:
    with pytest.raises(ReportDeliveryError, match="certificate .* could not be verified.*ca_file"):
        send_message(replace(config, ca_file=None), _report())


def test_opendeur_report_mail_closed_port_names_host_and_port(config: SmtpConfig) -> None:
    port = _free_port()

    with pytest.raises(ReportDeliveryError, match=f"127.0.0.1:{port}: connection refused"):
        send_message(replace(config, port=port), _report())


def test_opendeur_report_mail_silent_server_times_out(config: SmtpConfig) -> None:
    with socket.socket() as silent:
        # Listening without ever answering: the connection opens but no greeting arrives.
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        with pytest.raises(ReportDeliveryError, match=f"127.0.0.1:{port} did not answer"):
            send_message(replace(config, port=port, timeout_seconds=0.5), _report())


def test_opendeur_report_mail_server_without_starttls(
    config: SmtpConfig, start_server: Callable[..., int], handler: StoringHandler
) -> None:
    plain_port = start_server()

    with pytest.raises(
        ReportDeliveryError, match=f"127.0.0.1:{plain_port} does not offer STARTTLS"
    ):
        send_message(replace(config, port=plain_port), _report())
    assert handler.envelopes == []


def test_opendeur_report_mail_implicit_tls_delivers(
    config: SmtpConfig,
    start_server: Callable[..., int],
    handler: StoringHandler,
    certificate: ServerCertificate,
) -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate.cert_file, certificate.key_file)
    # aiosmtpd offers AUTH only after STARTTLS, so this server takes the report without a login.
    port = start_server(ssl_context=context)
    tls_config = replace(config, port=port, security="tls", username=None, password=None)

    assert send_message(tls_config, _report()) == list(RECIPIENTS)
    assert len(handler.envelopes) == 1
    with pytest.raises(ReportDeliveryError, match="certificate .* could not be verified"):
        send_message(replace(tls_config, ca_file=None), _report())
    with pytest.raises(ReportDeliveryError, match="does not offer a login"):
        send_message(replace(config, port=port, security="tls"), _report())


def test_opendeur_report_mail_clear_text_only_on_loopback() -> None:
    with pytest.raises(ReportDeliveryError, match="only allowed for a server on this machine"):
        SmtpConfig(
            host="smtp.woonstichting.test", security="none", sender=SENDER, recipients=RECIPIENTS
        )
    with pytest.raises(ReportDeliveryError, match="without encryption"):
        SmtpConfig(
            host="127.0.0.1",
            security="none",
            username=USERNAME,
            password=PASSWORD,
            sender=SENDER,
            recipients=RECIPIENTS,
        )


def test_opendeur_report_mail_clear_text_to_loopback_delivers(
    start_server: Callable[..., int], handler: StoringHandler
) -> None:
    port = start_server()
    config = SmtpConfig(
        host="127.0.0.1", port=port, security="none", sender=SENDER, recipients=RECIPIENTS
    )

    assert send_message(config, _report()) == list(RECIPIENTS)
    assert len(handler.envelopes) == 1


@pytest.mark.parametrize(
    "field, value",
    [
        ("subject", "Weekrapport\r\nBcc: iedereen@example.test"),
        ("sender", "rapport@woonstichting.test\nBcc: iedereen@example.test"),
        ("recipients", ["bestuur@woonstichting.test\r\nBcc: iedereen@example.test"]),
    ],
)
def test_opendeur_report_mail_refuses_header_injection(field: str, value) -> None:
    arguments = {
        "subject": "Weekrapport",
        "html": "<p>Rapport</p>",
        "text": "Rapport",
        "sender": SENDER,
        "recipients": list(RECIPIENTS),
    }
    arguments[field] = value

    with pytest.raises(ValueError, match="line break"):
        build_message(**arguments)
