from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.decorators import login_required_to
from apps.claims.models import Claim, ClaimTag
from apps.claims.permissions import can_merge, check_merge
from apps.claims.services.merge import claim_merge
from apps.claims.services.merge_undo import claim_merge_undo
from apps.forum.models import Post, Thread, Topic
from apps.forum.permissions import check_topic_open
from apps.forum.services import threads, topics
from apps.forum.services.post_state import post_remove, post_restore
from apps.moderation import reports, selectors, services
from apps.moderation.forms import (
    MergeChoiceForm,
    MergeConfirmForm,
    ReasonForm,
    ReportForm,
    ResolveForm,
)
from apps.moderation.models import ClaimMerge, ModerationAction, Report
from apps.moderation.permissions import (
    DELETE_THREADS,
    DELETE_TOPICS,
    LOCK_THREADS,
    REMOVE_POSTS,
    can_see_moderators,
    check_handle_reports,
    check_moderate,
    check_report_post,
)
from config.limits import limited

LOG_PER_PAGE = 50


def _done_with_reason(request, form: ReasonForm, act) -> bool:
    """Run `act(reason)` for a valid POSTed reason form; a refusal lands on the form."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        act(form.cleaned_data["reason"])
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True


@login_required
def duplicates(request, slug):
    check_merge(request.user, "see the duplicate queue")
    topic = get_object_or_404(Topic, slug=slug)
    check_topic_open(topic)  # its merges and dismissals are writes
    pairs = selectors.likely_duplicates(topic=topic)
    return render(request, "moderation/duplicates.html", {"topic": topic, "pairs": pairs})


@login_required
@require_POST
def duplicate_dismiss(request, slug):
    check_merge(request.user, "dismiss duplicate suggestions")
    topic = get_object_or_404(Topic, slug=slug)
    try:
        first, second = (
            get_object_or_404(Claim, pk=int(request.POST.get(name, "")), topic=topic)
            for name in ("first", "second")
        )
        services.duplicate_dismiss(first=first, second=second, moderator=request.user)
    except (ValueError, ValidationError) as error:  # no page of ours sends these
        raise BadRequest("Dismiss two different claims of this topic.") from error
    messages.success(request, "Dismissed: that pair will not be suggested again.")
    return redirect("moderation:duplicates", slug=topic.slug)


@login_required
@require_http_methods(["GET", "POST"])
def merge(request, slug):
    """GET with target and sources: the preview and the confirm form; POST: the merge."""
    check_merge(request.user, "merge claims")
    topic = get_object_or_404(Topic, slug=slug)
    check_topic_open(topic)
    # Sources alone (a report's "merge" link) preselect them, not yet a preview to check.
    asked = request.GET if "target" in request.GET else None
    initial = {"sources": request.GET.getlist("sources")}
    choice = MergeChoiceForm(asked, initial=initial, topic=topic)
    if not choice.is_valid():
        return render(request, "moderation/merge.html", {"topic": topic, "choice": choice})
    preview = selectors.merge_preview(
        target=choice.cleaned_data["target"], sources=list(choice.cleaned_data["sources"])
    )
    confirm = MergeConfirmForm(
        request.POST or None,
        conflicts=preview.conflicts,
        member_conflicts=preview.member_conflicts,
        initial={"fingerprint": preview.fingerprint},
    )
    if request.method == "POST" and confirm.is_valid():
        try:
            done = claim_merge(
                target=preview.target, sources=preview.sources, moderator=request.user,
                reason=confirm.cleaned_data["reason"], resolutions=confirm.resolutions(),
                member_resolutions=confirm.member_resolutions(),
                fingerprint=confirm.cleaned_data["fingerprint"],
            )  # fmt: skip
        except ValidationError as error:
            confirm.add_error(None, error)
            if error.code == "stale_preview":  # the page shows the new preview: vouch for it
                confirm.data = confirm.data.copy()
                confirm.data["fingerprint"] = preview.fingerprint
        else:
            messages.success(request, f"Merged into «{done.target.text}». The map is rebuilding.")
            return redirect(reverse("moderation:log", args=[topic.slug]))
    context = {"topic": topic, "choice": choice, "preview": preview, "confirm": confirm}
    return render(request, "moderation/merge.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def merge_undo(request, pk):
    check_merge(request.user, "undo merges")
    merge = get_object_or_404(ClaimMerge.objects.select_related("topic", "target"), pk=pk)
    check_topic_open(merge.topic)
    form = ReasonForm(request.POST or None)
    form.fields["reason"].required = False

    def undo(reason):
        claim_merge_undo(merge=merge, moderator=request.user, reason=reason)

    if _done_with_reason(request, form, undo):
        messages.success(request, "The merge is undone: the claims and tags are as they were.")
        return redirect(reverse("moderation:log", args=[merge.topic.slug]))
    context = {"merge": merge, "topic": merge.topic, "form": form}
    return render(request, "moderation/merge_undo.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def post_moderate(request, pk, action):
    """Remove a visible post, or restore a removed one, with a reason."""
    check_moderate(request.user, REMOVE_POSTS, f"{action} posts")
    post = get_object_or_404(Post.objects.select_related("thread__topic", "author"), pk=pk)
    form = ReasonForm(request.POST or None)
    change = post_remove if action == "remove" else post_restore
    if _done_with_reason(
        request, form, lambda reason: change(post=post, moderator=request.user, reason=reason)
    ):
        return redirect(post)
    context = {"post": post, "thread": post.thread, "form": form, "action": action}
    return render(request, "moderation/post_moderate.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def thread_lock(request, pk):
    """Lock an unlocked thread, or unlock a locked one, with a reason."""
    check_moderate(request.user, LOCK_THREADS, "lock or unlock threads")
    thread = get_object_or_404(Thread.objects.select_related("topic"), pk=pk)
    form = ReasonForm(request.POST or None)

    def toggle(reason):
        threads.thread_set_locked(
            thread=thread, moderator=request.user, locked=not thread.locked, reason=reason
        )

    if _done_with_reason(request, form, toggle):
        return redirect(thread)
    return render(request, "moderation/thread_lock.html", {"thread": thread, "form": form})


def log(request, slug=None):
    """The public moderation log, of one topic or of all; moderator names for moderators only."""
    topic = get_object_or_404(Topic, slug=slug) if slug else None
    actions = ModerationAction.objects.select_related(
        "topic", "moderator", "post", "thread", "merge"
    )
    if topic:
        actions = actions.filter(topic=topic)
    page = Paginator(actions, LOG_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "topic": topic,
        "page": page,
        "topics": Topic.objects.order_by("title"),
        "show_moderators": can_see_moderators(request.user),
        "can_undo": can_merge(request.user),
    }
    return render(request, "moderation/log.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def thread_delete(request, pk):
    """Ask first, saying what goes with the thread; then delete it."""
    check_moderate(request.user, DELETE_THREADS, "delete threads")
    thread = get_object_or_404(Thread.objects.select_related("topic"), pk=pk)
    form = ReasonForm(request.POST or None)
    if _done_with_reason(
        request,
        form,
        lambda reason: threads.thread_delete(thread=thread, moderator=request.user, reason=reason),
    ):
        messages.success(request, f"Deleted “{thread.title}”.")
        return redirect(thread.topic)
    context = {
        "thread": thread,
        "form": form,
        "posts": thread.posts.count(),
        "tags": ClaimTag.objects.filter(post__thread=thread).count(),
    }
    return render(request, "moderation/thread_delete.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def topic_delete(request, slug):
    check_moderate(request.user, DELETE_TOPICS, "delete topics")
    topic = get_object_or_404(Topic, slug=slug)
    form = ReasonForm(request.POST or None)
    if _done_with_reason(
        request,
        form,
        lambda reason: topics.topic_delete(topic=topic, moderator=request.user, reason=reason),
    ):
        messages.success(request, f"Deleted the topic “{topic.title}”.")
        return redirect("forum:home")
    context = {
        "topic": topic,
        "form": form,
        "threads": topic.threads.count(),
        "claims": topic.claims.count(),
    }
    return render(request, "moderation/topic_delete.html", context)


# --- reports ----------------------------------------------------------------------------


@login_required_to("report this post")
@require_http_methods(["GET", "POST"])
@limited("report")
def report_post(request, pk):
    post = get_object_or_404(Post.objects.select_related("thread__topic", "author"), pk=pk)
    check_report_post(request.user, post)
    context = {"post": post, "thread": post.thread}
    return _report(request, context, {"post": post})


@login_required_to("report this claim")
@require_http_methods(["GET", "POST"])
@limited("report")
def report_claim(request, pk):
    claim = get_object_or_404(Claim.objects.select_related("topic", "merged_into"), pk=pk)
    if claim.merged_into_id:
        return redirect("moderation:report_claim", pk=claim.merged_into_id)
    context = {"claim": claim, "topic": claim.topic}
    return _report(request, context, {"claim": claim})


def _report(request, context: dict, item: dict):
    """The report form; a report sent goes back to what was reported, with thanks."""
    form = ReportForm(request.POST or None)
    if form.is_valid():
        try:
            report = reports.report_create(
                reporter=request.user, reason=form.cleaned_data["reason"], **item
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                "Thank you: the moderators will look at it, and you will get a notification"
                " when they have.",
            )
            return redirect(report.item)
    return render(request, "moderation/report_form.html", {**context, "form": form})


@login_required
def report_queue(request, slug=None):
    check_handle_reports(request.user)
    topic = get_object_or_404(Topic, slug=slug) if slug else None
    page = selectors.report_queue(topic=topic, page_number=request.GET.get("page"))
    context = {"topic": topic, "page": page, "topics": Topic.objects.order_by("title")}
    return render(request, "moderation/reports.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def report_resolve(request, pk):
    """GET: the item and the resolve form alone; POST: dismiss, or remove the post."""
    check_handle_reports(request.user)
    report = get_object_or_404(Report.objects.select_related("topic"), pk=pk)
    form = ResolveForm(request.POST or None)
    if form.is_valid():
        try:
            closed = reports.report_resolve(
                report=report, moderator=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Resolved {closed} report(s); the reporters are told.")
            return redirect("moderation:reports", slug=report.topic.slug)
    item = selectors.reported_item(report=report)
    context = {"report": report, "item": item, "form": form, "topic": report.topic}
    return render(request, "moderation/report_resolve.html", context)
