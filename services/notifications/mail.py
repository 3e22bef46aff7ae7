"""E-mail over SMTP, one message per notification."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid


class SmtpMailer:
    def __init__(self, host: str, port: int, sender: str, timeout: float = 10.0):
        self.host, self.port, self.sender, self.timeout = host, port, sender, timeout

    def __call__(self, address: str, subject: str, body: str, message_id: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, address, subject
        # The same notification always carries the same Message-ID, so a receiving
        # system can recognise a resend after a crash in the middle of a send.
        message["Message-ID"] = make_msgid(idstring=message_id, domain="jww.notifications")
        message.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.send_message(message)
