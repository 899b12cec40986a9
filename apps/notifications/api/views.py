from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import IsActiveMember
from apps.forum.models import Thread
from apps.notifications import selectors, services
from apps.notifications.api.serializers import (
    MarkedSerializer,
    MarkReadSerializer,
    NotificationSerializer,
    WatchSerializer,
)


class NotificationPagination(PageNumberPagination):
    """A page of notifications, with how many of all the caller's are unread."""

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["unread"] = selectors.unread_count(self.request.user)
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["unread"] = {"type": "integer", "example": 3}
        schema["required"].append("unread")
        return schema


class NotificationList(generics.ListAPIView):
    """The caller's notifications, newest first, with the unread count."""

    permission_classes = [IsActiveMember]
    serializer_class = NotificationSerializer
    pagination_class = NotificationPagination

    def get_queryset(self):
        return selectors.notifications_of(self.request.user)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return selectors.with_excerpts(page, self.request.user)

    @extend_schema(summary="The caller's notifications, newest first, with the unread count")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class NotificationsRead(APIView):
    """Mark the caller's notifications read; others' ids change nothing."""

    permission_classes = [IsActiveMember]

    @extend_schema(
        summary="Mark notifications read: some by id, or all",
        request=MarkReadSerializer,
        responses={200: MarkedSerializer},
    )
    def post(self, request):
        data = MarkReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        marked = services.notifications_mark_read(
            member=request.user, ids=data.validated_data.get("ids"), all=data.validated_data["all"]
        )
        unread = selectors.unread_count(request.user)
        return Response(MarkedSerializer({"marked": marked, "unread": unread}).data)


class ThreadWatch(APIView):
    """Whether the caller watches the thread: PUT to watch it, DELETE to stop."""

    permission_classes = [IsActiveMember]

    def get_thread(self) -> Thread:
        return get_object_or_404(Thread, pk=self.kwargs["pk"])

    @extend_schema(summary="Whether you watch the thread", responses={200: WatchSerializer})
    def get(self, request, pk):
        thread = self.get_thread()
        watching = selectors.is_watching(member=request.user, thread=thread)
        return Response({"thread": thread.pk, "watching": watching})

    @extend_schema(
        summary="Watch the thread: a notification for each new reply",
        request=None,
        responses={201: WatchSerializer, 200: WatchSerializer},
    )
    def put(self, request, pk):
        thread = self.get_thread()
        created = services.thread_watch(thread=thread, member=request.user)
        return Response(
            {"thread": thread.pk, "watching": True},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(summary="Stop watching the thread", responses={204: None})
    def delete(self, request, pk):
        services.thread_unwatch(thread=self.get_thread(), member=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
