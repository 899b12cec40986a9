from django import template

from apps.notifications.selectors import is_watching

register = template.Library()


@register.inclusion_tag("notifications/partials/watch.html", takes_context=True)
def watch_button(context, thread):
    """Watch / Stop watching, for members (one query); nothing for visitors."""
    user = context["user"]
    member = user.is_authenticated
    watching = is_watching(member=user, thread=thread)
    return {
        "thread": thread,
        "member": member,
        "watching": watching,
        "csrf_token": context.get("csrf_token"),
    }
