"""Sending mail: a small Mailer interface, SMTP behind it, and a console twin that only logs.

The console twin is what a deployment without `statuspage.smtp` gets, so `make run` works with
nothing set up. Failures come back as two exceptions: `MailUnavailable` (server down, timed
out, refused for now: try again later) and `MailRefused` (the server will never take this
recipient). Neither message ever contains the password.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from typing import Literal, Protocol

log = logging.getLogger(__name__)

Security = Literal["starttls", "ssl", "none"]


@dataclass(frozen=True)
class Mail:
    """A plain-text mail. `message_id` is chosen by the caller so a resend is recognisable."""

    to: str
    subject: str
    body: str
    message_id: str
    headers: dict[str, str] = field(default_factory=dict)


class MailUnavailable(Exception):
    """Temporary: the server could not be reached or asked us to come back later."""


class MailRefused(Exception):
    """Permanent: the server refused the recipient or the sender (a 5xx answer)."""


class Mailer(Protocol):
    def send(self, mail: Mail) -> None: ...


@dataclass(frozen=True)
class SmtpOptions:
    host: str
    port: int
    sender: str
    security: Security = "starttls"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 10.0


def build_message(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = mail.message_id
    for name, value in mail.headers.items():
        message[name] = value
    message.set_content(mail.body)
    return message


class SmtpMailer:
    """One connection per mail: notifications are rare, and a fresh connection never finds a
    server-side timeout on a connection kept idle since the last incident."""

    def __init__(self, options: SmtpOptions) -> None:
        self.options = options

    def send(self, mail: Mail) -> None:
        message = build_message(mail, self.options.sender)
        where = f"{self.options.host}:{self.options.port}"
        try:
            with self._connect() as smtp:
                if self.options.username and self.options.password is not None:
                    smtp.login(self.options.username, self.options.password)
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _text in exc.recipients.values()]
            if all(code >= 500 for code in codes):
                raise MailRefused(f"{where} refused the recipient (SMTP {codes[0]})") from None
            raise MailUnavailable(f"{where} deferred the recipient (SMTP {codes[0]})") from None
        except smtplib.SMTPAuthenticationError as exc:
            raise MailUnavailable(f"{where} refused the login (SMTP {exc.smtp_code})") from None
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code >= 500 and exc.smtp_code != 554:  # 554: often a transient block
                raise MailRefused(f"{where} refused the mail (SMTP {exc.smtp_code})") from None
            raise MailUnavailable(f"{where} answered SMTP {exc.smtp_code}") from None
        except (smtplib.SMTPException, OSError) as exc:  # refused, reset, timeout, TLS
            raise MailUnavailable(f"could not send through {where}: {type(exc).__name__}") from None

    def _connect(self) -> smtplib.SMTP:
        options = self.options
        if options.security == "ssl":
            context = ssl.create_default_context()
            return smtplib.SMTP_SSL(
                options.host, options.port, timeout=options.timeout, context=context
            )
        smtp = smtplib.SMTP(options.host, options.port, timeout=options.timeout)
        try:
            if options.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        except (TimeoutError, smtplib.SMTPException, OSError):
            smtp.close()
            raise
        return smtp


class ConsoleMailer:
    """The null twin: logs who would get which mail. The body is logged only at DEBUG, since
    it carries the recipient's confirmation and unsubscribe links."""

    def send(self, mail: Mail) -> None:
        log.info("mail (not sent, no SMTP configured) to %s: %s", mail.to, mail.subject)
        log.debug("mail %s body:\n%s", mail.message_id, mail.body)
