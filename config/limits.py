from django.conf import settings
from django_ratelimit.decorators import ratelimit


def limited(group: str, method: str | list[str] = "POST"):
    """Limit requests of `method` (POSTs unless told) to a view by member (or by address for
    visitors) at settings.RATES[group]. Views sharing a group's budget must name the same
    methods (e.g. django_ratelimit.UNSAFE): the methods are part of the counter's key."""
    return ratelimit(
        group=group,
        key="user_or_ip",
        rate=lambda group, request: settings.RATES[group],
        method=method,
    )
