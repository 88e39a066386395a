// compose.js — progressive enhancement for /mail/compose: the form works
// without it (every submit saves a draft). With it, the draft is saved in
// the background after every data-autosave seconds of typing (also across
// an ended session, once the person has signed in again), and a file over
// the size limit is named before it is uploaded.
(function () {
  "use strict";
  var form = document.querySelector("form.compose-form");
  if (!form || !window.fetch || !window.FormData || !window.DOMParser) return;
  var seconds = parseInt(form.getAttribute("data-autosave"), 10) || 30;
  var maxFile = parseInt(form.getAttribute("data-max-attachment"), 10) || 0;
  var status = document.getElementById("autosave-status");
  var dirty = false, busy = false, submitting = false;

  function say(text) { if (status) status.textContent = text; }

  // Takes what the server answered: the new draft's number and its list
  // of attachments (files just uploaded now live in the draft).
  function adopt(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var answered = doc.querySelector("form.compose-form");
    if (!answered) return false;
    var draft = answered.querySelector("input[name=draft]");
    if (draft && draft.value) {
      var mine = form.querySelector("input[name=draft]");
      if (!mine) {
        mine = document.createElement("input");
        mine.type = "hidden";
        mine.name = "draft";
        form.insertBefore(mine, form.firstChild);
      }
      mine.value = draft.value;
    }
    var box = form.querySelector("#attachments"), theirs = answered.querySelector("#attachments");
    var input = form.querySelector("#attach");
    if (box && theirs && input && input.files && input.files.length > 0) {
      box.innerHTML = theirs.innerHTML;   // the server's own escaped markup
      watchFiles();
    } else if (box && theirs) {
      var list = theirs.querySelector("#attached"), old = box.querySelector("#attached");
      if (old && list) old.innerHTML = list.innerHTML;
      else if (list) box.innerHTML = theirs.innerHTML;
    }
    var note = doc.querySelector("#draft-status");
    say(note ? note.textContent : "Draft saved.");
    return true;
  }

  // After the session ended (401/403 on a save), each later round asks the
  // server for a fresh form: once the person has signed in again (in
  // another tab), its CSRF and send tokens replace the stale ones and the
  // draft is saved; nothing typed here is lost meanwhile.
  var ended = false;
  function renewTokens() {
    return fetch("/mail/compose", { credentials: "same-origin", redirect: "manual" })
      .then(function (r) { return r.status === 200 ? r.text() : null; })
      .then(function (html) {
        if (!html) return false;
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.querySelector("form.compose-form");
        if (!fresh) return false;
        ["csrf", "token"].forEach(function (name) {
          var from = fresh.querySelector("input[name=" + name + "]"), to = form.querySelector("input[name=" + name + "]");
          if (from && to) to.value = from.value;
        });
        return true;
      })
      .catch(function () { return false; });
  }

  function save() {
    if (!dirty || busy || submitting) return;
    busy = true;
    var ready = ended ? renewTokens() : Promise.resolve(true);
    ready.then(function (ok) {
      if (!ok) { busy = false; return; }
      ended = false;
      dirty = false;
      var data = new FormData(form);
      data.set("op", "save");
      say("Saving draft…");
      return fetch(form.getAttribute("action"), { method: "POST", body: data, credentials: "same-origin" })
        .then(function (r) { return r.text().then(function (t) { return { status: r.status, ok: r.ok, text: t }; }); })
        .then(function (r) {
          if (r.status === 401 || r.status === 403) {
            ended = true;
            dirty = true;
            say("Your session has ended. Sign in again in another tab: what you typed stays here and is saved as soon as you are back.");
          } else if (!r.ok || !adopt(r.text)) {
            dirty = true;
            say("The draft could not be saved just now; it will be tried again.");
          }
        })
        .catch(function () { dirty = true; say("The draft could not be saved just now; it will be tried again."); })
        .then(function () { busy = false; });
    });
  }

  function watchFiles() {
    var input = form.querySelector("#attach");
    if (!input) return;
    input.addEventListener("change", function () {
      dirty = true;
      var too = [];
      for (var i = 0; i < input.files.length; i++)
        if (maxFile && input.files[i].size > maxFile) too.push(input.files[i].name);
      var note = form.querySelector("#err-attach-js");
      if (!note) {
        note = document.createElement("span");
        note.id = "err-attach-js";
        note.className = "field-error";
        input.parentNode.appendChild(note);
      }
      note.textContent = too.length ? "Too large to attach: " + too.join(", ") : "";
    });
  }

  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("submit", function () { submitting = true; });
  watchFiles();
  setInterval(save, seconds * 1000);
})();
