// The keyboard shortcuts dialog: its button in the top bar, or "?" typed outside a text box,
// opens it as a modal dialog; Tab stays inside it, Esc or its close button closes it, and the
// focus goes back to where it was.
(function () {
  "use strict";

  var dialog = document.getElementById("shortcuts-help");
  var opener = document.getElementById("help-open");
  if (!dialog || !opener || typeof dialog.showModal !== "function") return;
  var closeButton = document.getElementById("help-close");
  var back = null; // the element focused before the dialog opened

  function open() {
    if (dialog.open) return;
    back = document.activeElement;
    dialog.showModal();
    closeButton.focus();
  }

  // typing reports whether the key goes to a place that takes text, where "?" is a character.
  function typing(el) {
    if (!el || !el.tagName) return false;
    if (el.isContentEditable) return true;
    var tag = el.tagName.toLowerCase();
    if (tag === "textarea" || tag === "select") return true;
    if (tag !== "input") return false;
    return !/^(button|submit|reset|checkbox|radio|file|image|range|color)$/.test(el.type);
  }

  opener.addEventListener("click", open);
  closeButton.addEventListener("click", function () { dialog.close(); });
  dialog.addEventListener("close", function () {
    if (back && back.focus) back.focus();
  });
  // A click on the backdrop (outside the dialog's box) closes it too.
  dialog.addEventListener("click", function (e) {
    if (e.target === dialog) dialog.close();
  });
  // The modal dialog makes the page inert; this keeps Tab from leaving for the browser's bar.
  dialog.addEventListener("keydown", function (e) {
    if (e.key !== "Tab") return;
    var focusable = dialog.querySelectorAll("button, [href], input, select, textarea, [tabindex]:not([tabindex='-1'])");
    var first = focusable[0], lastOne = focusable[focusable.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      lastOne.focus();
    } else if (!e.shiftKey && document.activeElement === lastOne) {
      e.preventDefault();
      first.focus();
    }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "?" || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented || typing(e.target)) return;
    e.preventDefault();
    open();
  });
  opener.hidden = false;
})();
