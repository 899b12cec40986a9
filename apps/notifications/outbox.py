"""Sending notification mail from the outbox: the notifications still `email_pending`.

Each member's mail is sent holding their Preferences row's lock, and their pending rows are
cleared in the same transaction: two senders (the fast path and the periodic task) never
send one notification twice, and a sender that fails before commit leaves it pending."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apps.notifications.models import Notification, Preferences
from apps.notifications.selectors import with_excerpts
from apps.notifications.services import unsubscribe_token

DIGEST_EVERY = timedelta(days=1)


def mail_due(*, now=None) -> int:
    """Send every mail that is due: at once for members who want each notification, once a
    day for those who want a digest. Returns how many mails went."""
    now = now or timezone.now()
    members = (
        Notification.objects.filter(email_pending=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()
    )
    return sum(_mail_member(member_id, now) for member_id in list(members))


def _mail_member(member_id: int, now) -> bool:
    """Send the member's pending notifications in one mail, if due; True when one went."""
    with transaction.atomic():
        preferences = (
            Preferences.objects.select_for_update(skip_locked=True)
            .select_related("user")
            .filter(user_id=member_id)
            .first()
        )
        if preferences is None:  # locked by another sender, who sends it
            return False
        daily = preferences.email == Preferences.Email.DAILY
        if daily and preferences.last_digest and now - preferences.last_digest < DIGEST_EVERY:
            return False
        pending = Notification.objects.filter(user_id=member_id, email_pending=True)
        member = preferences.user
        # Only what is still unread (read ones are known already); a removed post unquoted.
        notes = with_excerpts(pending.filter(read=False).select_related("post"), member)
        sent = bool(notes and member.email and preferences.email != Preferences.Email.NONE)
        if sent:
            _message(member, notes, daily).send()
        pending.update(email_pending=False)
        if daily:
            preferences.last_digest = now
            preferences.save(update_fields=["last_digest"])
    return sent


def _message(member, notes: list[Notification], daily: bool) -> EmailMessage:
    unsubscribe = settings.SITE_URL + reverse(
        "notifications:unsubscribe", args=[unsubscribe_token(member)]
    )
    subject = (
        f"Your Agora digest: {len(notes)} notification{'s' if len(notes) > 1 else ''}"
        if daily or len(notes) > 1
        else notes[0].text
    )
    body = render_to_string(
        "notifications/email.txt",
        {
            "member": member,
            "notes": notes,
            "daily": daily,
            "site": settings.SITE_URL,
            "settings_url": settings.SITE_URL + reverse("notifications:settings"),
            "unsubscribe": unsubscribe,
        },
    )
    return EmailMessage(
        subject=subject[:200],
        body=body,
        to=[member.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>"},
    )
