"""Writes of notifications, thread watches and members' notification settings.

Notifications are created in the transaction of the event they tell of; whatever leaves
the database (email) goes on commit, and the outbox (`email_pending`) keeps it until sent."""

import logging
from collections.abc import Iterable, Sequence

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.permissions import check_participate
from apps.claims.models import Claim
from apps.forum.models import Post, Thread
from apps.forum.rendering import mentioned_usernames
from apps.notifications.models import Notification, Preferences, Watch

log = logging.getLogger(__name__)
Kind = Notification.Kind
MAX_IDS = 500  # one page of the API and then some: enough for any honest "mark these read"
UNSUBSCRIBE_SALT = "notifications.unsubscribe"
MAX_ID = 2**63  # PostgreSQL's bigint
MAX_ADDRESS_LENGTH = 254  # User.email's column


def notifications_for_reply(*, reply: Post) -> None:
    """Tell of a new reply: the parent's author, the members it mentions, the thread's
    watchers; one notification each, for the first of these reasons; never the replier. The
    replier watches the thread from now on if their settings say so. Caller is inside the
    reply's transaction."""
    reasons = dict.fromkeys(_mentioned(reply), Kind.MENTION)
    if reply.parent.author_id:
        reasons[reply.parent.author_id] = Kind.REPLY
    reasons.pop(reply.author_id, None)
    _notify(reasons, actor=reply.author, post=reply)
    _notify_watchers(reply, told=[reply.author_id, *reasons])
    _watch_by_default(reply.author, reply.thread)


# A busy thread has hundreds of watchers: their notifications are written by one statement,
# not built a row at a time (the benchmark's 10,000-reply thread had 300 watchers). A watcher
# keeps one unread notification a thread (notification_watched_unread): the first new reply
# writes it, the replies after it wait under it until the watcher reads it. In user order,
# so that two replies' statements wait for each other's rows in one order, never in a ring.
WATCHERS_SQL = """
    WITH watchers AS (
        SELECT watch.user_id, coalesce(preferences.email, 'none') AS email
        FROM notifications_watch watch
        JOIN accounts_user member ON member.id = watch.user_id AND member.is_active
        LEFT JOIN notifications_preferences preferences ON preferences.user_id = watch.user_id
        WHERE watch.thread_id = %(thread)s AND watch.user_id <> ALL(%(told)s)
    ), written AS (
        INSERT INTO accounts_notification (user_id, kind, actor_id, post_id, thread_id, text,
            url, created, read, email_pending)
        SELECT user_id, %(kind)s, %(actor)s, %(post)s, %(thread)s, %(text)s, %(url)s,
            %(created)s, false, email <> 'none'
        FROM watchers ORDER BY user_id
        ON CONFLICT (user_id, thread_id) WHERE kind = 'watched' AND NOT read DO NOTHING
        RETURNING user_id
    )
    SELECT coalesce(bool_or(email = 'immediately'), false)
    FROM written JOIN watchers USING (user_id)
"""


def _notify_watchers(reply: Post, *, told: list[int]) -> None:
    """The thread's watchers, but for the members in `told`: a notification each, unless
    they have one of this thread unread already."""
    thread = reply.thread
    parameters = {
        "thread": thread.pk,
        "told": [pk for pk in told if pk is not None],
        "kind": Kind.WATCHED,
        "actor": reply.author_id,
        "post": reply.pk,
        "text": SENTENCES[Kind.WATCHED].format(actor=reply.author.username, thread=thread.title),
        "url": reply.permalink,
        "created": timezone.now(),
    }
    with connection.cursor() as cursor:
        cursor.execute(WATCHERS_SQL, parameters)
        if cursor.fetchone()[0]:
            transaction.on_commit(enqueue_mail)


def notifications_for_thread(*, thread: Thread) -> list[Notification]:
    """Tell the members the opening post mentions; its author watches the thread if their
    settings say so. Caller is inside the thread's transaction."""
    post = thread.opening_post
    _watch_by_default(thread.author, thread)
    return _notify(dict.fromkeys(_mentioned(post), Kind.MENTION), actor=thread.author, post=post)


def _mentioned(post: Post) -> list[int]:
    names = mentioned_usernames(post.body)
    return list(get_user_model().objects.filter(username__in=names).values_list("pk", flat=True))


SENTENCES = {
    Kind.REPLY: "{actor} replied to your post in “{thread}”.",
    Kind.MENTION: "{actor} mentioned you in “{thread}”.",
    Kind.WATCHED: "New replies in “{thread}”, a thread you watch, starting with {actor}’s.",
}


def _notify(reasons: dict[int, str], *, actor, post: Post) -> list[Notification]:
    """One notification for each member in `reasons` (member id -> kind) who may read the
    post, apart from its author."""
    reasons.pop(actor.pk, None)
    thread = post.thread
    return _create(
        (
            Notification(
                user_id=member_id,
                kind=kind,
                actor=actor,
                post=post,
                thread=thread,
                text=SENTENCES[kind].format(actor=actor.username, thread=thread.title),
                url=post.permalink,
            )
            for member_id, kind in reasons.items()
        )
    )


MERGED_POSTS = "A moderator merged claims your posts were tagged with into «{target}»."
MERGED_CLAIM = "A moderator merged a claim you made into «{target}»."


def notifications_for_merge(
    *, target: Claim, sources: Sequence[Claim], moderator
) -> list[Notification]:
    """Tell the authors of posts tagged with a source, and the members who made a source,
    that it was merged into the target: one notification each, never the moderator. Caller
    runs it before the tags move."""
    posts = (
        Post.objects.filter(tags__claim__in=sources, author__isnull=False)
        .order_by("author_id", "-pk")
        .distinct("author_id")
        .only("pk", "author_id")
    )
    latest_post = {post.author_id: post for post in posts}
    makers = {source.created_by_id for source in sources if source.created_by_id}
    members = (latest_post.keys() | makers) - {moderator.pk}
    return _create(
        Notification(
            user_id=member_id,
            kind=Kind.CLAIM_MERGED,
            actor=moderator,
            claim=target,
            text=(MERGED_POSTS if member_id in latest_post else MERGED_CLAIM).format(target=target),
            url=(latest_post.get(member_id) or target).get_absolute_url(),
        )
        for member_id in sorted(members)
    )


def notifications_for_merge_undo(*, merge) -> list[Notification]:
    """A notification of the merge that its member has not read yet is withdrawn: it would
    tell them of a change that no longer holds. One they have read stays, as what they were
    told, and gets an answer saying that the merge was undone. Caller holds the merge's lock."""
    notifications = list(merge.notifications.select_for_update(of=("self",)).order_by("pk"))
    unread = [note.pk for note in notifications if not note.read]
    Notification.objects.filter(pk__in=unread).delete()
    return _create(
        Notification(
            user_id=note.user_id,
            kind=Kind.CLAIM_UNMERGED,
            actor=merge.undone_by,
            claim=merge.target,
            url=note.url,
            text=f"A moderator undid the merge into «{merge.target}»: your posts' claim tags"
            " are as they were before it.",
        )
        for note in notifications
        if note.read
    )


def notification_send(*, member, text: str, url: str = "", actor=None) -> list[Notification]:
    """A plain message to one member (e.g. a report's outcome), unless it is their own doing
    or they are no longer active; mailed like any other. Caller runs it in the transaction
    of what it tells of."""
    if actor is not None and actor.pk == member.pk:
        return []
    return _create([Notification(user=member, actor=actor, text=text[:500], url=url)])


def _create(notifications: Iterable[Notification]) -> list[Notification]:
    """Save the notifications of active members, marking for email those who want it, and
    have the mail sent once the caller's transaction commits."""
    notifications = list(notifications)
    if not notifications:
        return []
    wanted = dict(
        get_user_model()
        .objects.filter(pk__in={note.user_id for note in notifications}, is_active=True)
        .values_list("pk", "preferences__email")
    )
    notifications = [note for note in notifications if note.user_id in wanted]
    for note in notifications:
        note.email_pending = wanted[note.user_id] not in (None, Preferences.Email.NONE)
    created = Notification.objects.bulk_create(notifications)
    if any(wanted[note.user_id] == Preferences.Email.IMMEDIATELY for note in notifications):
        transaction.on_commit(enqueue_mail)
    return created


def enqueue_mail() -> None:
    """The fast path: send now. A broker that is down loses nothing: the outbox keeps the
    mail and the periodic task sends it."""
    from apps.notifications.tasks import send_due_mail  # tasks imports this module

    try:
        send_due_mail.apply_async(retry=False)
    except Exception as error:  # any broker failure: the beat task covers it
        log.warning("Mail not queued (%s); the periodic task will send it.", error)


# One statement, as every reply runs it inside its tree's lock: the watch, unless the
# member's settings say not (no settings: the default, watching), or they watch already.
WATCH_BY_DEFAULT_SQL = """
    INSERT INTO notifications_watch (user_id, thread_id, created)
    SELECT %(member)s, %(thread)s, %(now)s
    WHERE NOT EXISTS (
        SELECT 1 FROM notifications_preferences
        WHERE user_id = %(member)s AND NOT watch_by_default
    )
    ON CONFLICT DO NOTHING
"""


def _watch_by_default(member, thread: Thread) -> None:
    """Members watch the threads they start or reply in unless their settings say not."""
    if member is None:
        return
    with connection.cursor() as cursor:
        parameters = {"member": member.pk, "thread": thread.pk, "now": timezone.now()}
        cursor.execute(WATCH_BY_DEFAULT_SQL, parameters)


def notifications_mark_read(*, member, ids: Sequence[int] | None = None, all: bool = False) -> int:
    """Mark the member's notifications read: those of `ids` or, with `all`, every one. Ids
    of other members' notifications change nothing. Returns how many changed."""
    check_participate(member, "mark notifications read")
    if all == (ids is not None):
        raise ValidationError(
            "Say which notifications to mark read: a list of ids, or all.", code="which"
        )
    unread = Notification.objects.filter(user=member, read=False)
    if not all:
        unread = unread.filter(pk__in=_clean_ids(ids))
    return unread.update(read=True)


def _clean_ids(ids: Sequence[int]) -> list[int]:
    if len(ids) > MAX_IDS:
        raise ValidationError(
            f"Mark at most {MAX_IDS} notifications at once, or all of them.", code="too_many"
        )
    if not all(type(pk) is int and 0 < pk < MAX_ID for pk in ids):
        raise ValidationError("Notification ids are positive whole numbers.", code="bad_id")
    return list(ids)


def thread_watch(*, thread: Thread, member) -> bool:
    """Watch the thread; True when the member was not watching it already."""
    check_participate(member, "watch threads")
    _, created = Watch.objects.get_or_create(user=member, thread=thread)
    return created


def thread_unwatch(*, thread: Thread, member) -> bool:
    """Stop watching the thread; True when the member was watching it."""
    check_participate(member, "watch threads")
    deleted, _ = Watch.objects.filter(user=member, thread=thread).delete()
    return bool(deleted)


def preferences_update(
    *, member, email_address: str, watch_by_default: bool, email: str
) -> Preferences:
    """Change the member's address and notification settings. Mail needs an address; no
    mail drops what the outbox held; a new daily digest counts its day from now."""
    check_participate(member, "change your settings")
    email_address = (email_address or "").strip()
    if email_address:
        validate_email(email_address)
        if len(email_address) > MAX_ADDRESS_LENGTH:
            raise ValidationError(
                f"An email address has at most {MAX_ADDRESS_LENGTH} characters.", code="too_long"
            )
    if email not in Preferences.Email.values:
        raise ValidationError(
            f"Email is one of {', '.join(Preferences.Email.values)}.", code="email_choice"
        )
    if email != Preferences.Email.NONE and not email_address:
        raise ValidationError("Give an email address to receive email.", code="no_address")
    with transaction.atomic():
        preferences, _ = Preferences.objects.select_for_update().get_or_create(user=member)
        if email == Preferences.Email.DAILY and preferences.email != email:
            preferences.last_digest = timezone.now()
        if email == Preferences.Email.NONE:
            member.notifications.filter(email_pending=True).update(email_pending=False)
        preferences.watch_by_default, preferences.email = watch_by_default, email
        preferences.save()
        member.email = email_address
        member.save(update_fields=["email"])
    return preferences


def unsubscribe_token(member) -> str:
    """The token of a member's unsubscribe link: signed, so it needs no login."""
    return signing.dumps(member.pk, salt=UNSUBSCRIBE_SALT)


def member_for_unsubscribe(token: str):
    """The active member an unsubscribe token names; PermissionDenied for a bad token."""
    try:
        member_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise PermissionDenied("This unsubscribe link is not valid: copy it whole.") from None
    member = get_user_model().objects.filter(pk=member_id, is_active=True).first()
    if member is None:
        raise PermissionDenied("This unsubscribe link is not valid: copy it whole.")
    return member


def email_unsubscribe(*, token: str):
    """Stop all notification email to the member the token names."""
    member = member_for_unsubscribe(token)
    with transaction.atomic():
        preferences, _ = Preferences.objects.select_for_update().get_or_create(user=member)
        preferences.email = Preferences.Email.NONE
        preferences.save(update_fields=["email"])
        member.notifications.filter(email_pending=True).update(email_pending=False)
    return member
