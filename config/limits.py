from django.conf import settings
from django_ratelimit.decorators import ratelimit


def limited(group: str):
    """Limit POSTs to a view by member (or by address for visitors) at settings.RATES[group]."""
    return ratelimit(
        group=group,
        key="user_or_ip",
        rate=lambda group, request: settings.RATES[group],
        method="POST",
    )
