from django.contrib.auth import login
from django.contrib.auth.views import PasswordResetView
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from apps.accounts.decorators import safe_next
from apps.accounts.forms import SignupForm
from apps.accounts.models import User
from apps.forum.models import Post
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
    member = get_object_or_404(User, username=username, is_active=True)
    posts = (
        Post.objects.visible()
        .filter(author=member)
        .select_related("thread__topic")
        .order_by("-created", "-pk")
    )
    page = Paginator(posts, POSTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/profile.html", {"member": member, "page": page})


# The same answer whether or not a member has the address (Django's own view); limited, so
# nobody floods an inbox or probes addresses by the thousand.
password_reset = limited("password_reset")(PasswordResetView.as_view())
