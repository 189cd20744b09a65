// The Tajik letters a Russian keyboard lacks (ғ ӣ қ ӯ ҳ ҷ and their capitals), for editors whose
// target is Tajik: a toolbar of buttons, and Alt with the letter's Latin key (G I K U H J; Shift
// for the capital), typing the letter at the caret of the segment box. After typing, the box gets
// an input event, so the other scripts (autosave, live QA) see the change as if it was typed.
(function () {
  "use strict";

  var palette = document.getElementById("tajik-palette");
  if (!palette) return;
  var keys = Array.prototype.slice.call(palette.querySelectorAll("button[data-letter]"));
  // The physical key (event.code), not event.key: with Alt held, macOS types other characters.
  var byCode = {};
  keys.forEach(function (b) {
    byCode[b.dataset.code + (b.dataset.shift ? "+shift" : "")] = b.dataset.letter;
  });
  var last = null; // the segment box the buttons type into

  function isBox(el) {
    return el && el.matches && el.matches("textarea.target-text");
  }

  // insert types letter over the selection of box, leaves the caret after it and tells the
  // other scripts.
  function insert(box, letter) {
    var start = box.selectionStart, end = box.selectionEnd;
    box.setRangeText(letter, start, end, "end");
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("focusin", function (e) {
    if (isBox(e.target)) last = e.target;
  });
  keys.forEach(function (b) {
    // A click must not take the focus from the box, or the caret would be lost.
    b.addEventListener("mousedown", function (e) { e.preventDefault(); });
    b.addEventListener("click", function () {
      var box = isBox(document.activeElement) ? document.activeElement : last;
      if (!box) box = document.querySelector("textarea.target-text");
      if (!box) return;
      box.focus();
      insert(box, b.dataset.letter);
    });
  });
  document.addEventListener("keydown", function (e) {
    if (!e.altKey || e.ctrlKey || e.metaKey || !isBox(e.target)) return;
    var letter = byCode[e.code + (e.shiftKey ? "+shift" : "")];
    if (!letter) return;
    e.preventDefault();
    insert(e.target, letter);
  });
  palette.hidden = false;
})();
