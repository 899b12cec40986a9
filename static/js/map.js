// Draws the argument map from its JSON export; the outline below serves without JavaScript.
(function () {
  const canvas = document.getElementById("map-canvas");
  if (!canvas || typeof cytoscape === "undefined") return;

  const COLOURS = { IN: "#2e8b57", OUT: "#c0392b", UNDECIDED: "#c9a227" };

  function shorten(text) {
    return text.length > 60 ? `${text.slice(0, 57)}…` : text;
  }

  function elements(map) {
    const nodes = map.nodes.map((node) => ({
      data: {
        id: `claim-${node.id}`,
        claim: node.id,
        label: `${shorten(node.text)}\n${node.standing} · +${node.supports} / −${node.opposes}`,
        standing: node.standing,
        size: 40 + 12 * Math.sqrt(node.supports),
      },
    }));
    const edges = map.edges.map((edge, index) => ({
      data: {
        id: `edge-${index}`,
        source: `claim-${edge.source}`,
        target: `claim-${edge.target}`,
        kind: edge.kind,
        width: 1 + edge.weight,
      },
    }));
    return nodes.concat(edges);
  }

  const style = [
    {
      selector: "node",
      style: {
        label: "data(label)",
        "text-wrap": "wrap",
        "text-max-width": 120,
        "font-size": 10,
        "text-valign": "bottom",
        "text-margin-y": 4,
        width: "data(size)",
        height: "data(size)",
        "background-color": (node) => COLOURS[node.data("standing")],
        "border-width": 2,
        "border-color": "#1d2330",
      },
    },
    { selector: 'node[standing = "OUT"]', style: { shape: "diamond" } },
    { selector: 'node[standing = "UNDECIDED"]', style: { shape: "round-rectangle" } },
    {
      selector: "edge",
      style: { width: "data(width)", "curve-style": "bezier", "target-arrow-shape": "triangle", "line-color": "#4a6fa5", "target-arrow-color": "#4a6fa5" },
    },
    {
      selector: 'edge[kind = "attack"]',
      style: { "line-style": "dashed", "line-color": "#b02020", "target-arrow-color": "#b02020", "target-arrow-shape": "tee" },
    },
  ];

  let shownVersion = null;

  function draw() {
    fetch(canvas.dataset.graphUrl, { headers: { Accept: "application/json" } })
      .then((response) => response.json())
      .then((map) => {
        shownVersion = map.version;
        canvas.hidden = false;
        const graph = cytoscape({
          container: canvas,
          elements: elements(map),
          style: style,
          layout: { name: "breadthfirst", directed: true, spacingFactor: 1.6, avoidOverlap: true, padding: 30 },
          wheelSensitivity: 0.3,
        });
        canvas.cy = graph; // for the browser tests, which tap a node where it is drawn
        graph.on("tap", "node", (event) => {
          window.location.href = `/claims/${event.target.data("claim")}/`;
        });
      });
  }

  // When the status line reports a newer version, redraw.
  document.body.addEventListener("htmx:afterSwap", (event) => {
    const status = document.getElementById("map-status");
    if (status && event.detail.target === status && Number(status.dataset.version) !== shownVersion) draw();
  });

  draw();
})();
