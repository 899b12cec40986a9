from django import template

from apps.notifications.models import Watch

register = template.Library()


@register.inclusion_tag("notifications/partials/watch.html", takes_context=True)
def watch_button(context, thread):
    """Watch / Stop watching, for members (one query); nothing for visitors."""
    user = context["user"]
    member = user.is_authenticated
    watching = member and Watch.objects.filter(user=user, thread=thread).exists()
    return {
        "thread": thread,
        "member": member,
        "watching": watching,
        "csrf_token": context.get("csrf_token"),
    }
