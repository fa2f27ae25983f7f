/* Russia and Iran module: draws the page's charts, placeholders holding a Vega-Lite spec (the book's
 * Altair renderer, russia_iran/charts.py); switches its explorers; names what assistive technology
 * needs. The chart libraries and this script run in order from the top of the page
 * (russia_iran/sphinx_ext.py): vega is loaded, or each chart says that it did not load. */
(function () {
  "use strict";
  var charts = [];

  // Titles come wrapped for a 360-px phone (charts.py): they are wrapped again, by measured
  // text width, to the width the chart is drawn at, from the paragraphs its spec's usermeta
  // keeps, leaving room for the padding and vega-embed's export button (above it on a phone).
  var PHONE = window.matchMedia("(max-width: 600px)");
  var LONGEST = 600;  // a line any longer is hard to read
  var measure = document.createElement("canvas").getContext("2d");

  function wrap(paragraph, font, width) {
    measure.font = font;
    var lines = [], line = "";
    paragraph.split(/\s+/).forEach(function (word) {
      var longer = line ? line + " " + word : word;
      if (line && measure.measureText(longer).width > width) { lines.push(line); line = word; }
      else line = longer;
    });
    if (line) lines.push(line);
    return lines;
  }

  function fitTitle(spec, width) {
    var kept = spec.usermeta && spec.usermeta.russia_iran_title, style = spec.config && spec.config.title;
    width = Math.min(width - (PHONE.matches ? 24 : 90), LONGEST);
    if (!kept || !style || !spec.title || !(width > 0)) return;
    spec.title.text = wrap(kept.title, (style.fontWeight || "bold") + " " + style.fontSize + "px " + style.font, width);
    spec.title.subtitle = [].concat.apply([], kept.subtitle.map(function (paragraph) {
      return wrap(paragraph, style.subtitleFontSize + "px " + style.subtitleFont, width);
    }));
  }

  // Names that third-party markup lacks (axe, no rule excluded): vega-embed's actions menu is
  // labelled; Vega-Lite's selection brush, a drawing with no meaning of its own, is hidden. A
  // chart wider than its column scrolls inside its frame, which must then take the keyboard.
  function named(el) {
    el.querySelectorAll(".vega-embed > details > summary").forEach(function (summary) {
      summary.setAttribute("aria-label", "Chart actions: save the chart as an image, or view its source");
    });
    el.querySelectorAll('g.role-mark[class*="_brush"]').forEach(function (brush) {
      brush.setAttribute("aria-hidden", "true");
    });
    var frame = el.querySelector(".chart-wrapper");
    if (frame && frame.scrollWidth > frame.clientWidth + 1) frame.setAttribute("tabindex", "0");
    else if (frame) frame.removeAttribute("tabindex");
  }

  function draw(chart) {
    if (!window.vegaEmbed) return failed(chart, new Error("the chart libraries did not load"));
    if (chart.view) chart.view.finalize();
    chart.width = chart.el.getBoundingClientRect().width;
    return new Promise(function (resolve) {
      var spec = JSON.parse(chart.json);
      fitTitle(spec, chart.width);
      resolve(window.vegaEmbed(chart.el, spec, {mode: "vega-lite"}));
    }).then(function (result) {
      chart.view = result.view;
      named(chart.el);
    }, function (error) { failed(chart, error); });
  }

  function failed(chart, error) {
    chart.el.innerHTML = '<p class="error" role="alert"></p>';
    chart.el.firstChild.textContent = "This chart could not be drawn: " + error.message;
  }

  function idle() {
    return new Promise(function (resolve) {
      if (window.requestIdleCallback) window.requestIdleCallback(resolve, {timeout: 300});
      else setTimeout(resolve, 30);
    });
  }

  // Each placeholder the parser has passed (a spec still arriving is not yet JSON) joins the queue,
  // as soon as the parser adds it: the first is drawn at once, the others while the browser is idle.
  var drawn = Promise.resolve();
  function drawParsed() {
    document.querySelectorAll("div.ri-vega").forEach(function (el) {
      var json = el.querySelector('script[type="application/json"]');
      if (!json || charts.some(function (chart) { return chart.el === el; })) return;
      try { JSON.parse(json.textContent); } catch (incomplete) { return; }
      var chart = {el: el, json: json.textContent};
      drawn = drawn.then(charts.length ? idle : null).then(function () { return draw(chart); });
      charts.push(chart);
    });
  }
  drawParsed();
  if (document.readyState === "loading") {
    var parsing = new MutationObserver(drawParsed);
    parsing.observe(document, {childList: true, subtree: true});
    document.addEventListener("DOMContentLoaded", function () { parsing.disconnect(); drawParsed(); });
  }

  // A chart whose column became narrower (a phone turned upright) is drawn again, so that its
  // title is wrapped to the new width (a switch between light and dark is russia_iran.css's).
  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      charts.forEach(function (chart) {
        if (!chart.view) return;
        if (chart.el.getBoundingClientRect().width < chart.width - 1) draw(chart);
        else named(chart.el);
      });
    }, 200);
  });

  // The page: the theme's search button and the code toggles are named by what they show
  // ("Search Ctrl+K", "Show code cell source"); the bibliography's entries are list items.
  // The CSV links (russia_iran/display.py) lead to the table without JavaScript; with it
  // they are downloads, built from the table by their click handler.
  function preparePage() {
    var shown = '.search-button__button[aria-label="Search"], details.hide > summary[aria-label="Toggle hidden content"]';
    document.querySelectorAll(shown).forEach(function (control) { control.removeAttribute("aria-label"); });
    document.querySelectorAll('.citation-list[role="list"] > [role="doc-biblioentry"]').forEach(function (entry) {
      entry.setAttribute("role", "listitem");
    });
    document.querySelectorAll("a.ri-csv[data-download]").forEach(function (link) {
      link.setAttribute("download", link.getAttribute("data-download"));
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", preparePage);
  else preparePage();

  // An explorer (russia_iran/widgets.py) holds every state's result; the one its controls name is shown.
  document.addEventListener("change", function (event) {
    var box = event.target.closest(".ri-static-explorer");
    if (!box || !event.target.matches("[data-control]")) return;
    var state = Array.from(box.querySelectorAll("[data-control]"), function (control) {
      return control.type === "checkbox" ? (control.checked ? "1" : "0") : control.value;
    }).join(",");
    box.querySelectorAll("[data-state]").forEach(function (panel) { panel.hidden = panel.dataset.state !== state; });
  });
})();
