"""Figure 10: reading the map, the benchmark topic (figure 4's) against the demo's, in the
same run. The reading views served in-process with the real middleware to a visitor (the
page cache off): their time, queries and size at both sizes. Then, under gunicorn,
Chromium's navigation to a focus page with its neighbourhood graph drawn, and the memory
of the page's renderer. And the split of map_build's storing, for figure 4's row."""

import contextlib
import hashlib
import json
import os
import statistics
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

import orjson
from django.db import connection, transaction
from django.db.models import Count, F, Value
from django.db.models.functions import Cast
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.claims.models import ClaimTag
from apps.forum.demo.loader import load_demo as load_demo_topic
from apps.forum.models import Topic
from apps.maps import selectors, services
from apps.maps.builder import build_graph, collector_paused
from apps.maps.models import ArgumentMap, MapClaim, MapRelation, WholeJSONField
from bench import database
from bench.stats import percentile
from bench.throughput import gunicorn

SIZES = ("big", "demo")  # figure 4's topic, the demo's
WARM_UP = 3
SQL_RUNS = 5  # replays of a page's statements, each timed alone
REPEAT_MS = 50  # in each run, a request is repeated for about this long
GUNICORN_WORKERS = 2
BROWSER_WARM_UP = 2  # navigations before the timed ones: each worker's first request
VIEWPORT = {"width": 1280, "height": 900}  # as the browser tests' desktop
DRAWN_TIMEOUT_MS = 120_000
# Runs in every page before its own scripts (an init script, outside the page's CSP): from
# the first frame, look at each frame whether static/js/map.js has drawn the neighbourhood
# (its box holds the Cytoscape instance as `cy`, with nodes, and a canvas of the box has
# the focused claim's pixel painted); note the time from the navigation's start
# (performance.now()) then. One pixel is read, at the focused claim's centre: reading every
# canvas whole each frame left megabytes of image data in the page whose memory is measured.
DRAWN_WATCH = """
(() => {
  const painted = (canvas, at) => {
    if (!canvas.width || !canvas.clientWidth) return false;
    const scale = canvas.width / canvas.clientWidth;
    const x = Math.round(at.x * scale), y = Math.round(at.y * scale);
    return canvas.getContext("2d").getImageData(x, y, 1, 1).data[3] > 0;
  };
  const watch = () => {
    const box = document.getElementById("neighbourhood-box");
    const graph = box && box.cy;
    const focus = graph && graph.nodes(".focus");
    const at = focus && focus.nonempty() && focus.renderedPosition();
    if (at && [...box.querySelectorAll("canvas")].some((canvas) => painted(canvas, at))) {
      window.__benchGraphDrawn = {at: performance.now(), nodes: graph.nodes().length,
                                  edges: graph.edges().length};
      return;
    }
    requestAnimationFrame(watch);
  };
  requestAnimationFrame(watch);
})();
"""
# Once drawn and measured: the drawn graph laid out again as map.js laid it out (the
# layout options it gave Cytoscape), and then only the claims with the tree of relations
# by which a breadth-first walk from the focused claim reaches them.
RELAYOUT = """
() => {
  const graph = document.getElementById("neighbourhood-box").cy;
  const options = graph.options().layout;
  const timed = (elements) => {
    const start = performance.now();
    elements.layout(options).run();
    return performance.now() - start;
  };
  const tree = graph.elements().bfs({roots: graph.nodes(".focus"), directed: false}).path;
  return {layout: options.name, layout_ms: timed(graph.elements()), tree_edges: tree.edges().length,
          tree_layout_ms: timed(tree)};
}
"""
# Every canvas the page makes, on screen or off (Cytoscape caches textures of nodes and of
# whole layers of the graph in OffscreenCanvases): only for the census visit.
CANVAS_CENSUS = """
(() => {
  const made = (window.__benchCanvases = []);
  const create = Document.prototype.createElement;
  Document.prototype.createElement = function (tag, ...rest) {
    const element = create.call(this, tag, ...rest);
    if (String(tag).toLowerCase() === "canvas") made.push(element);
    return element;
  };
  const Offscreen = window.OffscreenCanvas;
  if (Offscreen) {
    window.OffscreenCanvas = function (width, height) {
      const canvas = new Offscreen(width, height);
      made.push(canvas);
      return canvas;
    };
    window.OffscreenCanvas.prototype = Offscreen.prototype;
  }
})();
"""
CANVAS_COUNT = """
() => {
  const mib = (canvas) => (canvas.width * canvas.height * 4) / 2 ** 20;
  const canvases = window.__benchCanvases;
  const largest = canvases.reduce((big, canvas) => (mib(canvas) > mib(big) ? canvas : big));
  const graph = document.getElementById("neighbourhood-box").cy;
  const ranks = {};
  graph.nodes().forEach((node) => {
    const y = Math.round(node.position("y"));
    ranks[y] = (ranks[y] || 0) + 1;
  });
  const box = graph.elements().boundingBox();
  return {
    canvases: canvases.length,
    canvas_mib: canvases.reduce((sum, canvas) => sum + mib(canvas), 0),
    largest_canvas: [largest.width, largest.height],
    largest_canvas_mib: mib(largest),
    largest_offscreen: !(largest instanceof HTMLCanvasElement),
    graph_width: box.w,
    graph_height: box.h,
    widest_rank: Math.max(...Object.values(ranks)),
  };
}
"""
TIMINGS = """
() => {
  const navigation = performance.getEntriesByType("navigation")[0];
  const resource = (part) => performance.getEntriesByType("resource")
    .filter((entry) => entry.name.includes(part)).pop();
  const graph = resource("neighbourhood.json");
  const cytoscape = resource("cytoscape.min.js");
  return {
    html_ms: navigation.responseEnd,
    html_server_ms: navigation.responseStart - navigation.requestStart,
    dom_ready_ms: navigation.domContentLoadedEventEnd,
    scripts_ms: cytoscape ? cytoscape.responseEnd : null,
    json_start_ms: graph ? graph.startTime : null,
    json_ms: graph ? graph.responseEnd : null,
    json_kib: graph ? graph.decodedBodySize / 1024 : null,
    html_kib: navigation.decodedBodySize / 1024,
    dom_elements: document.getElementsByTagName("*").length,
    isolated: self.crossOriginIsolated === true,
    uasm: typeof performance.measureUserAgentSpecificMemory === "function",
  };
}
"""


@dataclass(frozen=True)
class Reading:
    """One request of the figure, on each topic."""

    name: str
    label: str
    status: int = 200


READINGS = (
    Reading("overview", "map overview (main claims)"),
    Reading("overview_all", "map overview, all claims by strength (?show=all)"),
    Reading("focus", "focus page"),
    Reading("claim", "claim page"),
    Reading("api", "claim API"),
    Reading("status", "status poll"),
    Reading("status_304", "status poll, matching If-None-Match", status=304),
    Reading("neighbourhood", "neighbourhood JSON"),
)


def load_demo() -> Topic:
    """The demo's topic, loaded into the bench's database as `make demo` does (its map built)."""
    return load_demo_topic().thread.topic


def measure(big: Topic, demo: Topic, runs: int, browser_runs: int) -> dict:
    topics = {"big": big, "demo": demo}
    maps = {size: _latest_map(topic) for size, topic in topics.items()}
    # What autovacuum would have done after the builds' COPYs and figure 4's deletes of old
    # versions (it is off here): without statistics the planner takes a version for a
    # dozen rows, and reads the overview's strongest pros and cons through all 2,000
    # claims (11 ms where 2 ms do).
    database.vacuum("maps_argumentmap", "maps_mapclaim", "maps_maprelation")
    mains = {size: _mains(argument_map) for size, argument_map in maps.items()}
    # The focus claim: in each topic the claim with the most relations into it, of the same
    # kind in both (a main claim if the benchmark topic has any, else one that is not).
    main = mains["big"] > 0
    claims = {size: _most_related(argument_map, main) for size, argument_map in maps.items()}
    client = Client()
    requests = {
        (reading.name, size): _request(reading, topics[size], claims[size].claim_id, client)
        for reading in READINGS
        for size in SIZES
    }
    facts = {key: _facts(client, key, request) for key, request in requests.items()}
    times = _median_times(
        {key: partial(client.get, url, **extra) for key, (url, extra) in requests.items()}, runs
    )
    result = {
        "runs": runs,
        "main": main,
        "mains": mains,
        "claims": {size: _claim_facts(claim) for size, claim in claims.items()},
        "overview": {size: _overview_facts(argument_map) for size, argument_map in maps.items()},
        "maps": {size: argument_map.stats for size, argument_map in maps.items()},
        "pages": {
            reading.name: {
                size: {**facts[(reading.name, size)], **times[(reading.name, size)]}
                for size in SIZES
            }
            for reading in READINGS
        },
        "store": store_split(big, runs=3),
    }
    urls = {size: requests[("focus", size)][0] for size in SIZES}
    result["browser"] = browse(urls, browser_runs)
    return result


def _median_times(work: dict, runs: int) -> dict:
    """Per callable: the median milliseconds of a call, and the quartiles. The runs go round
    all the callables in turn, so noise falls on both topics alike; in each run a callable
    is called often enough to take about REPEAT_MS (the cheap ones many times: a single
    call of a few milliseconds measures the machine's noise as much as the call)."""
    repeats = {}
    for key, call in work.items():
        start = time.perf_counter()
        call()
        repeats[key] = max(1, round(REPEAT_MS / max((time.perf_counter() - start) * 1000, 0.1)))
    times = {key: [] for key in work}
    for _ in range(runs):
        for key, call in work.items():
            start = time.perf_counter()
            for _ in range(repeats[key]):
                call()
            times[key].append((time.perf_counter() - start) * 1000 / repeats[key])
    return {
        key: {
            "ms": statistics.median(values),
            "p25_ms": percentile(values, 0.25),
            "p75_ms": percentile(values, 0.75),
            "calls": repeats[key] * runs,
        }
        for key, values in times.items()
    }


def _latest_map(topic: Topic) -> ArgumentMap:
    argument_map = (
        ArgumentMap.objects.filter(topic=topic)
        .order_by("-version")
        .only("version", "stats")
        .first()
    )
    if argument_map is None:  # figure 4 builds the benchmark's, load_demo the demo's
        services.map_build(topic_id=topic.pk)
        return _latest_map(topic)
    return argument_map


def _mains(argument_map: ArgumentMap) -> int:
    return MapClaim.objects.filter(argument_map=argument_map, main=True).count()


def _most_related(argument_map: ArgumentMap, main: bool) -> MapClaim:
    claims = MapClaim.objects.filter(argument_map=argument_map)
    ranked = claims.annotate(relations=F("supported_by") + F("attacked_by")).order_by(
        "-relations", "claim_id"
    )
    return ranked.filter(main=main).first() or ranked.first()


def _claim_facts(claim: MapClaim) -> dict:
    posts = ClaimTag.objects.filter(claim_id=claim.claim_id, post__state="visible").count()
    outgoing = MapRelation.objects.filter(
        argument_map_id=claim.argument_map_id, source_id=claim.claim_id
    ).aggregate(n=Count("pk"))["n"]
    return {
        "id": claim.claim_id,
        "text": claim.text,
        "main": claim.main,
        "supported_by": claim.supported_by,
        "attacked_by": claim.attacked_by,
        "outgoing": outgoing,
        "posts": posts,
    }


def _overview_facts(argument_map: ArgumentMap) -> dict:
    """What the overview's first pages list: claims, and their strongest pros and cons."""
    facts = {}
    for name, main_only in (("overview", True), ("overview_all", False)):
        entries = list(selectors.map_overview(argument_map, main_only=main_only))
        facts[name] = {
            "entries": len(entries),
            "strongest": sum(
                bool(entry.strongest_pro) + bool(entry.strongest_con) for entry in entries
            ),
        }
    return facts


def _request(reading: Reading, topic: Topic, claim_id: int, client: Client) -> tuple:
    """The reading's URL on the topic, and its headers as the test Client takes them."""
    slug = topic.slug
    urls = {
        "overview": reverse("maps:map", args=[slug]),
        "overview_all": reverse("maps:map", args=[slug]) + "?show=all",
        "focus": reverse("maps:focus", args=[slug, claim_id]),
        "claim": reverse("claims:claim", args=[claim_id]),
        "api": f"/api/claims/{claim_id}/",
        "status": reverse("maps:status", args=[slug]),
        "status_304": reverse("maps:status", args=[slug]),
        "neighbourhood": reverse("maps:neighbourhood", args=[slug, claim_id]),
    }
    headers = {}
    if reading.name == "status_304":
        headers["HTTP_IF_NONE_MATCH"] = client.get(urls["status"])["ETag"]
    return urls[reading.name], headers


def _facts(client: Client, key: tuple, request: tuple) -> dict:
    """Status, size, queries of one request (after a warm-up), and its SQL replayed alone."""
    url, headers = request
    expected = next(reading.status for reading in READINGS if reading.name == key[0])
    for _ in range(WARM_UP):
        response = client.get(url, **headers)
        assert response.status_code == expected, (url, response.status_code)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    statements = [query["sql"] for query in captured.captured_queries]
    sql = _sql_profile(statements)
    if key[0] == "neighbourhood":
        graph = json.loads(response.content)
        sql |= {"nodes": len(graph["nodes"]), "edges": len(graph["edges"])}
    return {
        "url": url,
        "status": response.status_code,
        "bytes": len(response.content),
        "queries": len(statements),
        **sql,
    }


def _sql_profile(statements: list[str]) -> dict:
    """Median milliseconds of the page's statements replayed on a bare cursor (all of them,
    and the slowest alone, with its text)."""
    times = [[] for _ in statements]
    with connection.cursor() as cursor:
        for _ in range(SQL_RUNS):
            for index, sql in enumerate(statements):
                start = time.perf_counter()
                cursor.execute(sql)
                cursor.fetchall()
                times[index].append((time.perf_counter() - start) * 1000)
    medians = [statistics.median(values) for values in times]
    slowest = max(range(len(medians)), key=medians.__getitem__, default=None)
    return {
        "sql_ms": sum(medians),
        "slowest_ms": medians[slowest] if slowest is not None else 0.0,
        "slowest_sql": " ".join(statements[slowest].split()) if slowest is not None else "",
    }


# --- map_build's storing, for figure 4 ----------------------------------------------------


def store_split(topic: Topic, runs: int) -> dict:
    """Median seconds of what map_build does after build_graph when the graph changed: the
    canonical JSON and its digest, the version's row (the graph but its edges, as JSON
    text), and the MapClaim and MapRelation rows by COPY; each run rolled back."""
    graph = build_graph(topic)
    times = {"document_s": [], "version_row_s": [], "rows_s": []}
    latest = ArgumentMap.objects.filter(topic=topic).order_by("-version").first().version
    for _ in range(runs):
        with transaction.atomic(), collector_paused():
            start = time.perf_counter()
            document = services.graph_document(graph)
            digest = hashlib.sha256(document).hexdigest()
            documented = time.perf_counter()
            without_edges = orjson.dumps({k: v for k, v in graph.items() if k != "edges"})
            argument_map = ArgumentMap.objects.create(
                topic=topic,
                version=latest + 1,
                graph_without_edges=Cast(Value(without_edges.decode()), WholeJSONField()),
                digest=digest,
                stats=services.graph_stats(graph),
            )
            stored = time.perf_counter()
            services.write_rows(argument_map, graph)
            written = time.perf_counter()
            transaction.set_rollback(True)
        times["document_s"].append(documented - start)
        times["version_row_s"].append(stored - documented)
        times["rows_s"].append(written - stored)
    return {
        **{key: statistics.median(values) for key, values in times.items()},
        "claims": len(graph["nodes"]),
        "relations": len(graph["edges"]),
        "document_mib": len(without_edges) / 2**20,
    }


# --- Chromium -----------------------------------------------------------------------------


def browse(urls: dict[str, str], runs: int) -> dict:
    """Under gunicorn (GUNICORN_WORKERS sync workers, the bench's database), headless
    Chromium opens each topic's focus page in a fresh context (a first visit: empty cache)
    `runs` times, alternating the topics: the time from the navigation's start to the
    neighbourhood graph drawn, where that time went, and the page's memory once drawn."""
    try:
        from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
    except ImportError as error:
        return {"error": f"the browser tests' settings cannot be imported: {error}"}
    if not os.path.exists(CHROMIUM):
        return {"error": f"{CHROMIUM} is missing"}
    # Playwright's sync API runs an event loop in its own thread; Django's ORM stays here.
    with gunicorn(workers=GUNICORN_WORKERS) as base, ThreadPoolExecutor(1) as thread:
        return thread.submit(_browse, base, urls, runs, CHROMIUM, CHROMIUM_ARGS).result()


def _browse(base: str, urls: dict, runs: int, chromium: str, arguments: list) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=arguments
        )
        try:
            for _ in range(BROWSER_WARM_UP):
                for url in urls.values():
                    _visit(browser, base + url)
            visits = {size: [] for size in urls}
            for _ in range(runs):
                for size, url in urls.items():
                    visits[size].append(_visit(browser, base + url))
            census = {size: _census(browser, base + url) for size, url in urls.items()}
        finally:
            browser.close()
    return {
        "url": urls,
        "runs": runs,
        "workers": GUNICORN_WORKERS,
        "version": _chromium_version(chromium),
        **{size: _summary(found) | census[size] for size, found in visits.items()},
    }


def _census(browser, url: str) -> dict:
    """For the whys, after the timed visits: the page's memory without its graph (the
    neighbourhood's JSON refused), and with it, what Cytoscape holds in pixel buffers and
    how wide the drawn graph is (one more visit with CANVAS_CENSUS watching)."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.route("**/neighbourhood.json*", lambda route: route.abort())
        page.goto(url, wait_until="load")
        page.locator("#neighbourhood .graph-failed").wait_for()
        without = max((found["rss_mib"] for found in _renderers()), default=None)
    finally:
        context.close()
    context = browser.new_context(viewport=VIEWPORT)
    try:
        context.add_init_script(DRAWN_WATCH)
        context.add_init_script(CANVAS_CENSUS)
        page = context.new_page()
        page.goto(url, wait_until="load")
        page.wait_for_function("() => window.__benchGraphDrawn", timeout=DRAWN_TIMEOUT_MS)
        return {"rss_without_graph_mib": without, **page.evaluate(CANVAS_COUNT)}
    finally:
        context.close()


def _visit(browser, url: str) -> dict:
    context = browser.new_context(viewport=VIEWPORT)
    try:
        context.add_init_script(DRAWN_WATCH)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url, wait_until="commit")
        page.wait_for_function("() => window.__benchGraphDrawn", timeout=DRAWN_TIMEOUT_MS)
        drawn = page.evaluate("() => window.__benchGraphDrawn")
        page.wait_for_load_state("load")
        timings = page.evaluate(TIMINGS)
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        metrics = {
            item["name"]: item["value"] for item in cdp.send("Performance.getMetrics")["metrics"]
        }
        renderers = _renderers()
        layouts = page.evaluate(RELAYOUT)
        cdp.send("HeapProfiler.collectGarbage")
        collected = _renderers()
        assert not errors, errors
        return {
            "drawn_ms": drawn["at"],
            "nodes": drawn["nodes"],
            "edges": drawn["edges"],
            **timings,
            "js_heap_mib": metrics["JSHeapUsedSize"] / 2**20,
            "js_heap_total_mib": metrics["JSHeapTotalSize"] / 2**20,
            "dom_nodes": int(metrics["Nodes"]),
            "renderers": len(renderers),
            # The page's renderer: the largest of this browser's page renderers (a spare one,
            # kept ready for the next site, runs beside it at some 75 MiB).
            "rss_mib": max((found["rss_mib"] for found in renderers), default=None),
            "pss_mib": max((found["pss_mib"] for found in renderers), default=None),
            "private_mib": max((found["private_mib"] for found in renderers), default=None),
            **layouts,
            "rss_collected_mib": max((found["rss_mib"] for found in collected), default=None),
        }
    finally:
        context.close()


def _summary(visits: list[dict]) -> dict:
    """Medians of the visits; the highest memory of any."""
    numbers = [
        key
        for key, value in visits[0].items()
        if isinstance(value, (int, float)) and not isinstance(value, bool)
    ]
    summary = {
        key: statistics.median(visit[key] for visit in visits)
        for key in numbers
        if all(visit[key] is not None for visit in visits)
    }
    for key in ("rss_mib", "pss_mib", "private_mib", "js_heap_mib"):
        summary[f"{key}_max"] = max(visit[key] for visit in visits)
    summary["drawn_ms_max"] = max(visit["drawn_ms"] for visit in visits)
    summary["layout"] = visits[0]["layout"]
    summary["isolated"] = any(visit["isolated"] for visit in visits)
    summary["uasm"] = any(visit["uasm"] for visit in visits)
    return summary


# Renderers that hold no page: headless Chromium's own browser UI (a WebUI renderer of
# some 150 MiB, busy at every navigation) and extensions'.
NOT_PAGES = {b"--top-chrome-webui", b"--extension-process"}


def _renderers() -> list[dict]:
    """This process's Chromium renderer processes (descendants, through Playwright's
    driver) that can hold a page, each with its VmRSS, its PSS (shared pages split among
    their users) and its private memory."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError), open(f"/proc/{entry}/stat") as stat:
                parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
    ours = {os.getpid()}
    grew = True
    while grew:
        found = {pid for pid, parent in parents.items() if parent in ours} - ours
        grew = bool(found)
        ours |= found
    renderers = []
    for pid in ours:
        with contextlib.suppress(OSError):
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                command = cmdline.read()  # Chromium rewrites it as one line, spaces between
            if b"--type=renderer" not in command or any(flag in command for flag in NOT_PAGES):
                continue
            rollup = _fields(f"/proc/{pid}/smaps_rollup")
            renderers.append({
                "pid": pid,
                "rss_mib": _fields(f"/proc/{pid}/status")["VmRSS"] / 1024,
                "pss_mib": rollup["Pss"] / 1024,
                "private_mib": (rollup["Private_Clean"] + rollup["Private_Dirty"]) / 1024,
            })  # fmt: skip
    return renderers


def _fields(path: str) -> dict[str, int]:
    """The kB fields of a /proc file such as status or smaps_rollup."""
    fields = {}
    with open(path) as lines:
        for line in lines:
            name, _, value = line.partition(":")
            if value.strip().endswith("kB"):
                fields[name] = int(value.split()[0])
    return fields


def _chromium_version(chromium: str) -> str:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        found = subprocess.run([chromium, "--version"], capture_output=True, text=True, timeout=30)
        return found.stdout.strip()
    return "unknown"
