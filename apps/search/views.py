from django.core.paginator import Paginator
from django.shortcuts import render

from apps.search import selectors
from apps.search.forms import POSTS, SearchForm

PER_PAGE = 20


def search(request):
    """The results of one tab (posts or claims) for the words asked, a page at a time; with
    no words asked yet, the form alone."""
    form = SearchForm(request.GET if "q" in request.GET else None)
    context = {"form": form, "tab": request.GET.get("type") or POSTS, "page": None, "hits": []}
    if form.is_valid():
        terms = {name: form.cleaned_data[name] for name in ("topic", "author")}
        context["tab"] = form.cleaned_data["type"]
        if context["tab"] == POSTS:
            results = selectors.post_search(words=form.cleaned_data["q"], **terms)
        else:
            results = selectors.claim_search(words=form.cleaned_data["q"], **terms)
        context["page"] = Paginator(results, PER_PAGE).get_page(request.GET.get("page"))
        hits = context["page"].object_list
        context["hits"] = hits if context["tab"] == POSTS else selectors.claim_hits(hits)
    return render(request, "search/search.html", context)
