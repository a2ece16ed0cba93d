"""Paging by e-mail, through the mail server of `paging.smtp` (by default the status page's).

The password is FIREHOUSE_SMTP_PASSWORD, as for subscriber mail. The Message-ID is the
notification's, the same on every retry, so a mail resent because its outcome was lost is
recognisable as the same mail. Without a mail server the console twin logs it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from firehouse.integrations.email import Mail, MailRefused, MailUnavailable
from firehouse.integrations.paging.base import Delivered, Refused, console, section
from firehouse.integrations.paging.messages import PageText
from firehouse.oncall.notifications import NotificationWork
from firehouse.outbox.envelope import DeliveryFailed, Envelope
from firehouse.statuspage.notify import MailerFor


class MailSender:
    def __init__(self, mailer_for: MailerFor, base_url: str) -> None:
        self.mailer_for = mailer_for
        self.host = urlsplit(base_url).hostname or "firehouse"

    def send(self, work: NotificationWork, text: PageText, envelope: Envelope) -> Delivered:
        if not work.email:
            raise Refused("no e-mail address")
        smtp = section(envelope, "smtp")
        if smtp is None or not smtp.get("host"):
            return console("email", work, text, work.email)
        message_id = f"<page-notification.{work.notification_id}@{self.host}>"
        mail = Mail(
            to=work.email,
            subject=text.subject,
            body=text.body,
            message_id=message_id,
            headers={"X-Priority": "1", "Auto-Submitted": "auto-generated"},
        )
        try:
            self.mailer_for(smtp).send(mail)
        except MailUnavailable as exc:
            raise DeliveryFailed(f"page mail: {exc}") from None
        except MailRefused as exc:
            raise Refused(f"the mail server refused it: {exc}") from None
        return Delivered(message_id)
