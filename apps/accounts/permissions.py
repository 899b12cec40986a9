"""Who may change a member's profile: `can_*` answer for templates and serializers,
`check_*` raise the error a user reads."""

from django.core.exceptions import PermissionDenied


def can_edit_profile(user, member) -> bool:
    """A member edits their own profile, and no one else's."""
    return bool(user and user.is_authenticated and user.is_active and user.pk == member.pk)


def check_edit_profile(user, member) -> None:
    if not (user and user.is_authenticated and user.is_active):
        raise PermissionDenied("Log in to edit your profile.")
    if not can_edit_profile(user, member):
        raise PermissionDenied("Members edit their own profile only.")
