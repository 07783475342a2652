/* faqbot console: live inbox (polling), an optional sound, KB search in the reply box.
   Plain JavaScript, no build step; every page works without it. */
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function beep() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      var ctx = new Ctx(), osc = ctx.createOscillator(), gain = ctx.createGain();
      osc.frequency.value = 660; gain.gain.value = 0.05;
      osc.connect(gain); gain.connect(ctx.destination);
      osc.start(); osc.stop(ctx.currentTime + 0.15);
    } catch (e) { /* no audio: the badge still shows */ }
  }

  function inbox(table) {
    var body = document.getElementById("inbox-rows");
    var badge = document.getElementById("inbox-new");
    var count = document.getElementById("inbox-count");
    var empty = document.getElementById("inbox-empty");
    var sound = document.getElementById("inbox-sound");
    var known = {}, fresh = 0;
    Array.prototype.forEach.call(body.querySelectorAll("tr[data-id]"), function (tr) { known[tr.dataset.id] = true; });
    // The sound is a preference of this browser (never the key: that lives only in the session cookie).
    sound.checked = localStorage.getItem("faqbot-console:sound") === "1";
    sound.addEventListener("change", function () { localStorage.setItem("faqbot-console:sound", sound.checked ? "1" : "0"); });
    function tick() {
      fetch(table.dataset.rows + window.location.search, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (r.redirected || !r.ok) throw new Error(r.status); return r.json(); })
        .then(function (d) {
          var added = d.ids.filter(function (id) { return !known[id]; });
          if (added.length) {
            fresh += added.length;
            badge.textContent = badge.dataset.template.replace("{n}", fresh);
            if (sound.checked) beep();
          }
          known = {}; d.ids.forEach(function (id) { known[id] = true; });
          var tpl = document.createElement("template");
          tpl.innerHTML = d.html; // server-rendered and escaped by Jinja
          body.replaceChildren(tpl.content);
          count.textContent = count.dataset.template.replace("{n}", d.count);
          empty.hidden = d.count > 0;
        })
        .catch(function () { /* signed out or offline: try again next time */ })
        .then(function () { setTimeout(tick, Number(table.dataset.poll || 5000)); });
    }
    setTimeout(tick, Number(table.dataset.poll || 5000));
    document.addEventListener("visibilitychange", function () { if (!document.hidden) { fresh = 0; badge.textContent = ""; } });
  }

  function kbSearch(box) {
    box.hidden = false;
    var input = document.getElementById("kb-query"), go = document.getElementById("kb-go");
    var list = document.getElementById("kb-hits"), status = document.getElementById("kb-status");
    var reply = document.getElementById("reply-text");
    function search() {
      var q = input.value.trim();
      if (!q) return;
      fetch("/v1/search", { method: "POST", credentials: "same-origin",
                            headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
                            body: JSON.stringify({ query: q, lang: box.dataset.lang, k: 5 }) })
        .then(function (r) { return r.json(); })
        .then(function (d) {
          list.replaceChildren();
          (d.hits || []).forEach(function (hit) {
            var li = document.createElement("li");
            var title = document.createElement("span");
            title.textContent = hit.title; title.lang = hit.lang;
            var add = document.createElement("button");
            add.type = "button"; add.textContent = box.dataset.insert;
            add.setAttribute("aria-label", box.dataset.insert + ": " + hit.title);
            add.addEventListener("click", function () {
              var link = hit.url ? "[" + hit.title + "](" + hit.url + ")" : hit.title;
              var at = reply.selectionStart || reply.value.length;
              reply.value = reply.value.slice(0, at) + (at && !/\s$/.test(reply.value.slice(0, at)) ? " " : "") + link + reply.value.slice(at);
              reply.focus();
            });
            li.append(title, add); list.append(li);
          });
          status.textContent = d.hits && d.hits.length ? box.dataset.hits.replace("{n}", d.hits.length) : box.dataset.none;
        });
    }
    go.addEventListener("click", search);
    input.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); search(); } });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var table = document.getElementById("inbox");
    if (table) inbox(table);
    var box = document.querySelector(".kb[data-lang]");
    if (box) kbSearch(box);
    var status = document.getElementById("status");
    // After an action the page says what happened: move focus there so a screen reader reads it.
    if (status && status.textContent.trim()) { status.setAttribute("tabindex", "-1"); status.focus(); }
  });
})();
