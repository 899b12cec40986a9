"""Moderators' pages that create, edit, archive and unarchive topics."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from apps.forum.forms import TopicForm
from apps.forum.models import Topic
from apps.forum.permissions import check_manage_topics
from apps.forum.services import topics
from apps.moderation.forms import ReasonForm


@login_required
@require_http_methods(["GET", "POST"])
def topic_create(request):
    check_manage_topics(request.user, "create topics")
    form = TopicForm(request.POST or None, creating=True)
    if form.is_valid():
        try:
            topic = topics.topic_create(moderator=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Created the topic “{topic.title}”.")
            return redirect(topic)
    return render(request, "forum/topic_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def topic_edit(request, slug):
    check_manage_topics(request.user, "edit topics")
    topic = get_object_or_404(Topic, slug=slug)
    initial = {"title": topic.title, "description": topic.description}
    form = TopicForm(request.POST or None, initial=initial, creating=False)
    if form.is_valid():
        try:
            topics.topic_edit(topic=topic, moderator=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Saved.")
            return redirect(topic)
    return render(request, "forum/topic_form.html", {"form": form, "topic": topic})


@login_required
@require_http_methods(["GET", "POST"])
def topic_archive(request, slug):
    """Archive an open topic, or unarchive an archived one, with a reason."""
    check_manage_topics(request.user, "archive or unarchive topics")
    topic = get_object_or_404(Topic, slug=slug)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            topics.topic_archive(
                topic=topic,
                moderator=request.user,
                archived=not topic.archived,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(topic)
    return render(request, "forum/topic_archive.html", {"topic": topic, "form": form})
