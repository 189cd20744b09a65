// Suggestions for the segment being edited: the desk's suggestions page for the focused
// segment (repetitions, translation-memory matches with their differences marked, the machine
// draft, glossary entries) shown in a panel under it; Ctrl+1…9 or a click inserts one, Ctrl+K
// searches the memory for the selection. Nothing is ever inserted without the translator
// asking: a fuzzy match one word off can say the opposite. After an insertion the box gets an
// input event, as if typed, so autosave and live QA see it.
(function () {
  "use strict";

  var panel = document.getElementById("suggest-panel");
  if (!panel || !window.fetch || !window.DOMParser) return;
  var body = panel.querySelector(".sp-body");
  var base = panel.dataset.base;
  var lang = panel.dataset.lang;
  var parser = new DOMParser();
  var cache = {}; // segment id → promise of its #suggestions section
  var current = null; // the .segment the panel is at

  // fetchPart fetches a desk page and returns the elements of it that selectors name. A page
  // without them (the sign-in page, once the session has ended) is a failure.
  function fetchPart(url, selectors) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.text();
    }).then(function (html) {
      var doc = parser.parseFromString(html, "text/html");
      return selectors.map(function (sel) {
        var el = doc.querySelector(sel);
        if (!el) throw new Error("no " + sel);
        return el;
      });
    });
  }

  function segmentOf(el) {
    return el && el.closest ? el.closest(".segment[data-segment]") : null;
  }

  function boxOf(seg) {
    return seg ? seg.querySelector("textarea.target-text") : null;
  }

  function place(seg, view) {
    current = seg;
    seg.appendChild(panel);
    panel.hidden = false;
    panel.dataset.view = view;
  }

  function show(seg) {
    if (!seg || !boxOf(seg)) return;
    if (current === seg && panel.dataset.view === "suggestions" && !panel.hidden) return;
    place(seg, "suggestions");
    var id = seg.dataset.segment;
    body.textContent = panel.dataset.loading;
    if (!cache[id]) {
      cache[id] = fetchPart(base + "/segments/" + encodeURIComponent(id) + "/suggestions", ["#suggestions"]);
      cache[id].catch(function () { delete cache[id]; });
    }
    cache[id].then(function (parts) {
      if (current !== seg || panel.dataset.view !== "suggestions") return;
      body.replaceChildren(document.importNode(parts[0], true));
      wire(seg);
    }, function () {
      if (current === seg && panel.dataset.view === "suggestions") body.textContent = panel.dataset.failed;
    });
  }

  // insert puts text into the segment's box: a sentence replaces the box's text, a glossary
  // form goes in at the cursor.
  function insert(seg, text, mode) {
    var box = boxOf(seg);
    if (!box || box.readOnly || box.disabled) return;
    if (mode === "whole") {
      box.value = text;
      box.setSelectionRange(text.length, text.length);
    } else {
      box.setRangeText(text, box.selectionStart, box.selectionEnd, "end");
    }
    box.dispatchEvent(new Event("input", { bubbles: true }));
    box.focus();
  }

  function repeatBoxes(section) {
    return (section.dataset.repeats || "").split(" ").filter(Boolean).map(function (id) {
      return boxOf(document.querySelector('.segment[data-segment="' + CSS.escape(id) + '"]'));
    }).filter(Boolean);
  }

  function wire(seg) {
    body.querySelectorAll(".sg-insert, .sg-form").forEach(function (b) {
      b.addEventListener("click", function () { insert(seg, b.dataset.text, b.dataset.mode); });
    });
    var section = body.querySelector("#suggestions");
    var all = body.querySelector(".sg-apply-all");
    if (!section || !all) return;
    var boxes = repeatBoxes(section);
    all.hidden = boxes.length === 0;
    all.addEventListener("click", function () {
      var text = boxOf(seg).value;
      if (text.trim() === "") return;
      boxes.forEach(function (box) {
        if (box.value === text) return;
        box.value = text;
        box.dispatchEvent(new Event("input", { bubbles: true }));
      });
      var done = document.createElement("p");
      done.className = "notice ok";
      done.setAttribute("role", "status");
      done.textContent = panel.dataset.applied;
      all.replaceWith(done);
    });
  }

  // concordance searches the approved translations and shows the hits in the panel, with the
  // search form to refine it and a link to the full page.
  function concordance(q, l) {
    var url = "/memory?q=" + encodeURIComponent(q) + "&lang=" + encodeURIComponent(l);
    var anchor = window.getSelection().anchorNode;
    var seg = segmentOf(document.activeElement) || segmentOf(anchor && anchor.parentElement) || current;
    if (!seg) {
      window.open(url, "_blank", "noopener");
      return;
    }
    place(seg, "concordance");
    body.textContent = panel.dataset.loading;
    fetchPart(url, ["#concordance-form", "#concordance"]).then(function (parts) {
      if (current !== seg || panel.dataset.view !== "concordance") return;
      var form = document.importNode(parts[0], true);
      var results = document.importNode(parts[1], true);
      var open = document.createElement("a");
      open.href = url;
      open.target = "_blank";
      open.rel = "noopener";
      open.textContent = panel.dataset.openPage;
      body.replaceChildren(form, results, open);
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        concordance(form.elements.q.value, form.elements.lang.value);
      });
      if (q.trim() === "") form.elements.q.focus();
    }, function () {
      if (current === seg) body.textContent = panel.dataset.failed;
    });
  }

  function selection() {
    var el = document.activeElement;
    if (el && (el.tagName === "TEXTAREA" || el.tagName === "INPUT") && typeof el.selectionStart === "number") {
      return el.value.substring(el.selectionStart, el.selectionEnd);
    }
    return String(window.getSelection());
  }

  document.addEventListener("focusin", function (e) {
    if (e.target.matches && e.target.matches("textarea.target-text")) show(segmentOf(e.target));
  });
  document.addEventListener("segment:focus", function (e) { show(segmentOf(e.target)); });
  // A box focused before this script ran (the editor focuses the first one on load).
  if (document.activeElement && document.activeElement.matches("textarea.target-text")) {
    show(segmentOf(document.activeElement));
  }
  // A save changes what the article's repetitions offer.
  document.addEventListener("segment:saved", function () { cache = {}; });

  panel.querySelector(".sp-close").addEventListener("click", function () {
    panel.hidden = true;
    var box = boxOf(current);
    if (box) box.focus();
  });

  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented) return;
    if (e.key === "Escape" && !panel.hidden && segmentOf(document.activeElement) === current) {
      panel.hidden = true;
      var box = boxOf(current);
      if (box) box.focus();
      return;
    }
    if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
    // By e.code, not e.key: on an Arabic layout the digit keys give ١…٩ and K gives ن.
    var m = /^(?:Digit|Numpad)([1-9])$/.exec(e.code);
    if (m) {
      var seg = segmentOf(document.activeElement);
      if (!seg || seg !== current || panel.hidden || panel.dataset.view !== "suggestions") return;
      e.preventDefault();
      var b = body.querySelector('.sg[data-key="' + m[1] + '"] .sg-insert');
      if (b) insert(seg, b.dataset.text, b.dataset.mode);
    } else if (e.code === "KeyK") {
      e.preventDefault();
      concordance(selection().trim().slice(0, 200), lang);
    }
  });
})();
