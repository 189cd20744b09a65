// The review desk's core script: the language switcher, and the editor's segment workflow —
// each segment saved in the background as she works (no page reload, her place and focus
// kept), her typing autosaved on the server as a draft, a sign-in dialog when the session has
// ended, per-segment conflicts with mine and theirs side by side, progress, filters and the
// keyboard. Without it the page still works: the form posts every segment at once.
//
// Other scripts talk to this one through the DOM only: a script that changes a box's text
// dispatches a bubbling "input" event; this one fires "segment:saved" (detail {segment,
// version}) and "segment:focus" (detail {segment}) on the .segment element.
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
  var segs = Array.prototype.slice.call(form.querySelectorAll(".segment"));
  var boxes = Array.prototype.slice.call(form.querySelectorAll("textarea.target-text"));
  var msg = form.dataset;
  var editable = boxes.length > 0;
  var current = null; // the .segment last focused

  function boxOf(seg) { return seg.querySelector("textarea.target-text"); }
  function segOf(el) { return el.closest(".segment"); }
  function fire(seg, name, detail) { seg.dispatchEvent(new CustomEvent(name, { bubbles: true, detail: detail })); }

  function focusSeg(seg) {
    if (!seg) return;
    var box = boxOf(seg);
    (box || seg).focus();
    seg.scrollIntoView({ block: "center" });
  }

  // Segments in page order, from the current one on (dir 1) or back (dir -1), not counting
  // it, that are shown by the filter and pass test; the first, or null.
  function nextSeg(dir, test) {
    var i = current ? segs.indexOf(current) : -1;
    for (var k = i + dir; k >= 0 && k < segs.length; k += dir) {
      if (!segs[k].hidden && (!test || test(segs[k]))) return segs[k];
    }
    return null;
  }
  function flagged(seg) { return +seg.dataset.flags > 0; }
  function unconfirmed(seg) { return seg.dataset.status !== "confirmed"; }

  // Target boxes grow to their text, so the whole draft is always visible.
  var sizing = window.CSS && CSS.supports && CSS.supports("field-sizing", "content");
  function grow(box) {
    if (sizing) return;
    box.style.height = "auto";
    box.style.height = box.scrollHeight + 2 + "px";
  }

  segs.forEach(function (seg) {
    seg.addEventListener("focusin", function () {
      if (current === seg) return;
      if (current) current.classList.remove("current");
      current = seg;
      seg.classList.add("current");
      fire(seg, "segment:focus", { segment: seg.dataset.segment });
    });
  });

  // Keyboard: Alt+↓/↑ next/previous segment, Alt+Shift+↓/↑ next/previous flagged, Ctrl+Enter
  // (⌘+Enter) confirm and go to the next unconfirmed, Ctrl+S save now.
  document.addEventListener("keydown", function (e) {
    var down = e.key === "ArrowDown", up = e.key === "ArrowUp";
    if (e.altKey && !e.ctrlKey && !e.metaKey && (down || up)) {
      e.preventDefault();
      focusSeg(nextSeg(down ? 1 : -1, e.shiftKey ? flagged : null));
      return;
    }
    if (!editable || !(e.ctrlKey || e.metaKey) || e.altKey) return;
    var seg = e.target.closest && e.target.closest("#edit-form .segment");
    if (e.key === "Enter" && seg) {
      e.preventDefault();
      confirmAndNext(seg);
    } else if ((e.key === "s" || e.key === "S") && !e.shiftKey) {
      e.preventDefault();
      if (seg) save(seg, statusOf(seg)); else saveAll();
    }
  });

  if (!editable) {
    if (location.hash === "" && segs.length > 0) current = segs[0];
    return;
  }

  // --- Saving -------------------------------------------------------------------------------

  var base = "/review/" + form.dataset.article + "/" + form.dataset.lang;
  var csrf = form.querySelector("input[name=csrf_token]").value;
  var baseInput = form.querySelector("input[name=base_version]");
  // The version the whole page shows: her saves move it on only while nobody else saved.
  var pageVersion = +baseInput.value;
  var notice = document.getElementById("seg-notice");
  var timers = new Map(); // segment → pending autosave
  var stored = "tarjuma:" + base + ":"; // localStorage key prefix, for a crash while offline

  function setState(seg, state, text) {
    seg.dataset.state = state;
    var el = seg.querySelector(".seg-state");
    if (el) el.textContent = text === undefined ? (msg["msg" + state.charAt(0).toUpperCase() + state.slice(1)] || "") : text;
  }
  function statusOf(seg) {
    var c = seg.querySelector("input[name=seg_confirmed]");
    return c && c.checked ? "confirmed" : "draft";
  }
  function unsaved(seg) { return ["typing", "draft", "failed", "saving", "conflict"].indexOf(seg.dataset.state) >= 0; }

  // One request at a time, in order: a draft never overtakes the save that follows it, and
  // while the session is gone every request waits for the sign-in.
  var queue = Promise.resolve();
  function enqueue(job) {
    queue = queue.then(job, job);
    return queue;
  }

  // send makes one JSON request; a 401 (the session ended) opens the sign-in dialog and sends
  // again once she has signed in; a network failure is retried with a growing pause.
  // A 403 for the CSRF token means she signed in again elsewhere in this browser (a new
  // session, a new token): the token is fetched again and the request sent once more.
  function send(method, path, body, wait, renewed) {
    return fetch(path, {
      method: method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body)
    }).then(function (res) {
      if (res.status === 401) return signIn().then(function () { return send(method, path, body, wait); });
      return res.json().then(function (data) { return { status: res.status, data: data }; },
        function () { return { status: res.status, data: {} }; }).then(function (r) {
        if (r.status !== 403 || renewed || !r.data.error || r.data.error.code !== "csrf") return r;
        return renewToken().then(function () { return send(method, path, body, wait, true); });
      });
    }, function () {
      wait = Math.min((wait || 500) * 2, 30000);
      return new Promise(function (resolve) { setTimeout(resolve, wait); }).then(function () { return send(method, path, body, wait); });
    });
  }

  function renewToken() {
    return fetch(base + "/session", { credentials: "same-origin", headers: { "Accept": "application/json" } }).then(function (res) {
      if (res.status === 401) return signIn();
      return res.json().then(function (s) { useToken(s.csrf_token); });
    });
  }
  function useToken(token) {
    csrf = token;
    document.querySelectorAll("form input[name=csrf_token]").forEach(function (i) { i.value = token; });
  }

  function keep(seg) {
    try { localStorage.setItem(stored + seg.dataset.segment, JSON.stringify({ text: boxOf(seg).value, base: seg.dataset.base })); } catch (e) { /* private mode */ }
  }
  function forget(seg) {
    try { localStorage.removeItem(stored + seg.dataset.segment); } catch (e) { /* private mode */ }
  }

  // autosave keeps what she typed as the segment's draft on the server.
  function autosave(seg) {
    clearTimeout(timers.get(seg));
    timers.delete(seg);
    typingSince.delete(seg);
    if (seg.dataset.state !== "typing") return queue;
    return enqueue(function () {
      var text = boxOf(seg).value;
      return send("PUT", base + "/drafts/" + encodeURIComponent(seg.dataset.segment), { base_version: +seg.dataset.base, text: text })
        .then(function (r) {
          if (seg.dataset.state !== "typing" && seg.dataset.state !== "failed") return; // a save followed
          if (r.status !== 200) { setState(seg, "failed", r.data.error ? r.data.error.message : msg.msgFailed); return; }
          if (boxOf(seg).value === text) { setState(seg, "draft"); forget(seg); }
        });
    });
  }

  // save stores the segment as a new version with status, applied onto the latest version.
  function save(seg, status) {
    clearTimeout(timers.get(seg));
    timers.delete(seg);
    typingSince.delete(seg);
    var box = boxOf(seg);
    setState(seg, "saving");
    return enqueue(function () {
      var text = box.value;
      return send("POST", base + "/segments/" + encodeURIComponent(seg.dataset.segment),
        { base_version: +seg.dataset.base, text: text, status: status })
        .then(function (r) { saved(seg, text, status, r); });
    });
  }

  function saved(seg, text, status, r) {
    var d = r.data;
    if (r.status === 409 && d.theirs) { conflict(seg, text, status, d.theirs); return; }
    if (r.status !== 200) { setState(seg, "refused", d.error ? d.error.message : msg.msgRefused); return; }
    var box = boxOf(seg);
    seg.dataset.base = d.version;
    seg.dataset.status = d.segment.status;
    seg.classList.toggle("confirmed", d.segment.status === "confirmed");
    showFlags(seg, d.segment.flags);
    var c = seg.querySelector("input[name=seg_confirmed]");
    if (c) c.checked = d.segment.status === "confirmed";
    if (box.value === text) {
      if (box.value !== d.segment.text) { box.value = d.segment.text; grow(box); }
      seg.classList.remove("edited");
      setState(seg, "saved");
      forget(seg);
    } else {
      setState(seg, "typing", ""); // she typed on meanwhile
      schedule(seg);
    }
    if (d.created) {
      if (d.onto === pageVersion) moveTo(d);
      else if (notice) notice.textContent = msg.msgOthers;
    }
    var p = document.getElementById("progress-text");
    if (p) p.textContent = d.progress.text;
    var bar = document.querySelector("#progress progress");
    if (bar) { bar.max = d.progress.Segments; bar.value = d.progress.SegmentsConfirmed; }
    fire(seg, "segment:saved", { segment: seg.dataset.segment, version: d.version });
  }

  // showFlags replaces the segment's flags by those stored with its new version. A flag
  // dismissed there is dismissed here; dismissing a new one takes a reload (its form is the
  // page's).
  function showFlags(seg, flags) {
    var open = flags.filter(function (f) { return !f.dismissed; });
    seg.dataset.flags = open.length;
    seg.classList.toggle("has-flags", flags.length > 0);
    var ul = seg.querySelector("ul.flags");
    if (!flags.length) { if (ul) ul.remove(); return; }
    if (!ul) {
      var qa = seg.querySelector(".qa");
      if (!qa) { qa = document.createElement("div"); qa.className = "qa"; seg.appendChild(qa); }
      ul = document.createElement("ul");
      ul.className = "flags";
      qa.appendChild(ul);
    }
    ul.textContent = "";
    flags.forEach(function (f) {
      var li = document.createElement("li");
      li.className = "flag flag." + f.kind + (f.dismissed ? " dismissed" : "");
      li.textContent = f.message;
      ul.appendChild(li);
    });
  }

  // moveTo makes version n the one the page shows throughout: the whole-form save, the
  // decision and the dismissals refer to it from now on.
  function moveTo(d) {
    var from = pageVersion, n = d.version;
    var label = document.getElementById("version-label"), author = document.getElementById("version-author"), at = document.getElementById("version-time");
    if (label) label.textContent = d.version_text;
    if (author) author.textContent = d.author;
    if (at) { at.dateTime = d.at; at.textContent = d.at.slice(0, 10) + " " + d.at.slice(11, 16) + " UTC"; }
    pageVersion = n;
    baseInput.value = n;
    document.querySelectorAll("#decide-form input[name=version]").forEach(function (i) { i.value = n; });
    document.querySelectorAll("form[action*='/versions/" + from + "/segments/']").forEach(function (f) {
      f.action = f.action.replace("/versions/" + from + "/", "/versions/" + n + "/");
    });
  }

  // conflict shows, in the segment, her text and what the other person saved, side by side,
  // and lets her choose; until she does, her text stays in the box and in her draft.
  function conflict(seg, mine, status, theirs) {
    setState(seg, "conflict", msg.msgConflict);
    var old = seg.querySelector(".segment-conflict");
    if (old) old.remove();
    var ui = document.getElementById("conflict-template").content.firstElementChild.cloneNode(true);
    ui.querySelector(".side-mine .text").textContent = mine;
    ui.querySelector(".side-theirs .text").textContent = theirs.text;
    ui.querySelector(".side-theirs .by").textContent = "(v" + theirs.version + ", " + theirs.author + ")";
    seg.querySelector(".target").appendChild(ui);
    function choose(text, st) {
      ui.remove();
      seg.dataset.base = theirs.version;
      var box = boxOf(seg);
      if (box.value !== text) { box.value = text; grow(box); }
      save(seg, st);
    }
    ui.querySelector(".keep-mine").addEventListener("click", function () { choose(boxOf(seg).value, status); });
    ui.querySelector(".use-theirs").addEventListener("click", function () { choose(theirs.text, theirs.status); });
    // Her text stays hers until she chooses, across a reload too: kept as her draft from the
    // base she edited it from.
    enqueue(function () {
      return send("PUT", base + "/drafts/" + encodeURIComponent(seg.dataset.segment), { base_version: +seg.dataset.base, text: mine });
    });
  }

  // schedule autosaves a moment after she stops typing, and at least every few seconds while
  // she types on: the draft is never far behind, and the requests keep her session alive.
  var typingSince = new Map();
  function schedule(seg) {
    clearTimeout(timers.get(seg));
    if (!typingSince.has(seg)) typingSince.set(seg, Date.now());
    var wait = Date.now() - typingSince.get(seg) > 5000 ? 0 : 800;
    timers.set(seg, setTimeout(function () { autosave(seg); }, wait));
  }

  function confirmAndNext(seg) {
    var c = seg.querySelector("input[name=seg_confirmed]");
    if (c) c.checked = true;
    save(seg, "confirmed");
    var next = nextSeg(1, function (s) { return s !== seg && unconfirmed(s); });
    if (!next) {
      for (var k = 0; k < segs.length && !next; k++) {
        if (segs[k] !== seg && !segs[k].hidden && unconfirmed(segs[k])) next = segs[k];
      }
    }
    if (next) focusSeg(next);
    else if (notice) notice.textContent = msg.msgAllConfirmed;
  }

  function saveAll() {
    segs.forEach(function (seg) {
      if (unsaved(seg) && seg.dataset.state !== "saving" && seg.dataset.state !== "conflict") save(seg, statusOf(seg));
    });
  }

  boxes.forEach(function (box) {
    var seg = segOf(box);
    box.addEventListener("input", function () {
      seg.classList.add("edited");
      if (seg.dataset.state !== "conflict") setState(seg, "typing", "");
      grow(box);
      keep(seg);
      schedule(seg);
    });
    box.addEventListener("blur", function () { autosave(seg); });
    grow(box);
  });
  form.querySelectorAll("input[name=seg_confirmed]").forEach(function (c) {
    c.addEventListener("change", function () { save(segOf(c), c.checked ? "confirmed" : "draft"); });
  });
  // With the script, Save saves each changed segment in the background: no reload, nothing
  // else of the page moves.
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    saveAll();
  });
  window.addEventListener("beforeunload", function (e) {
    if (segs.some(function (s) { return unsaved(s) && s.dataset.state !== "draft"; })) { e.preventDefault(); e.returnValue = ""; }
  });

  // Drafts autosaved on the server came back in the boxes (data-draft); what this browser kept
  // and the server never got (a crash while signed out or offline) comes back now and is sent.
  segs.forEach(function (seg) {
    if (seg.dataset.draft) setState(seg, "draft", seg.querySelector(".seg-state").textContent);
    var kept = null;
    try { kept = JSON.parse(localStorage.getItem(stored + seg.dataset.segment) || "null"); } catch (e) { /* none */ }
    var box = boxOf(seg);
    if (kept && box && kept.text !== box.value) {
      box.value = kept.text;
      seg.dataset.base = kept.base;
      seg.classList.add("edited");
      setState(seg, "typing", "");
      grow(box);
      schedule(seg);
    } else if (kept) {
      forget(seg);
    }
  });

  // --- Sign-in dialog -----------------------------------------------------------------------

  var dialog = document.getElementById("signin-dialog");
  var signing = null;
  dialog.addEventListener("cancel", function (e) { e.preventDefault(); }); // nothing is saved until she signs in
  // signIn asks her to sign in again without leaving the page; it resolves once she has, with
  // the new session's CSRF token in place, so the waiting saves go out.
  function signIn() {
    if (signing) return signing;
    signing = new Promise(function (resolve) {
      var f = document.getElementById("signin-form");
      var err = document.getElementById("signin-error");
      err.hidden = true;
      f.onsubmit = function (e) {
        e.preventDefault();
        var body = new URLSearchParams({ email: f.email.value, password: f.password.value, next: base + "/session" });
        fetch("/login", { method: "POST", credentials: "same-origin", body: body, headers: { "Accept": "application/json" } })
          .then(function (res) {
            if (res.ok && /\/session$/.test(new URL(res.url).pathname)) return res.json();
            err.textContent = res.status === 429 ? err.dataset.limited : res.status === 503 ? err.dataset.unavailable : err.dataset.bad;
            err.hidden = false;
            return null;
          }, function () { err.textContent = err.dataset.unavailable; err.hidden = false; return null; })
          .then(function (s) {
            if (!s) return;
            useToken(s.csrf_token);
            f.password.value = "";
            dialog.close();
            signing = null;
            resolve();
          });
      };
      dialog.showModal();
      f.password.focus();
    });
    return signing;
  }

  // --- Filters ------------------------------------------------------------------------------

  var tools = document.getElementById("seg-tools");
  if (tools) {
    tools.hidden = false;
    var tests = {
      all: function () { return true; },
      unconfirmed: unconfirmed,
      flagged: flagged,
      comments: function (s) { return +s.dataset.comments > 0; }
    };
    tools.querySelectorAll("[data-filter]").forEach(function (b) {
      b.addEventListener("click", function () {
        tools.querySelectorAll("[data-filter]").forEach(function (o) { o.setAttribute("aria-pressed", String(o === b)); });
        var test = tests[b.dataset.filter];
        segs.forEach(function (s) { s.hidden = !test(s); });
      });
    });
    document.getElementById("next-flagged").addEventListener("click", function () { focusSeg(nextSeg(1, flagged)); });
    document.getElementById("prev-flagged").addEventListener("click", function () { focusSeg(nextSeg(-1, flagged)); });
  }

  if (location.hash === "" && boxes.length > 0 && !document.querySelector(".notice[role=alert]:not([hidden])")) {
    focusSeg(segOf(boxes[0]));
  }
})();
