// Small enhancements only: every page works without this file.
(function () {
  // Roster search as you type: fetch only the results fragment.
  var search = document.querySelector("[data-live-search]");
  if (search) {
    var target = document.getElementById(search.dataset.liveSearch);
    var timer;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        // Send the whole form so other filters (e.g. "perlu perhatian") stay on.
        var url = search.form.action + "?" + new URLSearchParams(new FormData(search.form)).toString();
        fetch(url, { headers: { "X-Partial": "1" } })
          .then(function (r) { return r.text(); })
          .then(function (html) { target.innerHTML = html; history.replaceState(null, "", url); });
      }, 250);
    });
  }
  // Formsets: "add another" clones the empty form template.
  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    var prefix = button.dataset.formsetAdd;
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(prefix + "-empty");
    var list = document.getElementById(prefix + "-list");
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, index).replace(/__num__/g, index + 1);
      list.insertAdjacentHTML("beforeend", html);
      total.value = index + 1;
      var first = list.lastElementChild.querySelector("input:not([type=hidden]), select, textarea");
      if (first) first.focus();
    });
  });
  // Copy buttons (WhatsApp text).
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var source = document.getElementById(button.dataset.copy);
      navigator.clipboard.writeText(source.value || source.textContent).then(function () {
        button.textContent = button.dataset.copied || "OK";
      });
    });
  });
})();
// Session screen: the member list depends on the date, so a new date reloads
// it (only while nothing is ticked yet: never throw away what was typed).
(function () {
  var box = document.querySelector("[data-reload-date] input[type=date]");
  if (!box) return;
  box.addEventListener("change", function () {
    // A year still being typed ("0002-11-24") is no date to reload for.
    if (!box.value || box.value < "1900" || box.form.querySelector("input[name=hadir]:checked")) return;
    // Without signal the list of that date cannot be fetched: the kept list stays.
    if (!navigator.onLine) return;
    var url = new URL(window.location.href);
    url.searchParams.set("tanggal", box.value);
    window.location.href = url.toString();
  });
})();
// Progress bars take their width from data-percent: the CSP refuses style="" in the page.
document.querySelectorAll(".progress-bar[data-percent]").forEach(function (bar) {
  bar.style.width = bar.dataset.percent + "%";
});
// Batch print: poll the job until it is done, moving the progress bar.
(function () {
  var box = document.getElementById("batch");
  if (!box || box.dataset.status === "done" || box.dataset.status === "failed") return;
  var bar = document.getElementById("batch-bar");
  function poll() {
    fetch(box.dataset.url, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        bar.style.width = job.percent + "%";
        bar.textContent = job.percent + "%";
        bar.parentElement.setAttribute("aria-valuenow", job.percent);
        document.getElementById("batch-count").textContent = job.done + "/" + job.total;
        document.getElementById("batch-label").firstChild.textContent = job.label + " · ";
        if (job.status === "done") { document.getElementById("batch-links").hidden = false; box.dataset.status = "done"; }
        // Failed (a stopped worker too): the page itself says why and offers the retry.
        else if (job.status === "failed") { window.location.reload(); }
        else { setTimeout(poll, 1000); }
      });
  }
  poll();
})();
// A report table wider than the phone scrolls inside itself (bkb.css): let the
// keyboard reach it too, so it can be scrolled without a finger.
(function () {
  document.querySelectorAll(".report-preview table").forEach(function (table) {
    if (table.scrollWidth > table.clientWidth + 1) table.tabIndex = 0;
  });
})();

// KKA first check: "whole band done" ticks the band's tasks (the server
// reads the band box itself, so this is only what the cadre sees); after a
// refused save, bring the message into view.
(function () {
  document.querySelectorAll("[data-band-all]").forEach(function (all) {
    var section = all.closest("[data-band]");
    var items = section.querySelectorAll("input[data-band-item]");
    all.addEventListener("change", function () {
      items.forEach(function (box) { box.checked = all.checked; });
    });
    // Unticking one task means the band is not all done: the server must not read it so.
    items.forEach(function (box) {
      box.addEventListener("change", function () { if (!box.checked) all.checked = false; });
    });
  });
  var errors = document.getElementById("kka-errors");
  if (errors && !document.querySelector("[autofocus]")) {
    errors.setAttribute("tabindex", "-1");
    errors.focus();
  }
})();

// One tap, one save: while a form is being sent its buttons are disabled and a
// second submit is dropped (the server's one-time token catches what gets through).
(function () {
  var BUTTONS = "button:not([type]), button[type=submit], input[type=submit]";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return;
    if (form.dataset.sending) { event.preventDefault(); return; }
    // Run after every other submit handler: a confirm step that says no leaves the form as it was.
    // By then the browser has read the form's data, pressed button (e.g. action=verify) included,
    // so disabling the buttons takes nothing away from what is sent.
    setTimeout(function () {
      if (event.defaultPrevented) return;
      form.dataset.sending = "1";
      form.querySelectorAll(BUTTONS).forEach(function (b) { b.disabled = true; b.setAttribute("aria-busy", "true"); });
      // No answer after a while (lost signal): let her try again; the token keeps it to one save.
      setTimeout(function () { release(form); }, 20000);
    }, 0);
  });
  function release(form) {
    delete form.dataset.sending;
    form.querySelectorAll(BUTTONS).forEach(function (b) { b.disabled = false; b.removeAttribute("aria-busy"); });
  }
  // Back to a page from the browser's cache: its forms are usable again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) document.querySelectorAll("form[data-sending]").forEach(release);
  });
})();
