// Comments, the decision panel and the queue, by keyboard. Everything works without it (the
// comment boxes are plain forms, the skip link a plain link); it only saves keystrokes:
//   queue:  the first row has the focus at load; ↓ / ↑ move between rows; Enter opens one.
//   editor: Alt+C opens the comment box of the segment being worked on; Alt+A goes to the
//           approve panel (its first control focused), Alt+R to the reviewer's comment for a
//           rejection; Esc closes a comment box and goes back to the segment.
// Keys are matched on KeyboardEvent.code, so they work in the Cyrillic and Arabic layouts
// translators type in.
(function () {
  "use strict";

  var queue = document.getElementById("queue");
  if (queue) {
    var links = Array.prototype.slice.call(queue.querySelectorAll("tr[data-row] a.row-link"));
    if (links.length > 0 && !document.querySelector("[role=alert]")) {
      links[0].focus();
    }
    queue.addEventListener("keydown", function (e) {
      if (e.altKey || e.ctrlKey || e.metaKey || (e.key !== "ArrowDown" && e.key !== "ArrowUp")) return;
      var row = e.target.closest("tr[data-row]");
      if (!row) return;
      var i = links.indexOf(row.querySelector("a.row-link")) + (e.key === "ArrowDown" ? 1 : -1);
      if (i >= 0 && i < links.length) {
        e.preventDefault();
        links[i].focus();
      }
    });
  }

  var decide = document.getElementById("decide");
  var segments = document.querySelector(".segments");
  if (!decide && !segments) return;

  // The segment being worked on: the one holding the focus, else the one marked current.
  function currentSegment() {
    var el = document.activeElement;
    var seg = el && el.closest ? el.closest(".segment") : null;
    return seg || document.querySelector(".segment.current") || document.querySelector(".segment");
  }

  function openComments(seg) {
    var box = seg && seg.querySelector("details.seg-comments");
    if (!box) return;
    box.open = true;
    var text = box.querySelector(".comment-text") || box.querySelector("textarea");
    if (text) {
      text.focus();
      text.scrollIntoView({ block: "center" });
    }
  }

  function goDecide(approve) {
    if (!decide) return;
    var target;
    if (approve) {
      // With open issues the override comes first; on a clean version, the Approve button.
      target = document.getElementById("override") || document.getElementById("approve");
    } else {
      target = document.getElementById("comment");
    }
    target = target || decide;
    decide.scrollIntoView({ block: "start" });
    target.focus();
  }

  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") {
      var open = e.target.closest && e.target.closest("details.seg-comments");
      if (open) {
        open.open = false;
        var box = open.closest(".segment").querySelector("textarea.target-text");
        (box || open.querySelector("summary")).focus();
        e.preventDefault();
      }
      return;
    }
    if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    if (e.code === "KeyC") {
      e.preventDefault();
      openComments(currentSegment());
    } else if (e.code === "KeyA" && decide) {
      e.preventDefault();
      goDecide(true);
    } else if (e.code === "KeyR" && decide) {
      e.preventDefault();
      goDecide(false);
    }
  });

  // The skip link focuses the panel's first control too, not just scrolls to it.
  var skip = document.getElementById("to-decide");
  if (skip) {
    skip.addEventListener("click", function (e) {
      e.preventDefault();
      goDecide(true);
    });
  }
})();
