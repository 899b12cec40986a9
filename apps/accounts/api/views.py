from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import services
from apps.accounts.api.serializers import MemberSerializer, ProfileUpdateSerializer
from apps.accounts.models import User
from apps.accounts.permissions import IsActiveMember


class MemberDetail(APIView):
    """A member's public profile."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(summary="Read a member's profile", responses={200: MemberSerializer})
    def get(self, request, username):
        member = get_object_or_404(User, username=username, is_active=True)
        return Response(MemberSerializer(member).data)


class Me(APIView):
    """The caller's own profile, which they may edit."""

    permission_classes = [IsActiveMember]

    @extend_schema(summary="Read your own profile", responses={200: MemberSerializer})
    def get(self, request):
        return Response(MemberSerializer(request.user).data)

    @extend_schema(
        summary="Edit your own profile (its bio)",
        request=ProfileUpdateSerializer,
        responses={200: MemberSerializer},
    )
    def patch(self, request):
        data = ProfileUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.profile_edit(
            member=request.user, editor=request.user, bio=data.validated_data["bio"]
        )
        return Response(MemberSerializer(member).data)
