// Explorers in the built book (russia_iran/widgets.py): every state's result is in the page;
// show the one that matches the controls. No kernel, no widget manager.
(function () {
  "use strict";
  function update(box) {
    const key = Array.from(box.querySelectorAll("[data-control]"))
      .map((c) => (c.type === "checkbox" ? (c.checked ? "1" : "0") : c.value)).join(",");
    for (const panel of box.querySelectorAll("[data-state]")) panel.hidden = panel.dataset.state !== key;
  }
  document.addEventListener("change", (event) => {
    const box = event.target.closest(".ri-static-explorer");
    if (box && event.target.matches("[data-control]")) update(box);
  });
})();
