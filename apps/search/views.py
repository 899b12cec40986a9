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
        words, tab = form.cleaned_data["q"], form.cleaned_data["type"]
        terms = {name: form.cleaned_data[name] for name in ("topic", "author")}
        search = selectors.post_search if tab == POSTS else selectors.claim_search
        page = Paginator(search(words=words, **terms), PER_PAGE).get_page(request.GET.get("page"))
        rows = page.object_list
        hits = (
            selectors.post_hits(rows, words=words) if tab == POSTS else selectors.claim_hits(rows)
        )
        ranked = selectors.RANKED_POSTS if tab == POSTS else selectors.RANKED_CLAIMS
        context.update(tab=tab, page=page, hits=hits, capped=page.paginator.count >= ranked)
    return render(request, "search/search.html", context)
