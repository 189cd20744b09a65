// The review desk's little script: keyboard work in the editor and the language switcher.
// Everything works without it; it only saves mouse trips.
(function () {
  "use strict";

  // The language switcher submits itself when a language is picked, so its button (there for
  // browsers without script) can go.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
    sel.form.querySelectorAll("button").forEach(function (b) { b.hidden = true; });
  });

  var form = document.getElementById("edit-form");
  if (!form) return;
  var boxes = Array.prototype.slice.call(form.querySelectorAll("textarea.target-text"));
  var dirty = false;

  function focusBox(i) {
    if (i < 0 || i >= boxes.length) return;
    var box = boxes[i];
    box.focus();
    box.closest(".segment").scrollIntoView({ block: "center" });
  }

  boxes.forEach(function (box, i) {
    box.addEventListener("input", function () {
      dirty = true;
      box.closest(".segment").classList.add("edited");
    });
    box.addEventListener("focus", function () {
      boxes.forEach(function (b) { b.closest(".segment").classList.remove("current"); });
      box.closest(".segment").classList.add("current");
    });
    box.addEventListener("keydown", function (e) {
      // Alt+↓ / Alt+↑ move between segments, as in most CAT tools; Ctrl+Enter (⌘+Enter) saves.
      if (e.altKey && (e.key === "ArrowDown" || e.key === "ArrowUp")) {
        e.preventDefault();
        focusBox(e.key === "ArrowDown" ? i + 1 : i - 1);
      } else if ((e.ctrlKey || e.metaKey) && e.key === "Enter") {
        e.preventDefault();
        dirty = false;
        form.requestSubmit();
      }
    });
  });

  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (e) {
    if (dirty) { e.preventDefault(); e.returnValue = ""; }
  });
  if (location.hash === "" && boxes.length > 0 && !document.querySelector("[role=alert]")) {
    focusBox(0);
  }
})();
