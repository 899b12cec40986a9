from celery import shared_task
from django.db import OperationalError

from apps.notifications.outbox import mail_due


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def send_due_mail() -> int:
    """Send the notification mail that is due (outbox.mail_due); beat runs it every minute."""
    return mail_due()
