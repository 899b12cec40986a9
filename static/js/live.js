// Keeps an open map, focus or claim page on the latest map version: polls the status every
// 3 s while the tab is visible (a 304 while nothing changed), and on a newer version swaps
// in #map-live from a fresh copy of this page, where the reader was, and says so.
(function () {
  "use strict";
  const POLL_MS = 3000;
  const NOTICE_MS = 6000;
  let status = document.getElementById("map-status");
  if (!status || !status.dataset.statusUrl) return;
  const statusUrl = status.dataset.statusUrl;
  let shown = Number(status.dataset.version);
  let timer = null;
  let polling = false;

  // One polite live region, there (empty, so unseen) before it speaks: screen readers only
  // announce changes to a region they already watch.
  const notice = document.createElement("p");
  notice.className = "live-notice";
  notice.setAttribute("role", "status");
  (document.querySelector("main") || document.body).append(notice);
  let noticeTimer = null;

  function announce(text) {
    notice.textContent = text;
    window.clearTimeout(noticeTimer);
    noticeTimer = window.setTimeout(() => {
      notice.textContent = "";
    }, NOTICE_MS);
  }

  function markRebuilding(dirty) {
    status = document.getElementById("map-status") || status;
    let mark = status.querySelector(".rebuilding");
    if (dirty && !mark) {
      mark = document.createElement("span");
      mark.className = "rebuilding";
      mark.textContent = "· rebuilding…";
      status.append(" ", mark);
    } else if (!dirty && mark) {
      mark.remove();
    }
  }

  // The first element in view that the fresh copy has too (made by the server, so not one
  // of the graph's own parts), and where it is.
  function anchorIn(container) {
    for (const candidate of container.querySelectorAll("[id]:not(.graph-holder *), [data-claim]")) {
      const top = candidate.getBoundingClientRect().top;
      if (top >= 0 && top < window.innerHeight) {
        const key = candidate.id ? `#${CSS.escape(candidate.id)}` : `[data-claim="${CSS.escape(candidate.dataset.claim)}"]`;
        return { key, top };
      }
    }
    return null;
  }

  // Swap the children, then scroll so that what was in view stays where it was. A drawn
  // graph of the same claim keeps its place and size while map.js redraws it.
  function swapKeepingPlace(current, fresh) {
    const anchor = anchorIn(current);
    const scrollY = window.scrollY;
    const focused = current.contains(document.activeElement) ? document.activeElement.id : "";
    const children = document.createDocumentFragment();
    children.append(...Array.from(fresh.childNodes).map((node) => document.adoptNode(node)));
    const drawn = current.querySelector("#neighbourhood");
    const incoming = children.querySelector("#neighbourhood");
    if (drawn && drawn.graphFrame && incoming && incoming.dataset.url === drawn.dataset.url) incoming.replaceWith(drawn);
    current.replaceChildren(children);
    const again = anchor && current.querySelector(anchor.key);
    if (again) window.scrollBy(0, again.getBoundingClientRect().top - anchor.top);
    else window.scrollTo(0, scrollY);
    if (focused && document.getElementById(focused)) document.getElementById(focused).focus({ preventScroll: true });
  }

  async function refresh(version) {
    // A new query string each version: the visitors' page cache keys on the full path.
    const url = new URL(window.location.href);
    url.searchParams.set("live", String(version));
    const response = await fetch(url, { headers: { Accept: "text/html" } });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.getElementById("map-live");
    const current = document.getElementById("map-live");
    const freshStatus = page.getElementById("map-status");
    if (freshStatus) {
      document.getElementById("map-status").replaceWith(document.adoptNode(freshStatus));
      shown = Number(freshStatus.dataset.version);
    }
    if (fresh && current) {
      swapKeepingPlace(current, fresh);
      if (window.htmx) window.htmx.process(current); // its forms and buttons work again
    }
    announce(`Updated to version ${shown}.`);
    document.dispatchEvent(new CustomEvent("agora:map-updated", { detail: { version: shown } }));
  }

  async function poll() {
    if (polling) return;
    polling = true;
    try {
      // no-cache: the browser revalidates its copy with If-None-Match; a 304 keeps it.
      const response = await fetch(statusUrl, { headers: { Accept: "application/json" }, cache: "no-cache" });
      if (response.ok) {
        const state = await response.json();
        markRebuilding(state.dirty);
        if (state.version > shown) await refresh(state.version);
      }
    } catch (error) {
      // Offline, or the server restarting: the next poll asks again.
    } finally {
      polling = false;
      schedule(POLL_MS);
    }
  }

  function schedule(delay) {
    window.clearTimeout(timer);
    timer = document.hidden ? null : window.setTimeout(poll, delay);
  }

  // A hidden tab asks nothing; back in view, it asks at once.
  document.addEventListener("visibilitychange", () => schedule(0));
  schedule(POLL_MS);
})();
