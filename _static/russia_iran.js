/* Russia and Iran module: the charts of a page are drawn one after another,
 * and the CSV links become downloads.
 *
 * Each Altair chart's inline script is handed to riChart at build time
 * (russia_iran/sphinx_ext.py) instead of drawing at once. The page's first
 * chart is drawn immediately; the others wait until it is drawn, then each is
 * drawn as it comes near the screen, and the rest in turn while the browser is
 * idle after the page has loaded, so that every chart is there for printing,
 * searching in the page and screen readers. Where this script is missing, the
 * charts draw at once as Altair wrote them.
 */
(function () {
  "use strict";
  var waiting = [];      // charts not yet drawn: {el, draw, started}
  var first = null;      // the first chart, drawn at once
  var released = false;  // the first chart is drawn: others may start
  var observer = null;

  function drawnIn(el) {
    return !el || !!el.querySelector("svg, canvas, .error");
  }

  function whenDrawn(el, then) {
    if (drawnIn(el)) { then(); return; }
    var done = false;
    var watch = new MutationObserver(function () { if (drawnIn(el)) finish(); });
    var timer = setTimeout(finish, 4000);  // a chart that never draws must not hold up the others
    function finish() {
      if (done) return;
      done = true;
      watch.disconnect();
      clearTimeout(timer);
      then();
    }
    watch.observe(el, {childList: true, subtree: true});
  }

  // Titles and subtitles come wrapped for a 360-px phone (russia_iran/charts.py),
  // which makes a desktop chart's title three short lines. Before a chart is
  // drawn they are wrapped again, by measured text width, to the width it is
  // drawn at, from the paragraphs the spec keeps in its usermeta.
  var TITLE_META = "russia_iran_title";
  // Room a line must leave: the chart's padding (2 x 10 px), and beside the
  // chart vega-embed's export button (28 px) and its margin (38 px), except on
  // a phone, where the button sits above the chart (the query is russia_iran.css's).
  var PHONE = window.matchMedia ? window.matchMedia("(max-width: 600px)") : null;
  var LONGEST = 600;     // a line any longer is hard to read
  var measure = null;

  function wrap(paragraph, font, width) {
    measure = measure || document.createElement("canvas").getContext("2d");
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

  function fitTitle(el, spec) {
    var kept = spec && spec.usermeta && spec.usermeta[TITLE_META];
    var style = spec && spec.config && spec.config.title;
    if (!kept || !style || !spec.title || !el) return;
    var reserved = PHONE && PHONE.matches ? 24 : 90;
    var width = Math.min(el.getBoundingClientRect().width - reserved, LONGEST);
    if (!(width > 0)) return;
    spec.title.text = wrap(kept.title, (style.fontWeight || "bold") + " " + style.fontSize + "px " + style.font, width);
    spec.title.subtitle = [].concat.apply([], kept.subtitle.map(function (paragraph) {
      return wrap(paragraph, style.subtitleFontSize + "px " + style.subtitleFont, width);
    }));
  }

  // In dark mode the house theme's inks (russia_iran/charts.py) become light ones and the white
  // card goes; the data colours stay. Only these exact values change, wherever the spec uses them.
  var DARK_INK = {"#1f2328": "#e6edf3", "#57606a": "#b1bac4", "#e6e6e6": "#3a414a", "#8c959f": "#9aa4ae",
                  "#f2efe9": "#2a2e33", "#b5b0a6": "#5b6169"};  // the last two: the map's land and borders
  function inDarkMode(value) {
    if (typeof value === "string") return DARK_INK[value.toLowerCase()] || value;
    if (Array.isArray(value)) return value.map(inDarkMode);
    if (value && typeof value === "object") {
      var out = {};
      for (var key in value) out[key] = inDarkMode(value[key]);
      return out;
    }
    return value;
  }
  function themed(spec) {
    if (document.documentElement.dataset.theme !== "dark" || !spec) return spec;
    var dark = inDarkMode(spec);
    dark.config = Object.assign({}, dark.config, {background: null});
    return dark;
  }

  // Altair's snippet calls the global vegaEmbed(el, spec, options). The result
  // is kept, so that a chart drawn again can first release the old view; each
  // drawing is then given its names (below).
  function fittingTitles() {
    var embed = window.vegaEmbed;
    if (!embed || embed.fitsTitles) return;
    window.vegaEmbed = Object.assign(function (el, spec, options) {
      var target = typeof el === "string" ? document.querySelector(el) : el;
      spec = themed(spec);
      try { fitTitle(target, spec); }
      catch (error) { console.error(error); }  // the chart is drawn with its own wrapping
      var result = embed(el, spec, options);
      if (target) {
        target.riEmbedded = result;
        result.then(function () { named(target); }, function () {});
      }
      return result;
    }, embed, {fitsTitles: true});
  }

  // After a resize, a chart whose column became narrower (a phone turned
  // upright) is drawn again, so that its title is wrapped to the new width and
  // not cut off; a wider column keeps the narrower wrap, which still fits.
  // Every other chart's frame is checked for scrolling.
  var drawn = [];
  function afterResize() {
    drawn.forEach(function (chart) {
      var width = chart.el.getBoundingClientRect().width;
      if (!(width < chart.width - 1) || !chart.el.riEmbedded) { reachable(chart.el); return; }
      chart.width = width;
      chart.el.riEmbedded.then(function (result) { result.finalize(); }, function () {}).then(function () {
        try { chart.draw(); } catch (error) { console.error(error); }
        // Altair's snippet embeds a few promise steps later: then check the frame
        setTimeout(function () {
          Promise.resolve(chart.el.riEmbedded).then(function () { reachable(chart.el); }, function () {});
        }, 0);
      });
    });
  }
  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(afterResize, 200);
  });

  // The reader switches between light and dark: every drawn chart is drawn again in the new inks.
  var shownTheme = document.documentElement.dataset.theme;
  new MutationObserver(function () {
    var theme = document.documentElement.dataset.theme;
    if (theme === shownTheme) return;
    shownTheme = theme;
    drawn.forEach(function (chart) {
      Promise.resolve(chart.el.riEmbedded).then(function (result) { if (result) result.finalize(); }, function () {})
        .then(function () { try { chart.draw(); } catch (error) { console.error(error); } });
    });
  }).observe(document.documentElement, {attributes: true, attributeFilter: ["data-theme"]});

  function start(chart) {
    if (chart.started) return;
    chart.started = true;
    if (observer && chart.el) observer.unobserve(chart.el);
    fittingTitles();
    if (chart.el) {
      chart.width = chart.el.getBoundingClientRect().width;
      drawn.push(chart);
    }
    try { chart.draw(); } catch (error) { console.error(error); }
    whenDrawn(chart.el, function () { reachable(chart.el); });
  }

  // Names that assistive technology needs and third-party markup lacks (axe, no
  // rule excluded): vega-embed's actions menu is labelled; Vega-Lite's selection
  // brush, a drawing with no meaning of its own, is hidden from it.
  function named(el) {
    el.querySelectorAll(".vega-embed > details > summary").forEach(function (summary) {
      summary.setAttribute("aria-label", "Chart actions: save the chart as an image, or view its source");
    });
    el.querySelectorAll('g.role-mark[class*="_brush"]').forEach(function (brush) {
      brush.setAttribute("aria-hidden", "true");
    });
  }

  // The same on the page: the theme's search button and the code toggles are
  // named by what they show ("Search Ctrl+K", "Show code cell source"); the
  // bibliography's entries are the items of its list.
  function namedPage() {
    var shown = '.search-button__button[aria-label="Search"], details.hide > summary[aria-label="Toggle hidden content"]';
    document.querySelectorAll(shown).forEach(function (control) { control.removeAttribute("aria-label"); });
    document.querySelectorAll('.citation-list[role="list"] > [role="doc-biblioentry"]').forEach(function (entry) {
      entry.setAttribute("role", "listitem");
    });
  }

  // A chart wider than its column scrolls inside its frame (a phone, the
  // treaty comparison): the frame must then be reachable from the keyboard.
  function reachable(el) {
    var frame = el && el.querySelector(".chart-wrapper");
    if (!frame) return;
    if (frame.scrollWidth > frame.clientWidth + 1) frame.setAttribute("tabindex", "0");
    else frame.removeAttribute("tabindex");
  }

  function later(callback) {
    if (window.requestIdleCallback) window.requestIdleCallback(callback, {timeout: 300});
    else setTimeout(callback, 30);
  }

  // The remaining charts, in page order, one at a time.
  function drawNext() {
    var chart = null;
    for (var i = 0; i < waiting.length && !chart; i++) if (!waiting[i].started) chart = waiting[i];
    if (!chart) return;
    later(function () {
      start(chart);
      whenDrawn(chart.el, drawNext);
    });
  }

  function release() {
    if (released) return;
    released = true;
    if ("IntersectionObserver" in window) {
      observer = new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
          if (!entry.isIntersecting) return;
          for (var i = 0; i < waiting.length; i++) if (waiting[i].el === entry.target) start(waiting[i]);
        });
      }, {rootMargin: "400px 0px"});
      waiting.forEach(function (chart) { if (chart.el && !chart.started) observer.observe(chart.el); });
    }
    if (document.readyState === "complete") drawNext();
    else window.addEventListener("load", drawNext);
  }

  window.riChart = function (id, draw) {
    var chart = {el: document.getElementById(id), draw: draw, started: false};
    if (!first) {
      first = chart;
      start(chart);
      whenDrawn(chart.el, release);
      return;
    }
    waiting.push(chart);
    if (observer && chart.el) observer.observe(chart.el);
  };

  // The CSV links (russia_iran/display.py) lead to the table without JavaScript;
  // with it they save the file their click handler builds from the table.
  function markDownloads() {
    var links = document.querySelectorAll("a.ri-csv[data-download]");
    for (var i = 0; i < links.length; i++) links[i].setAttribute("download", links[i].getAttribute("data-download"));
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", markDownloads);
    document.addEventListener("DOMContentLoaded", namedPage);
  } else {
    markDownloads();
    namedPage();
  }

  // Printing shows every chart.
  window.addEventListener("beforeprint", function () { waiting.forEach(start); });
})();
