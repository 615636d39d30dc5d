// newsanno static view: layer toggles, hover and click details. No network, no dependencies.
(function () {
  "use strict";

  for (const box of document.querySelectorAll("input[data-layer-toggle]")) {
    const apply = function () {
      document.body.classList.toggle("off-" + box.dataset.layerToggle, !box.checked);
    };
    box.addEventListener("change", apply);
    apply();
  }

  const text = document.querySelector(".text");
  const panel = document.getElementById("panel-cards");
  if (!text || !panel) return;
  const hint = panel.innerHTML;

  function layerOn(el) {
    return !document.body.classList.contains("off-" + el.dataset.layer);
  }

  // The highlights (of visible layers) containing el, innermost first, one per annotation.
  function chainAt(el) {
    const ids = [];
    for (let n = el; n && n !== text; n = n.parentElement) {
      if (n.classList.contains("hl") && layerOn(n) && !ids.includes(n.dataset.id)) {
        ids.push(n.dataset.id);
      }
    }
    return ids;
  }

  function mark(cls, ids) {
    for (const old of text.querySelectorAll("." + cls)) old.classList.remove(cls);
    for (const id of ids) {
      for (const frag of text.querySelectorAll('[data-id="' + CSS.escape(id) + '"]')) {
        frag.classList.add(cls);
      }
    }
  }

  function show(ids) {
    const cards = [];
    for (const id of ids) {
      const tpl = document.getElementById("card-" + id);
      if (tpl) cards.push(tpl.content.cloneNode(true));
    }
    if (cards.length) panel.replaceChildren(...cards);
    else panel.innerHTML = hint;
    mark("sel", ids.slice(0, 1));
  }

  text.addEventListener("click", function (e) {
    if (e.target instanceof Element) show(chainAt(e.target));
  });
  text.addEventListener("mouseover", function (e) {
    const ids = e.target instanceof Element ? chainAt(e.target) : [];
    mark("hot", ids.slice(0, 1));
  });
  text.addEventListener("mouseleave", function () {
    mark("hot", []);
  });

  function fromHash() {
    const m = /^#a-(.+)$/.exec(location.hash);
    if (!m) return;
    const el = document.getElementById("a-" + decodeURIComponent(m[1]));
    if (!el) return;
    show(chainAt(el));
    el.scrollIntoView({ block: "center" });
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();
})();
