"""The rule every other permission starts from: an active member, logged in with an account
that is not deactivated. Written once; the other apps' permissions.py call it."""

from django.core.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission


def can_participate(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def check_participate(user, action: str) -> None:
    if not can_participate(user):
        raise PermissionDenied(f"Log in to {action}.")


def can_delete_member(user) -> bool:
    return can_participate(user) and user.has_perm("accounts.delete_user")


def check_delete_member(user) -> None:
    if not can_delete_member(user):
        raise PermissionDenied("Only administrators can delete members.")


def can_edit_profile(user, member) -> bool:
    """A member edits their own profile, and no one else's."""
    return can_participate(user) and user.pk == member.pk


def check_edit_profile(user, member) -> None:
    check_participate(user, "edit your profile")
    if not can_edit_profile(user, member):
        raise PermissionDenied("Members edit their own profile only.")


class IsActiveMember(BasePermission):
    """DRF: an active member; anyone else gets 401 (no credentials) or 403."""

    def has_permission(self, request, view) -> bool:
        return can_participate(request.user)


class IsActiveMemberOrReadOnly(BasePermission):
    """DRF's default here: anyone reads, active members write."""

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or can_participate(request.user)
