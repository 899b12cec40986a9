// Draws argument graphs with Cytoscape, in layers (the dagre layout): the neighbourhood of a
// claim (section#neighbourhood, from its JSON) and, once the reader asks, the whole map
// (section#whole-map). The box stays under the page's control: a swipe or the wheel over it
// scrolls the page, and the graph pans and zooms only after "Explore the graph".
(function () {
  "use strict";
  if (typeof cytoscape === "undefined") return;

  const FONT_PX = 13;
  const MIN_LABEL_PX = 12; // the first view never draws a label smaller than this
  const FIRST_ZOOM = { min: MIN_LABEL_PX / FONT_PX, max: 1.4 }; // a small graph is not blown up
  const LAYERED_UP_TO = 400; // claims; dagre takes too long above, breadthfirst still layers
  const PADDING = 16;

  // Strength 0 → red, 0.5 → grey, 1 → green, as the strength bars and the legend say.
  const WEAK = [192, 57, 43];
  const BALANCED = [154, 160, 166];
  const STRONG = [46, 139, 87];

  function colour(strength) {
    const [from, to, t] = strength < 0.5 ? [WEAK, BALANCED, strength * 2] : [BALANCED, STRONG, strength * 2 - 1];
    return `rgb(${from.map((channel, i) => Math.round(channel + (to[i] - channel) * t)).join(",")})`;
  }

  function facts(node) {
    const strength = [node.word, node.strength.toFixed(2)].filter(Boolean).join(" ");
    return `${strength} · ${node.supporters} for, ${node.opposers} against`;
  }

  function label(node) {
    const more = node.more ? `\n+${node.more} more not drawn` : "";
    return `${node.text}\n${facts(node)}${more}`;
  }

  function elements(graph) {
    const nodes = graph.nodes.map((node) => ({
      data: {
        id: `claim-${node.id}`,
        claim: node.id,
        label: label(node),
        tooltip: `${node.text}\n${facts(node)} · ${node.standing}${node.more ? ` · ${node.more} more relations not drawn` : ""}`,
        standing: node.standing,
        colour: colour(node.strength),
        size: Math.min(24 + 8 * Math.sqrt(node.supporters), 64),
      },
      classes: node.id === graph.focus ? "focus" : "",
    }));
    const edges = graph.edges.map((edge, index) => ({
      data: { id: `edge-${index}`, source: `claim-${edge.source}`, target: `claim-${edge.target}`, kind: edge.kind, width: Math.min(1 + edge.weight, 6) },
    }));
    return nodes.concat(edges);
  }

  const STYLE = [
    {
      selector: "node",
      style: {
        label: "data(label)",
        "text-wrap": "wrap",
        "text-max-width": 180,
        "font-size": FONT_PX,
        "min-zoomed-font-size": 6, // zoomed far out while exploring: shapes only, drawn faster
        color: "#1d2330",
        "text-valign": "bottom",
        "text-margin-y": 4,
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.85,
        "text-background-padding": 2,
        width: "data(size)",
        height: "data(size)",
        "background-color": "data(colour)",
        "border-width": 1,
        "border-color": "#1d2330",
      },
    },
    { selector: 'node[standing = "OUT"]', style: { shape: "diamond" } },
    { selector: 'node[standing = "UNDECIDED"]', style: { shape: "rectangle" } },
    { selector: "node.focus", style: { "border-width": 4, "border-color": "#1d4ed8", "font-weight": "bold" } },
    {
      selector: "edge",
      style: { width: "data(width)", "curve-style": "bezier", "target-arrow-shape": "triangle", "line-color": "#4a6fa5", "target-arrow-color": "#4a6fa5" },
    },
    {
      selector: 'edge[kind = "attack"]',
      style: { "line-style": "dashed", "line-color": "#b02020", "target-arrow-color": "#b02020", "target-arrow-shape": "tee" },
    },
  ];

  function layout(count) {
    if (count > LAYERED_UP_TO) return { name: "breadthfirst", directed: true, padding: PADDING, spacingFactor: 1.2 };
    // Bottom to top: a claim sits above what supports and attacks it, as a thesis heads its reasons.
    return { name: "dagre", rankDir: "BT", nodeSep: 30, rankSep: 70, nodeDimensionsIncludeLabels: true, padding: PADDING };
  }

  // Cytoscape adds an inline <style> unless an element with this id is already there; the
  // Content-Security-Policy forbids inline styles, so agora.css carries its one rule instead.
  function claimCytoscapeStylesheet() {
    if (document.getElementById("__________cytoscape_stylesheet")) return;
    const marker = document.createElement("meta");
    marker.id = "__________cytoscape_stylesheet";
    document.head.append(marker);
  }

  function element(tag, className, text) {
    const made = document.createElement(tag);
    if (className) made.className = className;
    if (text) made.textContent = text;
    return made;
  }

  // The box, its buttons, a tooltip and a legend, made once per section.
  function frame(section) {
    if (section.graphFrame) return section.graphFrame;
    const parts = {
      toolbar: element("div", "graph-toolbar"),
      explore: element("button", "graph-explore", "Explore the graph"),
      close: element("button", "graph-close", "Close"),
      hint: element("span", "graph-hint meta", "Tap a claim to focus it."),
      holder: element("div", "graph-holder"),
      box: element("div", "graph-box"),
      tooltip: element("div", "graph-tooltip"),
      legend: element(
        "p",
        "graph-legend meta",
        "Colour: strength, red (weak) through grey to green (strong) · ● circle IN, ◆ diamond OUT, ■ square UNDECIDED · solid arrow: supports, dashed red bar: attacks · “+n more”: relations not drawn.",
      ),
    };
    parts.explore.type = parts.close.type = "button";
    parts.close.hidden = parts.tooltip.hidden = true;
    parts.box.id = `${section.id}-box`;
    parts.box.setAttribute("role", "img");
    parts.explore.setAttribute("aria-controls", parts.box.id);
    parts.tooltip.id = `${section.id}-tooltip`;
    parts.tooltip.setAttribute("role", "tooltip");
    parts.toolbar.append(parts.explore, parts.close, parts.hint);
    parts.holder.append(parts.box, parts.tooltip);
    section.append(parts.toolbar, parts.holder, parts.legend);
    parts.explore.addEventListener("click", () => explore(section, true));
    parts.close.addEventListener("click", () => explore(section, false));
    // Until "Explore", a touch belongs to the page: Cytoscape, which cancels a swipe that
    // starts on a node, never sees it, and a tap reaches it as the click the browser makes.
    ["touchstart", "touchmove", "touchend", "touchcancel"].forEach((type) => {
      parts.holder.addEventListener(
        type,
        (event) => {
          if (!section.classList.contains("exploring")) event.stopPropagation();
        },
        { capture: true, passive: true },
      );
    });
    section.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && section.classList.contains("exploring")) explore(section, false);
    });
    section.graphFrame = parts;
    return parts;
  }

  // Exploring lets the graph take the pointer: drag to pan, wheel or pinch to zoom.
  function explore(section, on) {
    const parts = section.graphFrame;
    const graph = parts.box.cy;
    section.classList.toggle("exploring", on);
    parts.explore.hidden = on;
    parts.close.hidden = !on;
    if (graph) {
      graph.userPanningEnabled(on);
      graph.userZoomingEnabled(on);
      graph.resize(); // the box grows while exploring
      if (!on) firstView(graph);
    }
    (on ? parts.close : parts.explore).focus();
  }

  // Legible first: the graph fits the box unless its labels would shrink below 12 px. Then
  // the focused claim is centred across, near the top, and the rest waits for "Explore".
  function firstView(graph) {
    graph.fit(undefined, PADDING);
    if (graph.zoom() > FIRST_ZOOM.max) {
      graph.zoom(FIRST_ZOOM.max);
      graph.center();
    }
    if (graph.zoom() >= FIRST_ZOOM.min) return;
    graph.zoom(FIRST_ZOOM.min);
    const all = graph.elements().renderedBoundingBox();
    const focus = graph.nodes(".focus");
    const at = focus.nonempty() ? focus.renderedBoundingBox() : { x1: all.x1, x2: all.x2, y1: all.y1 };
    let down = PADDING - all.y1; // the top of the graph at the top of the box
    if (at.y1 + down > graph.height() / 3) down = graph.height() / 3 - at.y1; // unless the focus drops out of view
    graph.panBy({ x: graph.width() / 2 - (at.x1 + at.x2) / 2, y: down });
  }

  function focusUrl(section, claim, focus) {
    const url = section.dataset.focusUrlTemplate.replace(/\/0\/$/, `/${claim}/`);
    const path = (new URLSearchParams(window.location.search).get("path") || "").split(",").map(Number).filter((pk) => pk > 0);
    if (focus) path.push(focus);
    const back = path.indexOf(claim); // a claim already on the path: back up to it
    const trail = back >= 0 ? path.slice(0, back) : path;
    return trail.length ? `${url}?path=${trail.join(",")}` : url;
  }

  function showTooltip(parts, node) {
    const at = node.renderedPosition();
    parts.tooltip.textContent = node.data("tooltip");
    parts.tooltip.style.left = `${Math.round(at.x)}px`;
    parts.tooltip.style.top = `${Math.round(at.y + node.renderedOuterHeight() / 2 + 6)}px`;
    parts.tooltip.hidden = false;
  }

  const drawnGraphs = new Set();

  // A graph whose box left the page (live.js swapped it out) frees its memory.
  function forgetDetached() {
    drawnGraphs.forEach((drawn) => {
      if (drawn.container() && drawn.container().isConnected) return;
      drawn.destroy();
      drawnGraphs.delete(drawn);
    });
  }

  function draw(section, graph, description) {
    const parts = frame(section);
    if (parts.box.cy) {
      parts.box.cy.destroy();
      drawnGraphs.delete(parts.box.cy);
    }
    claimCytoscapeStylesheet();
    const exploring = section.classList.contains("exploring");
    const drawn = cytoscape({
      container: parts.box,
      elements: elements(graph),
      style: STYLE,
      layout: layout(graph.nodes.length),
      minZoom: 0.05,
      maxZoom: 3,
      userPanningEnabled: exploring,
      userZoomingEnabled: exploring,
      boxSelectionEnabled: false,
      autoungrabify: true, // a drag over a node never moves it, so a swipe stays a scroll
      autounselectify: true,
    });
    drawn.elements().panify(); // while exploring, a drag that starts on a claim pans too
    parts.box.cy = drawn; // the browser tests read the graph here
    drawnGraphs.add(drawn);
    parts.box.setAttribute("aria-label", description);
    firstView(drawn);
    drawn.on("tap", "node", (event) => {
      const claim = event.target.data("claim");
      if (claim !== graph.focus) window.location.href = focusUrl(section, claim, graph.focus);
    });
    drawn.on("mouseover", "node", (event) => {
      parts.box.classList.toggle("pointing", event.target.data("claim") !== graph.focus);
      showTooltip(parts, event.target);
    });
    drawn.on("mouseout", "node", () => {
      parts.box.classList.remove("pointing");
      parts.tooltip.hidden = true;
    });
    drawn.on("viewport", () => {
      parts.tooltip.hidden = true;
    });
    return drawn;
  }

  function shownVersion() {
    const status = document.getElementById("map-status");
    return status ? status.dataset.version : "";
  }

  function failed(section, message) {
    const note = section.querySelector(".graph-failed") || section.appendChild(element("p", "graph-failed meta"));
    note.textContent = message;
  }

  function drawNeighbourhood(section) {
    const url = `${section.dataset.url}?v=${encodeURIComponent(shownVersion())}`;
    fetch(url, { headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : Promise.reject(new Error(String(response.status)))))
      .then((graph) => {
        if (!section.isConnected) return;
        section.querySelectorAll(":scope > :not(.graph-toolbar, .graph-holder, .graph-legend)").forEach((standIn) => {
          standIn.hidden = true; // the sentence that stands in for the graph without JavaScript
        });
        const focus = graph.nodes[0];
        draw(section, graph, `Graph of ${graph.nodes.length} claims around «${focus.text}»; the lists on this page name the same claims.`);
      })
      .catch(() => failed(section, "The graph could not be loaded; the lists on this page name the same claims."));
  }

  function drawWhole(section, button) {
    const status = section.querySelector(".whole-map-progress");
    button.disabled = true;
    status.textContent = "Loading the map…";
    fetch(section.dataset.url, { headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : Promise.reject(new Error(String(response.status)))))
      .then((map) => {
        status.textContent = `Drawing ${map.nodes.length} claims…`;
        // Let the words above paint before the layout holds the page.
        window.requestAnimationFrame(() =>
          window.setTimeout(() => {
            draw(section, { focus: null, nodes: map.nodes, edges: map.edges }, `Graph of all ${map.nodes.length} claims of map version ${map.version}.`);
            status.textContent = `Drawn: ${map.nodes.length} claims and ${map.edges.length} relations of version ${map.version}. Tap a claim to focus it.`;
            button.hidden = true;
          }, 0),
        );
      })
      .catch(() => {
        button.disabled = false;
        status.textContent = "The map could not be loaded; try again, or download it below.";
      });
  }

  function drawAll() {
    forgetDetached();
    const section = document.getElementById("neighbourhood");
    if (section && section.dataset.url) drawNeighbourhood(section);
  }

  const whole = document.getElementById("whole-map");
  if (whole) {
    const button = whole.querySelector(".draw-whole");
    whole.querySelectorAll(".without-javascript").forEach((note) => {
      note.hidden = true;
    });
    button.hidden = false;
    button.addEventListener("click", () => drawWhole(whole, button));
  }

  // static/js/live.js swapped in a newer version of the page: draw its neighbourhood anew.
  document.addEventListener("agora:map-updated", drawAll);
  drawAll();
})();
