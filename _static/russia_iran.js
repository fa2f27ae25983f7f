/* Russia and Iran module: draws the page's charts and names what assistive technology needs.
 *
 * Each chart arrives as a placeholder holding its Vega-Lite spec (the book's Altair renderer,
 * russia_iran/charts.py). The chart libraries, which the page lists as preloads
 * (russia_iran/sphinx_ext.py), run in order as soon as they arrive, not after the whole page
 * is parsed; the first chart is drawn once they and its placeholder are there, the others one
 * after another while the browser is idle.
 */
(function () {
  "use strict";
  var charts = [];

  // Titles come wrapped for a 360-px phone (charts.py), which makes a desktop title three
  // short lines: they are wrapped again, by measured text width, to the width a chart is
  // drawn at, from the paragraphs the spec keeps in its usermeta. Room left: the chart's
  // padding, and beside it vega-embed's export button, except on a phone, where the button
  // sits above the chart (the query is russia_iran.css's).
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

  // In dark mode the house theme's inks become light ones and the white card goes; the data
  // colours stay. Only these exact values change, wherever the spec uses them.
  var DARK_INK = {"#1f2328": "#e6edf3", "#57606a": "#b1bac4", "#e6e6e6": "#3a414a", "#8c959f": "#9aa4ae",
                  "#f2efe9": "#2a2e33", "#b5b0a6": "#5b6169"};  // the last two: the map's land and borders
  function inDarkMode(value) {
    if (typeof value === "string") return DARK_INK[value.toLowerCase()] || value;
    if (Array.isArray(value)) return value.map(inDarkMode);
    if (!value || typeof value !== "object") return value;
    var out = {};
    for (var key in value) out[key] = inDarkMode(value[key]);
    return out;
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
    if (chart.view) chart.view.finalize();
    chart.width = chart.el.getBoundingClientRect().width;
    return new Promise(function (resolve) {
      var spec = JSON.parse(chart.json);
      if (document.documentElement.dataset.theme === "dark") {
        spec = inDarkMode(spec);
        spec.config.background = null;
      }
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

  function collect() {
    document.querySelectorAll("div.ri-vega").forEach(function (el) {
      var json = el.querySelector('script[type="application/json"]');
      if (json && !charts.some(function (chart) { return chart.el === el; })) charts.push({el: el, json: json.textContent});
    });
  }

  function load(libraries) {
    if (!libraries.length) return Promise.resolve();
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.onload = resolve;
      script.onerror = function () { reject(new Error("the chart library " + libraries[0] + " did not load")); };
      script.src = libraries[0];
      document.head.appendChild(script);
    }).then(function () { return load(libraries.slice(1)); });
  }
  var libraries = load([].map.call(document.querySelectorAll("link[data-ri-library]"), function (link) { return link.href; }));
  function start(chart) {
    if (chart.started) return null;
    chart.started = true;
    return draw(chart);
  }
  var first = libraries.then(function () {
    collect();
    return charts.length ? start(charts[0]) : null;
  });

  // A chart whose column became narrower (a phone turned upright) is drawn again, so that its
  // title is wrapped to the new width; a switch between light and dark redraws every chart.
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
  var shownTheme = document.documentElement.dataset.theme;
  new MutationObserver(function () {
    if (document.documentElement.dataset.theme === shownTheme) return;
    shownTheme = document.documentElement.dataset.theme;
    charts.forEach(function (chart) { if (chart.view) draw(chart); });
  }).observe(document.documentElement, {attributes: true, attributeFilter: ["data-theme"]});

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
    first.then(function () {
      collect();
      return charts.reduce(function (drawn, chart) {
        return drawn.then(function () { return chart.started ? null : idle().then(function () { return start(chart); }); });
      }, Promise.resolve());
    }, function (error) {
      collect();
      charts.forEach(function (chart) { failed(chart, error); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", preparePage);
  else preparePage();
})();
