// Live QA: checks a segment's text as the translator types, with the checks a save runs (the
// server's POST …/segments/{id}/check answers with the flags the stored version would carry),
// shows them at the segment, mends what a click can mend and dismisses a false positive with
// a reason, all without leaving the page. Without this script the page shows the flags of the
// stored version and dismisses through its forms.
(function () {
  "use strict";

  var conf = document.getElementById("qa-conf");
  var form = document.getElementById("edit-form");
  if (!conf || !form) return;

  // After the last keystroke, wait this long before asking: short enough that the answer
  // (a few ms of server time on top) is back within 150 ms of typing stopping, long enough
  // that a word typed at speed is one request, not one per letter.
  var DEBOUNCE_MS = 120;
  var csrfInput = form.querySelector("input[name=csrf_token]");
  var csrf = csrfInput ? csrfInput.value : "";
  var base = conf.getAttribute("data-base");
  var text = function (name) { return conf.getAttribute("data-" + name) || ""; };
  var states = {};

  function stateOf(id) {
    if (!states[id]) states[id] = { seq: 0, timer: 0, ctrl: null, typed: 0 };
    return states[id];
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": csrf }
    });
  }

  function schedule(seg, box, delay) {
    var st = stateOf(seg.getAttribute("data-segment"));
    st.typed = performance.now();
    clearTimeout(st.timer);
    st.timer = setTimeout(function () { check(seg, box, st); }, delay);
  }

  function check(seg, box, st) {
    if (st.ctrl) st.ctrl.abort();
    var ctrl = new AbortController();
    st.ctrl = ctrl;
    var seq = ++st.seq;
    var id = seg.getAttribute("data-segment");
    var body = new URLSearchParams();
    body.set("text", box.value);
    var sent = performance.now();
    fetch(base + "segments/" + encodeURIComponent(id) + "/check", {
      method: "POST",
      body: body,
      credentials: "same-origin",
      signal: ctrl.signal,
      headers: { "Accept": "application/json", "X-CSRF-Token": csrf }
    }).then(function (r) {
      if (!r.ok) throw new Error("check: HTTP " + r.status);
      return r.json();
    }).then(function (res) {
      if (seq !== st.seq) return; // a newer check is on its way
      render(seg, box, res);
      seg.dispatchEvent(new CustomEvent("qa:checked", {
        bubbles: true,
        detail: { segment: id, ms: performance.now() - st.typed, roundTrip: performance.now() - sent, flags: res.flags.length }
      }));
    }).catch(function (err) {
      if (err.name === "AbortError" || seq !== st.seq) return;
      var holder = seg.querySelector(".qa-flags");
      if (holder) holder.replaceChildren(item("qa-failed", text("failed")));
    });
  }

  function item(cls, message) {
    var li = document.createElement("li");
    li.className = cls;
    li.textContent = message;
    var ul = document.createElement("ul");
    ul.className = "flags";
    ul.appendChild(li);
    return ul;
  }

  function el(tag, attrs, content) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (content) e.textContent = content;
    return e;
  }

  // dismissal is the line a dismissed flag carries, as the page renders it.
  function dismissal(d) {
    var span = el("span", { "class": "dismissal" }, text("dismissed-by") + " ");
    span.appendChild(el("bdi", {}, d.by));
    span.appendChild(document.createTextNode(": "));
    span.appendChild(el("q", { dir: "auto" }, d.reason));
    return span;
  }

  function countOpen(seg) {
    var open = seg.querySelectorAll(".qa-flags li.flag:not(.dismissed)").length;
    seg.classList.toggle("has-flags", open > 0);
  }

  var uid = 0;

  function render(seg, box, res) {
    var holder = seg.querySelector(".qa-flags");
    if (!holder) return;
    var id = seg.getAttribute("data-segment");
    var ul = el("ul", { "class": "flags" });
    res.flags.forEach(function (f) {
      var li = el("li", { "class": "flag flag." + f.kind + (f.dismissed ? " dismissed" : ""), "data-kind": f.kind }, f.message);
      if (f.dismissed) {
        li.appendChild(document.createTextNode(" "));
        li.appendChild(dismissal(f.dismissed));
        ul.appendChild(li);
        return;
      }
      if (f.fix !== undefined && f.fix !== null) {
        var fix = el("button", { type: "button", "class": "qa-fix", "aria-label": text("fix") + ": " + f.message }, text("fix"));
        fix.addEventListener("click", function () {
          if (box.value.trim() !== res.text) { // typed on since: check the text there is now
            schedule(seg, box, 0);
            return;
          }
          box.value = f.fix;
          box.dispatchEvent(new Event("input", { bubbles: true }));
          box.focus();
        });
        li.appendChild(document.createTextNode(" "));
        li.appendChild(fix);
      }
      if (f.dismissable && conf.getAttribute("data-can-dismiss") === "true") {
        li.appendChild(document.createTextNode(" "));
        if (f.stored) {
          li.appendChild(dismissControls(seg, box, res.version, id, f));
        } else {
          li.appendChild(el("span", { "class": "hint" }, text("save-to-dismiss")));
        }
      }
      ul.appendChild(li);
    });
    if (res.flags.length === 0) ul.appendChild(el("li", { "class": "qa-clean" }, text("no-flags")));
    holder.replaceChildren(ul);
    countOpen(seg);
  }

  function dismissControls(seg, box, version, id, f) {
    var span = el("span", { "class": "dismiss" });
    var inputID = "qa-reason-" + (++uid);
    span.appendChild(el("label", { "class": "visually-hidden", "for": inputID }, text("reason")));
    var input = el("input", { type: "text", id: inputID, dir: "auto", placeholder: text("reason") });
    var button = el("button", { type: "button" }, text("dismiss"));
    span.appendChild(input);
    span.appendChild(document.createTextNode(" "));
    span.appendChild(button);
    var go = function () {
      var body = new URLSearchParams();
      body.set("kind", f.kind);
      f.args.forEach(function (a) { body.append("arg", a); });
      body.set("reason", input.value);
      dismiss(base + "versions/" + version + "/segments/" + encodeURIComponent(id) + "/dismissals", body, span, seg);
    };
    button.addEventListener("click", go);
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); go(); }
    });
    return span;
  }

  // dismiss posts a dismissal and, once it is recorded, puts its line where the controls were;
  // a refusal (no reason, a newer version) is shown beside them.
  function dismiss(url, body, controls, seg) {
    post(url, body).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) { return { ok: r.ok, j: j }; });
    }).then(function (res) {
      var li = controls.closest("li");
      var old = li.querySelector(".qa-error");
      if (old) old.remove();
      if (!res.ok) {
        li.appendChild(el("span", { "class": "qa-error", role: "alert" }, " " + (res.j.message || text("failed"))));
        return;
      }
      li.classList.add("dismissed");
      controls.replaceWith(dismissal(res.j));
      countOpen(seg);
    });
  }

  form.addEventListener("input", function (e) {
    var box = e.target;
    if (!box.matches || !box.matches("textarea.target-text")) return;
    var seg = box.closest(".segment");
    if (seg) schedule(seg, box, DEBOUNCE_MS);
  });

  // After a background save the stored version has changed: what can be dismissed with it.
  document.addEventListener("segment:saved", function (e) {
    var seg = e.target.closest && e.target.closest(".segment");
    var box = seg && seg.querySelector("textarea.target-text");
    if (box) schedule(seg, box, 0);
  });

  // The page's own dismissal forms (there for browsers without script) dismiss in place too.
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (!f.id || f.id.indexOf("dismiss-") !== 0) return;
    var button = document.querySelector("button[form='" + f.id + "']");
    var controls = button && button.closest(".dismiss");
    if (!controls) return;
    e.preventDefault();
    dismiss(f.action, new URLSearchParams(new FormData(f)), controls, controls.closest(".segment"));
  });
})();
