from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.decorators import login_required_to
from apps.forum import selectors
from apps.forum.forms import EditForm, PreviewForm, ThreadForm, reply_form
from apps.forum.models import Post, Thread, Topic
from apps.forum.permissions import (
    can_manage_topics,
    check_delete_post,
    check_edit_post,
    check_topic_open,
)
from apps.forum.services import editing, post_state, posting
from config.caching import cache_for_visitors
from config.limits import limited

THREADS_PER_PAGE = 30
MAX_PAGE = 100_000
# Read once for both the opening post's chips and the answers of the thread's reply form.
OPENING_POST_TAGS = Prefetch(
    "opening_post__tags", queryset=selectors.WITH_TAGS.queryset, to_attr="claim_tags"
)


@cache_for_visitors
def home(request):
    topics = Topic.objects.annotate(thread_count=Count("threads"))
    context = {"topics": topics, "can_manage_topics": can_manage_topics(request.user)}
    return render(request, "forum/home.html", context)


@cache_for_visitors
def topic_detail(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    threads = topic.threads.select_related("author").order_by("-last_activity", "-pk")
    page = Paginator(threads, THREADS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"topic": topic, "page": page, "can_manage_topics": can_manage_topics(request.user)}
    return render(request, "forum/topic.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@limited("post")
def thread_create(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    check_topic_open(topic)
    form = ThreadForm(request.POST or None)
    if form.is_valid():
        try:
            thread = posting.thread_create(
                topic=topic,
                author=request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                tags=form.cleaned_tags(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(thread)
    return render(request, "forum/thread_form.html", {"topic": topic, "form": form})


@cache_for_visitors
def thread_detail(request, pk):
    thread = get_object_or_404(
        Thread.objects.select_related("topic", "opening_post__author").prefetch_related(
            OPENING_POST_TAGS
        ),
        pk=pk,
    )
    sort = request.GET.get("sort")
    sort = sort if sort in selectors.SORTS else "oldest"
    page = selectors.thread_page(thread=thread, sort=sort, page=_page_number(request))
    context = {
        "thread": thread,
        "page": page,
        "sorts": selectors.SORT_LABELS,
        "form": reply_form(thread.opening_post),
    }
    return render(request, "forum/thread.html", context)


@cache_for_visitors
def post_detail(request, pk):
    post = _get_post(pk)
    if post.depth == 0:
        return redirect(post.thread)
    context = selectors.post_context(post=post, after=_after(request))
    return render(
        request, "forum/post.html", {"post": post, "thread": post.thread, "context": context}
    )


@login_required_to("reply")
@require_http_methods(["GET", "POST"])
@limited("post")
def reply_create(request, pk):
    parent = _get_post(pk)
    form = reply_form(parent, request.POST or None)
    if form.is_valid():
        try:
            reply = posting.reply_create(
                parent=parent,
                author=request.user,
                body=form.cleaned_data["body"],
                response=form.cleaned_data["response"],
                tags=form.cleaned_tags(),
                answers=form.cleaned_answers(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your reply is posted.")
            return redirect(reply.permalink)
    template = (
        "forum/partials/reply_form.html"
        if request.headers.get("HX-Request")
        else "forum/reply.html"
    )
    return render(request, template, {"parent": parent, "thread": parent.thread, "form": form})


@login_required_to("preview a post")
@require_POST
def post_preview(request):
    """The body of a post being written, as it will show (htmx; the forms' Preview button
    does the same without scripts)."""
    preview = PreviewForm(request.POST)
    return render(request, "forum/partials/preview.html", {"preview": preview})


@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request, pk):
    post = _get_post(pk)
    check_edit_post(request.user, post)
    check_topic_open(post.thread.topic)
    form = EditForm(request.POST or None, post=post)
    if form.is_valid():
        try:
            editing.post_edit(
                post=post,
                editor=request.user,
                body=form.cleaned_data["body"],
                tags=form.cleaned_tags(),
                response=form.cleaned_data.get("response") or None,  # opening post: no field
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(post)
    return render(
        request, "forum/post_edit.html", {"post": post, "thread": post.thread, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def post_delete(request, pk):
    post = _get_post(pk)
    check_delete_post(request.user, post)
    check_topic_open(post.thread.topic)
    if request.method == "POST":
        try:
            post_state.post_delete(post=post, actor=request.user)
        except ValidationError as error:
            return render(
                request, "forum/post_delete.html", {"post": post, "error": error}, status=400
            )
        return redirect(post)
    return render(request, "forum/post_delete.html", {"post": post, "thread": post.thread})


def post_revisions(request, pk):
    post = _get_post(pk)
    if post.is_tombstone:
        raise Http404("This post was deleted or removed; its history is not shown.")
    revisions = list(post.revisions.all())
    return render(
        request,
        "forum/post_revisions.html",
        {"post": post, "thread": post.thread, "revisions": revisions},
    )


def _get_post(pk) -> Post:
    return get_object_or_404(Post.objects.select_related("thread__topic", "author"), pk=pk)


def _page_number(request) -> int:
    try:
        return min(max(1, int(request.GET.get("page", 1))), MAX_PAGE)
    except ValueError:
        return 1


def _after(request) -> tuple[int, int] | None:
    """The (tree_id, lft) after which a subtree page starts, from "?after=12.34"."""
    try:
        tree_id, lft = (int(part) for part in request.GET["after"].split("."))
    except (KeyError, ValueError):
        return None
    return (tree_id, lft) if 0 <= tree_id < 2**31 and 0 <= lft < 2**31 else None
