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
  document.addEventListener("DOMContentLoaded", function () {
    localDates();
    var buttons = document.querySelectorAll("button.copy[data-copy]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].setAttribute("aria-label", "Copy " + buttons[i].getAttribute("data-copy"));
      buttons[i].addEventListener("click", function (ev) { copy(ev.currentTarget); });
    }
  });
})();
