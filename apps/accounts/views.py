from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from apps.accounts import selectors, services
from apps.accounts.decorators import safe_next
from apps.accounts.forms import ProfileForm, SignupForm
from apps.accounts.models import Notification, User
from apps.accounts.permissions import can_edit_profile
from config.limits import limited

POSTS_PER_PAGE = 20


@require_http_methods(["GET", "POST"])
@limited("signup")
def signup(request):
    """Sign up, then go on to `next` (the page the visitor came from) if it is on this site."""
    next_page = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_authenticated:
        return redirect(next_page or "forum:home")
    form = SignupForm(request.POST or None)
    if form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(next_page or "forum:home")
    return render(request, "registration/signup.html", {"form": form, "next": next_page})


def profile(request, username):
    """The member's bio and one of their lists: posts, claims made, claims endorsed."""
    member = get_object_or_404(User, username=username, is_active=True)
    show = request.GET.get("show")
    show = show if show in selectors.LISTS else "posts"
    page = selectors.profile_page(member=member, show=show, page=request.GET.get("page"))
    context = {
        "member": member,
        "page": page,
        "show": show,
        "lists": selectors.LISTS,
        "can_edit": can_edit_profile(request.user, member),
    }
    return render(request, "accounts/profile.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def profile_settings(request):
    """The member's own profile settings: their bio."""
    form = ProfileForm(request.POST or None, initial={"bio": request.user.bio})
    if form.is_valid():
        try:
            services.profile_edit(
                member=request.user, editor=request.user, bio=form.cleaned_data["bio"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your profile is saved.")
            return redirect(request.user)
    return render(request, "accounts/settings.html", {"form": form})


@login_required
def notifications(request):
    """The member's notifications, newest first; seeing them marks them read."""
    page = Paginator(request.user.notifications.all(), POSTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    unread = [note.pk for note in page if not note.read]
    Notification.objects.filter(pk__in=unread).update(read=True)
    return render(request, "accounts/notifications.html", {"page": page, "unread": set(unread)})
