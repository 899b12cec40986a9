from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import PasswordResetView
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts import selectors, services
from apps.accounts.decorators import login_required_to, safe_next
from apps.accounts.forms import ProfileForm, SignupForm
from apps.accounts.models import User
from apps.accounts.permissions import can_edit_profile
from apps.notifications.views import settings_page
from config.limits import limited


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


@require_POST
@login_required_to("edit your profile")
def bio_edit(request):
    """The bio form of the settings page (notifications:settings): saved, the member sees
    their profile; refused, the settings page again with the form's errors."""
    form = ProfileForm(request.POST)
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
    return settings_page(request, bio_form=form)


# The same answer whether or not a member has the address (Django's own view); limited, so
# nobody floods an inbox or probes addresses by the thousand.
password_reset = limited("password_reset")(PasswordResetView.as_view())
