// The console's own script: live SLA countdowns, forms that submit once, the campaign's live preview.
(function () {
  "use strict";

  // Countdowns run from the server's due time; the offset between the server's clock and this
  // browser's is measured once from data-server-now, so a wrong desktop clock shows the right time.
  function format(seconds) {
    var late = seconds < 0, s = Math.abs(seconds);
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    var text = (h ? h + ":" : "") + String(m).padStart(h ? 2 : 1, "0") + ":" + String(r).padStart(2, "0");
    return (late ? "-" : "") + text;
  }

  function startCountdowns() {
    var clocks = document.querySelectorAll(".countdown[data-due]");
    if (!clocks.length) return;
    var serverNow = Date.parse(clocks[0].getAttribute("data-server-now"));
    var skew = isNaN(serverNow) ? 0 : serverNow - Date.now();
    function tick() {
      var now = Date.now() + skew;
      clocks.forEach(function (el) {
        var left = Math.round((Date.parse(el.getAttribute("data-due")) - now) / 1000);
        el.querySelector(".clock").textContent = format(left);
        el.classList.toggle("late", left < 0);
      });
    }
    tick();
    window.setInterval(tick, 1000);
  }

  // A second click while the first request is on its way sends nothing (the server is safe anyway).
  function submitOnce() {
    document.querySelectorAll("form.once").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.sent) { event.preventDefault(); return; }
        form.dataset.sent = "1";
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.setAttribute("aria-busy", "true"); });
      });
    });
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }

  function livePreview() {
    var form = document.getElementById("campaign-form");
    var target = document.getElementById("live-preview");
    if (!form || !target) return;
    var timer = null, asked = 0;
    function refresh() {
      var params = new URLSearchParams(new FormData(form));
      params.delete("csrf_token");
      params.delete("template");
      var mine = ++asked;
      fetch(form.dataset.preview + "?" + params.toString(), {credentials: "same-origin"})
        .then(function (r) { return r.text(); })
        .then(function (html) { if (mine === asked) target.innerHTML = html; });
    }
    form.addEventListener("input", function () { window.clearTimeout(timer); timer = window.setTimeout(refresh, 300); });
    form.addEventListener("change", refresh);
    refresh();
  }

  document.addEventListener("DOMContentLoaded", function () {
    startCountdowns();
    submitOnce();
    livePreview();
  });
})();
