// The network page's canvas: draws the nodes and links of the page's JSON data block with Cytoscape.js.
//
// The tables on the page are the content; this is an enhancement for sighted mouse users and works
// only with JavaScript on. The data come from <script type="application/json" id="network-data">
// (written by Django's json_script, never executed), so the page needs no inline script and the
// strict Content Security Policy holds. Styles are set through the DOM (CSSOM), which that policy
// allows; Cytoscape's own injected <style> element, which it would block, is pre-empted below.
(function () {
  "use strict";

  // Colour and shape by type: shape too, so the picture does not depend on colour alone.
  var KINDS = {
    child: { colour: "#1d70b8", shape: "ellipse" },
    person_of_concern: { colour: "#d4351c", shape: "diamond" },
    vehicle: { colour: "#00703c", shape: "round-rectangle" },
    phone: { colour: "#6f72af", shape: "triangle" },
    location: { colour: "#f47738", shape: "hexagon" },
    business: { colour: "#912b88", shape: "rectangle" },
    handle: { colour: "#28a197", shape: "star" },
  };

  function start() {
    var dataElement = document.getElementById("network-data");
    var container = document.getElementById("network-canvas");
    if (!dataElement || !container || typeof window.cytoscape !== "function") {
      return;
    }
    var data;
    try {
      data = JSON.parse(dataElement.textContent);
    } catch (error) {
      return;
    }
    if (!data.nodes || data.nodes.length === 0 || data.drawable === false) {
      return;
    }

    // Cytoscape adds a <style> element unless one with this id exists; the policy would refuse it,
    // so claim the id with an inert element and set the one rule it carries on the container.
    if (!document.getElementById("__________cytoscape_stylesheet")) {
      var marker = document.createElement("meta");
      marker.id = "__________cytoscape_stylesheet";
      document.head.appendChild(marker);
    }
    var wrapper = document.getElementById("network-canvas-wrapper");
    if (wrapper) {
      wrapper.hidden = false;
    }
    container.hidden = false;
    container.style.position = "relative";
    container.style.width = "100%";
    container.style.height = Math.min(640, Math.max(400, 200 + data.nodes.length * 6)) + "px";
    container.style.border = "1px solid #b1b4b6";

    var elements = [];
    data.nodes.forEach(function (node) {
      elements.push({ group: "nodes", data: { id: node.id, label: node.label, kind: node.kind, url: node.url } });
    });
    data.edges.forEach(function (edge, index) {
      elements.push({
        group: "edges",
        data: { id: "e" + index, source: edge.source, target: edge.target, kind: edge.kind,
                confirmed: edge.confirmed ? "yes" : "no" },
      });
    });

    var style = [
      { selector: "node", style: { label: "data(label)", "font-size": 10, "text-valign": "bottom",
                                   "text-margin-y": 3, width: 22, height: 22, color: "#0b0c0c" } },
      { selector: "edge", style: { width: 1.5, "line-color": "#505a5f", "curve-style": "haystack" } },
      { selector: "edge[confirmed = 'no']", style: { "line-style": "dashed" } },
      { selector: "edge[kind = 'relationship']", style: { width: 3 } },
      { selector: "node:selected", style: { "border-width": 4, "border-color": "#ffdd00" } },
    ];
    Object.keys(KINDS).forEach(function (kind) {
      style.push({ selector: "node[kind = '" + kind + "']",
                   style: { "background-color": KINDS[kind].colour, shape: KINDS[kind].shape } });
    });

    var cy = window.cytoscape({
      container: container,
      elements: elements,
      style: style,
      layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: 8000, idealEdgeLength: 60 },
      wheelSensitivity: 0.3,
    });

    // Choosing a node says what it is in the live region and offers its record, if it has one.
    var details = document.getElementById("network-canvas-selection");
    cy.on("tap", "node", function (event) {
      var node = event.target.data();
      if (!details) {
        return;
      }
      details.textContent = "";
      var text = document.createElement("span");
      text.textContent = node.label + " (" + (data.kinds[node.kind] || node.kind) + ")";
      details.appendChild(text);
      if (node.url) {
        details.appendChild(document.createTextNode(" – "));
        var link = document.createElement("a");
        link.className = "govuk-link";
        link.href = node.url;
        link.textContent = "open";
        details.appendChild(link);
      }
    });

    var legend = document.getElementById("network-legend");
    if (legend) {
      legend.hidden = false;
      Object.keys(KINDS).forEach(function (kind) {
        if (!data.kinds[kind]) {
          return;
        }
        var item = document.createElement("li");
        item.style.display = "inline-block";
        item.style.marginRight = "24px";
        var swatch = document.createElement("span");
        swatch.setAttribute("aria-hidden", "true");
        swatch.style.display = "inline-block";
        swatch.style.width = "14px";
        swatch.style.height = "14px";
        swatch.style.marginRight = "6px";
        swatch.style.verticalAlign = "middle";
        swatch.style.backgroundColor = KINDS[kind].colour;
        item.appendChild(swatch);
        item.appendChild(document.createTextNode(data.kinds[kind] + " (" + KINDS[kind].shape.replace("-", " ") + ")"));
        legend.appendChild(item);
      });
    }
    container.setAttribute("data-rendered", "true");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
