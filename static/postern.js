// postern.js — progressive enhancement only: every page works without it.
// Copy-to-clipboard buttons next to each setting.
(function () {
  "use strict";
  function copied(button) {
    var label = button.textContent;
    button.textContent = "Copied";
    button.classList.add("done");
    setTimeout(function () { button.textContent = label; button.classList.remove("done"); }, 1500);
  }
  function copy(button) {
    var text = button.getAttribute("data-copy");
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { copied(button); }, function () {});
      return;
    }
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "absolute";
    area.style.left = "-9999px";
    document.body.appendChild(area);
    area.select();
    try { if (document.execCommand("copy")) copied(button); } catch (e) { /* not available */ }
    document.body.removeChild(area);
  }
  // Dates: the server writes them in its own time zone; show the reader's.
  function localDates() {
    var times = document.querySelectorAll("time[datetime]");
    var now = new Date();
    for (var i = 0; i < times.length; i++) {
      var d = new Date(times[i].getAttribute("datetime"));
      if (isNaN(d.getTime())) continue;
      var sameDay = d.toDateString() === now.toDateString();
      var opts = sameDay ? { hour: "2-digit", minute: "2-digit" }
        : d.getFullYear() === now.getFullYear() ? { weekday: "short", day: "numeric", month: "short" }
        : { day: "numeric", month: "short", year: "numeric" };
      if (times[i].closest("dl.headers")) {
        opts = { weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" };
      }
      times[i].textContent = d.toLocaleString(undefined, opts);
      times[i].title = d.toString();
    }
  }
  // The mailbox list stays current: with a live stream (IMAP IDLE pushed
  // as Server-Sent Events) when the server offers one, else by polling the
  // folder's status on the user's schedule; either way, when something
  // changed the list is fetched again and its parts swapped in place,
  // keeping ticked boxes. Without JavaScript a <meta refresh> does it.
  function mailboxLive() {
    var list = document.querySelector("section.list[data-status]");
    if (!list || !window.fetch || !window.DOMParser) return;
    var state = {
      exists: list.getAttribute("data-exists"),
      uidnext: list.getAttribute("data-uidnext"),
      uidvalidity: list.getAttribute("data-uidvalidity")
    };
    var busy = false, again = false;
    function swap(doc, selector) {
      var mine = document.querySelector(selector), theirs = doc.querySelector(selector);
      if (mine && theirs) mine.parentNode.replaceChild(document.importNode(theirs, true), mine);
    }
    function refresh() {
      if (busy) { again = true; return; }
      busy = true;
      var ticked = {};
      var boxes = document.querySelectorAll("section.list input[type=checkbox]:checked");
      for (var i = 0; i < boxes.length; i++) ticked[boxes[i].name + "=" + boxes[i].value] = true;
      fetch(location.href, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
        if (r.redirected || !r.ok) { location.reload(); return null; }
        return r.text();
      }).then(function (html) {
        if (html === null) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.querySelector("section.list[data-status]");
        if (!fresh) return;
        var before = +state.uidnext || 0;
        swap(doc, "nav.folders");
        swap(doc, "section.list p.range");
        swap(doc, "section.list div.rows");
        swap(doc, "section.list nav.pages");
        state.exists = fresh.getAttribute("data-exists");
        state.uidnext = fresh.getAttribute("data-uidnext");
        state.uidvalidity = fresh.getAttribute("data-uidvalidity");
        list.setAttribute("data-exists", state.exists);
        list.setAttribute("data-uidnext", state.uidnext);
        var rows = document.querySelectorAll("section.list tr[data-uid]"), added = 0;
        for (var j = 0; j < rows.length; j++) {
          if (+rows[j].getAttribute("data-uid") >= before && before > 0) { rows[j].classList.add("new"); added++; }
        }
        var again_boxes = document.querySelectorAll("section.list input[type=checkbox]");
        for (var k = 0; k < again_boxes.length; k++)
          if (ticked[again_boxes[k].name + "=" + again_boxes[k].value]) again_boxes[k].checked = true;
        var note = document.querySelector("section.list .live-note");
        if (note && added) note.textContent = added === 1 ? "1 new message" : added + " new messages";
        localDates();
      }).catch(function () { /* offline for a moment: the next change tries again */ })
        .then(function () { busy = false; if (again) { again = false; refresh(); } });
    }
    function changed(s) {
      return String(s.exists) !== String(state.exists) || String(s.uidnext) !== String(state.uidnext) ||
        String(s.uidvalidity) !== String(state.uidvalidity);
    }
    var every = +list.getAttribute("data-refresh") || 0, timer = null;
    function poll() {
      fetch(list.getAttribute("data-status"), { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) { if (s && changed(s)) refresh(); })
        .catch(function () {});
    }
    function schedule() {
      if (every > 0 && timer === null) timer = setInterval(poll, every * 1000);
    }
    var url = list.getAttribute("data-events");
    if (!url || !window.EventSource) { schedule(); return; }
    var es = new EventSource(url);
    list.setAttribute("data-live", "connecting");
    es.addEventListener("hello", function (ev) {
      list.setAttribute("data-live", "on");
      if (timer !== null) { clearInterval(timer); timer = null; }
      try { if (changed(JSON.parse(ev.data))) refresh(); } catch (e) { refresh(); }
    });
    es.addEventListener("mailbox", function () { refresh(); });
    es.addEventListener("signedout", function () { es.close(); location.reload(); });
    es.addEventListener("error", function () {
      // closed for good (no stream offered): fall back to the schedule;
      // otherwise the browser reconnects by itself and polling bridges it
      list.setAttribute("data-live", es.readyState === 2 ? "off" : "reconnecting");
      schedule();
    });
  }
  // A list without live updates (POP3) reloads on the user's schedule.
  function scheduledReload() {
    var el = document.querySelector("section[data-reload]");
    var seconds = el ? +el.getAttribute("data-reload") : 0;
    if (seconds > 0) setTimeout(function () { location.reload(); }, seconds * 1000);
  }
  document.addEventListener("DOMContentLoaded", function () {
    localDates();
    mailboxLive();
    scheduledReload();
    var buttons = document.querySelectorAll("button.copy[data-copy]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].setAttribute("aria-label", "Copy " + buttons[i].getAttribute("data-copy"));
      buttons[i].addEventListener("click", function (ev) { copy(ev.currentTarget); });
    }
  });
})();
