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
  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("button.copy[data-copy]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].setAttribute("aria-label", "Copy " + buttons[i].getAttribute("data-copy"));
      buttons[i].addEventListener("click", function (ev) { copy(ev.currentTarget); });
    }
  });
})();
