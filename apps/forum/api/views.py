from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, generics, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from apps.claims.services.tags import post_tags_set
from apps.forum import selectors
from apps.forum.api.serializers import (
    PostSerializer,
    PostUpdateSerializer,
    ReplyCreateSerializer,
    ThreadCreateSerializer,
    ThreadSerializer,
    TopicCreateSerializer,
    TopicSerializer,
    TopicUpdateSerializer,
)
from apps.forum.models import Post, Thread, Topic
from apps.forum.services.editing import post_edit
from apps.forum.services.post_state import post_delete
from apps.forum.services.posting import reply_create, thread_create
from apps.forum.services.topics import topic_archive, topic_create, topic_edit
from config.limits import limited


class TopicList(generics.ListAPIView):
    """GET: every topic, by title. POST: a moderator creates one."""

    queryset = Topic.objects.order_by("title")
    serializer_class = TopicSerializer

    @extend_schema(summary="List the topics")
    def get(self, request):
        return self.list(request)

    @extend_schema(
        summary="Create a topic (moderators)",
        request=TopicCreateSerializer,
        responses={201: TopicSerializer},
    )
    def post(self, request):
        data = TopicCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        topic = topic_create(moderator=request.user, **data.validated_data)
        return Response(TopicSerializer(topic).data, status=status.HTTP_201_CREATED)


class TopicDetail(generics.RetrieveAPIView):
    """GET: a topic. PATCH: a moderator edits, archives or unarchives it."""

    queryset = Topic.objects.all()
    serializer_class = TopicSerializer
    lookup_field = "slug"
    http_method_names = ["get", "patch", "head", "options"]

    @extend_schema(summary="Read a topic")
    def get(self, request, slug):
        return self.retrieve(request)

    @extend_schema(
        summary="Edit, archive or unarchive a topic (moderators)",
        request=TopicUpdateSerializer,
        responses={200: TopicSerializer},
    )
    def patch(self, request, slug):
        data = TopicUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        topic, change = self.get_object(), data.validated_data
        if "archived" in change:
            topic = topic_archive(
                topic=topic,
                moderator=request.user,
                archived=change["archived"],
                reason=change.get("reason", ""),
            )
        else:
            topic_edit(topic=topic, moderator=request.user, **change)
        return Response(TopicSerializer(topic).data)


@extend_schema_view(get=extend_schema(summary="List a topic's threads"))
class TopicThreads(generics.ListAPIView):
    """GET: the topic's threads, latest activity first. POST: start a thread."""

    serializer_class = ThreadSerializer

    def get_topic(self) -> Topic:
        return get_object_or_404(Topic, slug=self.kwargs["slug"])

    def get_queryset(self):
        topic = self.get_topic()
        return topic.threads.select_related("topic", "author").order_by("-last_activity", "-pk")

    @extend_schema(
        summary="Start a thread", request=ThreadCreateSerializer, responses={201: ThreadSerializer}
    )
    @method_decorator(limited("post"))
    def post(self, request, slug):
        topic = self.get_topic()
        data = ThreadCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        thread = thread_create(topic=topic, author=request.user, **data.validated_data)
        return Response(ThreadSerializer(thread).data, status=status.HTTP_201_CREATED)


@extend_schema_view(get=extend_schema(summary="Read a thread"))
class ThreadDetail(generics.RetrieveAPIView):
    queryset = Thread.objects.select_related("topic", "author")
    serializer_class = ThreadSerializer


class TreeOrderPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class ThreadPosts(generics.GenericAPIView):
    """GET: the thread's posts depth-first, every reply after its parent.
    POST: reply to any post of the thread."""

    serializer_class = PostSerializer
    pagination_class = TreeOrderPagination

    def get_thread(self) -> Thread:
        return get_object_or_404(Thread, pk=self.kwargs["pk"])

    @extend_schema(
        summary="List a thread's posts, depth-first",
        responses=PostSerializer(many=True),  # a page of them, not one post
    )
    def get(self, request, pk):
        posts = selectors.PostsInTreeOrder(self.get_thread(), Post.objects.select_related("author"))
        page = self.paginate_queryset(posts)
        return self.get_paginated_response(PostSerializer(page, many=True).data)

    @extend_schema(
        summary="Reply to a post", request=ReplyCreateSerializer, responses={201: PostSerializer}
    )
    @method_decorator(limited("post"))
    def post(self, request, pk):
        thread = self.get_thread()
        data = ReplyCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        parent = Post.objects.filter(pk=data.validated_data["parent"], thread=thread).first()
        if parent is None:
            raise exceptions.ValidationError({"parent": ["No such post in this thread."]})
        reply = reply_create(
            parent=parent,
            author=request.user,
            body=data.validated_data["body"],
            response=data.validated_data["response"],
            tags=data.validated_data["tags"],
        )
        return Response(PostSerializer(reply).data, status=status.HTTP_201_CREATED)


class PostDetail(generics.GenericAPIView):
    """A post; its author may edit it (PATCH) or leave a tombstone (DELETE)."""

    queryset = Post.objects.select_related("thread", "author")
    serializer_class = PostSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]

    @extend_schema(summary="Read a post")
    def get(self, request, pk):
        return Response(PostSerializer(self.get_object()).data)

    @extend_schema(
        summary="Edit a post's body, response or tags",
        request=PostUpdateSerializer,
        responses={200: PostSerializer},
    )
    def patch(self, request, pk):
        data = PostUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post, change = self.get_object(), data.validated_data
        if "body" in change or "response" in change:
            post_edit(post=post, editor=request.user, **change)
        else:  # tags alone: a moderator may change them too
            post_tags_set(post=post, actor=request.user, tags=change["tags"])
        return Response(PostSerializer(post).data)

    @extend_schema(summary="Delete your post, leaving a tombstone", responses={200: PostSerializer})
    def delete(self, request, pk):
        post = post_delete(post=self.get_object(), actor=request.user)
        return Response(PostSerializer(post).data)
