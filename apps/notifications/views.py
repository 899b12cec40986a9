from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.decorators import login_required_to
from apps.accounts.forms import ProfileForm
from apps.forum.models import Thread
from apps.notifications import selectors, services
from apps.notifications.forms import MarkReadForm, PreferencesForm
from apps.notifications.models import Preferences

PER_PAGE = 20


@login_required
def notification_list(request):
    """The member's notifications, newest first. Reading them marks nothing: that is a POST."""
    page = Paginator(selectors.notifications_of(request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    page.object_list = selectors.with_excerpts(page.object_list, request.user)
    return render(request, "notifications/list.html", {"page": page})


@require_POST
@login_required_to("mark notifications read")
def notifications_read(request):
    """Mark one, several or all notifications read, then back to the page it came from."""
    form = MarkReadForm(request.POST)
    if not form.is_valid():  # no page of ours sends such ids
        raise BadRequest(form.non_field_errors()[0])
    try:
        marked = services.notifications_mark_read(
            member=request.user, ids=form.cleaned_data["ids"], all=form.cleaned_data["all"]
        )
    except ValidationError as refusal:
        messages.error(request, refusal.messages[0])
    else:
        messages.success(request, f"Marked {marked} read." if marked != 1 else "Marked read.")
    page = request.POST.get("page", "")
    suffix = f"?page={page}" if page.isdigit() else ""
    return redirect(reverse("notifications:list") + suffix)


@require_POST
@login_required_to("watch this thread")
def thread_watch(request, pk):
    """Watch (`watch=1`) or stop watching the thread, then back to it."""
    thread = get_object_or_404(Thread, pk=pk)
    if request.POST.get("watch") == "1":
        services.thread_watch(thread=thread, member=request.user)
        messages.success(request, "You watch this thread: each new reply notifies you.")
    else:
        services.thread_unwatch(thread=thread, member=request.user)
        messages.success(request, "You no longer watch this thread.")
    return redirect(thread)


@login_required
@require_http_methods(["GET", "POST"])
def preferences_edit(request):
    """The member's settings: email address, email about notifications, watching. (The
    page's other form, the bio, posts to accounts:bio.)"""
    form = PreferencesForm(request.POST or None, initial=_preferences_now(request.user))
    if form.is_valid():
        try:
            services.preferences_update(member=request.user, **form.cleaned_data)
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            messages.success(request, "Settings saved.")
            return redirect("notifications:settings")
    return settings_page(request, form=form)


def settings_page(request, *, form=None, bio_form=None):
    """The one settings page, its two forms unbound unless the view that refused one gives it."""
    context = {
        "form": form or PreferencesForm(initial=_preferences_now(request.user)),
        "bio_form": bio_form or ProfileForm(initial={"bio": request.user.bio}),
    }
    return render(request, "notifications/settings.html", context)


def _preferences_now(member) -> dict:
    preferences = Preferences.objects.filter(user=member).first() or Preferences()
    return {
        "email_address": member.email,
        "email": preferences.email,
        "watch_by_default": preferences.watch_by_default,
    }


@require_http_methods(["GET", "POST"])
def email_unsubscribe(request, token):
    """A mail's unsubscribe link, no login needed: GET asks, only POST unsubscribes."""
    try:
        member = services.member_for_unsubscribe(token)
    except PermissionDenied as refusal:
        return render(request, "notifications/unsubscribe.html", {"refusal": refusal}, status=400)
    if request.method == "POST":
        services.email_unsubscribe(token=token)
        return render(request, "notifications/unsubscribe.html", {"done": True, "member": member})
    return render(request, "notifications/unsubscribe.html", {"member": member})
