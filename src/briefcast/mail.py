"""E-mail notifications over SMTP: a plain-text and an HTML part, and a link to the episode.

The ``Message-ID`` is built from the delivery id, so a message sent twice
(a retried attempt whose first try did reach the server) is recognisable as
one message by any mail system that deduplicates.
"""

from __future__ import annotations

import html
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import urlsplit

from briefcast.errors import ConfigurationError, PermanentError, ProviderUnavailable
from briefcast.notices import Notice
from briefcast.settings import Settings

__all__ = ["compose", "send_mail"]


def compose(notice: Notice, *, sender: str, recipient: str) -> EmailMessage:
    """The notification e-mail for ``notice``."""
    message = EmailMessage()
    message["Subject"] = f"{notice.headline}: {notice.title}" if notice.title else notice.headline
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = format_datetime(notice.occurred_at)
    domain = sender.rsplit("@", 1)[-1].strip(">") or "briefcast"
    message["Message-ID"] = f"<{notice.delivery_id}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(_text(notice))
    message.add_alternative(_html(notice), subtype="html")
    return message


def _link(notice: Notice) -> str:
    return notice.listen_url or notice.app_url


def _text(notice: Notice) -> str:
    lines = [notice.headline + ".", "", notice.summary, ""]
    if notice.kind == "completed":
        lines += ["Listen: " + _link(notice), ""]
        if notice.bills:
            lines.append("In this episode:")
            lines += [f"  - {citation}: {title}" for citation, title in notice.bills]
            lines.append("")
    lines.append("Open briefcast: " + notice.app_url)
    return "\n".join(lines) + "\n"


def _html(notice: Notice) -> str:
    esc = html.escape
    parts = [f"<h1>{esc(notice.headline)}</h1>", f"<p>{esc(notice.summary)}</p>"]
    if notice.kind == "completed":
        parts.append(f'<p><a href="{esc(_link(notice))}">Listen to the episode</a></p>')
        if notice.bills:
            items = "".join(
                f"<li><strong>{esc(c)}</strong>: {esc(t)}</li>" for c, t in notice.bills
            )
            parts.append(f"<p>In this episode:</p><ul>{items}</ul>")
    parts.append(f'<p><a href="{esc(notice.app_url)}">Open briefcast</a></p>')
    return "<!doctype html><html><body>" + "".join(parts) + "</body></html>\n"


def send_mail(message: EmailMessage, settings: Settings) -> None:
    """Hand ``message`` to the configured SMTP server.

    4xx answers, refused connections and timeouts are worth retrying;
    5xx answers are permanent.
    """
    if settings.smtp_host is None:
        raise ConfigurationError("BRIEFCAST_SMTP_HOST is not set")
    try:
        with _connect(settings) as smtp:
            if settings.smtp_username and settings.smtp_password:
                smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        raise _by_code(min(codes), "the recipient was refused") from exc
    except smtplib.SMTPResponseException as exc:
        raise _by_code(exc.smtp_code, "the mail server refused the message") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise ProviderUnavailable(f"could not reach the mail server: {type(exc).__name__}") from exc


def _connect(settings: Settings) -> smtplib.SMTP:
    host, port, timeout = (
        settings.smtp_host or "",
        settings.smtp_port,
        settings.smtp_timeout_seconds,
    )
    if settings.smtp_tls == "ssl":
        return smtplib.SMTP_SSL(
            host,
            port,
            timeout=timeout,
            context=ssl.create_default_context(),
            local_hostname=urlsplit(settings.public_url).hostname or "localhost",
        )
    # The greeting names us by the public host: asking the resolver for our own
    # fully qualified name can stall for seconds on a host without reverse DNS.
    greeting = urlsplit(settings.public_url).hostname or "localhost"
    smtp = smtplib.SMTP(host, port, timeout=timeout, local_hostname=greeting)
    try:
        if settings.smtp_tls == "starttls":
            smtp.starttls(context=ssl.create_default_context())
    except BaseException:
        smtp.close()
        raise
    return smtp


def _by_code(code: int, what: str) -> PermanentError | ProviderUnavailable:
    if 400 <= code < 500:
        return ProviderUnavailable(f"{what} for now ({code})")
    return PermanentError(f"{what} ({code})")
