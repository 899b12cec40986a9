from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from apps.accounts.models import User
from apps.accounts.services import member_delete


@admin.register(User)
class MemberAdmin(UserAdmin):
    """Deleting members goes through member_delete, which has their topics' maps rebuilt."""

    def delete_model(self, request, obj):
        member_delete(member=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for member in queryset:
            member_delete(member=member, actor=request.user)
