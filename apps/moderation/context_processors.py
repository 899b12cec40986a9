from apps.moderation.models import Report
from apps.moderation.permissions import can_handle_reports


def open_reports(request) -> dict:
    """For moderators who handle reports, how many are open, for the header's "Reports" link
    (one query, those moderators only)."""
    user = getattr(request, "user", None)
    if not (user and can_handle_reports(user)):
        return {}
    return {"open_reports": Report.objects.filter(state=Report.State.OPEN).count()}
