def unread_notifications(request) -> dict:
    """How many notifications the member has not seen, for the header (one query, members only)."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    return {"unread_notifications": user.notifications.filter(read=False).count()}
