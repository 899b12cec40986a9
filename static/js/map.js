// Draws the argument map from its JSON export; the outline below serves without JavaScript.
(function () {
  const canvas = document.getElementById("map-canvas");
  if (!canvas || typeof cytoscape === "undefined") return;

  // Strength 0 → red, 0.5 → grey, 1 → green; the legend on the page says the same.
  const WEAK = [192, 57, 43];
  const BALANCED = [154, 160, 166];
  const STRONG = [46, 139, 87];

  function colour(strength) {
    const [from, to, t] = strength < 0.5 ? [WEAK, BALANCED, strength * 2] : [BALANCED, STRONG, strength * 2 - 1];
    const mixed = from.map((channel, i) => Math.round(channel + (to[i] - channel) * t));
    return `rgb(${mixed.join(",")})`;
  }

  // The words are the server's (apps/maps/strength.py), read from the outline of the
  // version this page shows; a newer version drawn later shows its numbers alone.
  function strengthWords(version) {
    const words = new Map();
    if (Number(canvas.dataset.version) !== version) return words;
    document.querySelectorAll(".outline li[data-claim]").forEach((entry) => {
      words.set(Number(entry.dataset.claim), entry.dataset.strengthWord);
    });
    return words;
  }

  function shorten(text) {
    return text.length > 60 ? `${text.slice(0, 57)}…` : text;
  }

  function elements(map) {
    const words = strengthWords(map.version);
    const nodes = map.nodes.map((node) => {
      const strength = [words.get(node.id), node.strength.toFixed(2)].filter(Boolean).join(" ");
      return {
        data: {
          id: `claim-${node.id}`,
          claim: node.id,
          label: `${shorten(node.text)}\n${strength} · ${node.supporters} for / ${node.opposers} against`,
          standing: node.standing,
          colour: colour(node.strength),
          size: 40 + 12 * Math.sqrt(node.supporters),
        },
      };
    });
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
        "background-color": "data(colour)",
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
