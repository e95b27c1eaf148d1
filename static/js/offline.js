// Working without signal, the page's side: the service worker, the band that says a page
// is the phone's copy, the outbox counter, saving a form into the outbox, sending what
// waits, "Siapkan untuk offline", the unsent page and a clean logout on a shared phone.
// Words come from the page (data- attributes), in the user's language.
(function () {
  "use strict";
  var body = document.body;
  // Without a secure origin (HTTPS, or localhost) there is no cache or service worker: pages work online only.
  if (!body.dataset.user || typeof BkbOutbox === "undefined" || !window.caches || !window.indexedDB) return;
  var user = parseInt(body.dataset.user, 10);
  var PAGES = "bkb-pages";
  BkbOutbox.configure({ status: body.dataset.outboxStatus });

  function ready() {
    // Another cadre's pages are never shown on this phone: a new owner starts empty.
    return BkbOutbox.meta("owner").then(function (owner) {
      if (owner === user) return null;
      return Promise.all([caches.delete(PAGES), BkbOutbox.setMeta("prepared", null)]).then(function () {
        return BkbOutbox.setMeta("owner", user);
      });
    });
  }

  if ("serviceWorker" in navigator && body.dataset.sw) {
    navigator.serviceWorker.register(body.dataset.sw, { scope: "/" }).catch(function () {});
  }

  // "Offline, data from <time>": the page came from the phone's copy.
  var band = document.getElementById("offline-band");
  function showBand() { if (band) band.hidden = !(body.dataset.fromCache || !navigator.onLine); }
  showBand();
  window.addEventListener("offline", showBand);
  window.addEventListener("online", showBand);

  // A kept form for a new entry says the day it was kept: on a later day its date fields start at
  // the phone's today. Edit forms keep their dates: those are the record's, not a default.
  if (body.dataset.fromCache && body.dataset.today) {
    var kept = body.dataset.today;
    var today = BkbOutbox.localDay(new Date());
    if (today > kept) {
      document.querySelectorAll("form[data-outbox][data-new-entry] input[type=date]").forEach(function (box) {
        if (box.max === kept) box.max = today;
        if (box.value === kept) box.value = today;
      });
    }
  }

  var counter = document.getElementById("outbox-count");
  function count() {
    return BkbOutbox.list(user).then(function (entries) {
      if (counter) {
        counter.hidden = entries.length === 0;
        counter.querySelector("[data-n]").textContent = entries.length;
      }
      if (document.getElementById("outbox-list")) showUnsent(entries);
      return entries;
    });
  }
  if (BkbOutbox.channel) BkbOutbox.channel.onmessage = count;

  function send() {
    if (!navigator.onLine) return Promise.resolve();
    return BkbOutbox.replay().catch(function () {}).then(count);
  }
  window.addEventListener("online", send);

  // A save without signal goes into the outbox instead of failing.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-outbox]") || navigator.onLine) return;
    event.preventDefault();
    var url = new URL(form.action, window.location.href);
    BkbOutbox.add(new FormData(form, event.submitter), url.pathname + url.search, form.dataset.outbox)
      .then(function () {
        // Fixed on the unsent page but still no signal: the new entry takes the refused one's place.
        if (form.dataset.fixing) return BkbOutbox.remove(parseInt(form.dataset.fixing, 10));
      })
      .then(function () {
        return navigator.serviceWorker && navigator.serviceWorker.ready.then(function (registration) {
          if (registration.sync) return registration.sync.register("bkb-outbox").catch(function () {});
        });
      })
      .then(function () {
        // A flag, not a query string: the kept copy of the unsent page is under its bare URL.
        sessionStorage.setItem("bkb-outbox-saved", "1");
        window.location.href = body.dataset.outboxUnsent;
      });
  });

  // "Siapkan untuk offline": keep the group's working set on the phone. The server sends the
  // pages in one download (one request, not two hundred, on a weak signal).
  document.querySelectorAll("[data-offline-prepare]").forEach(function (button) {
    var status = document.getElementById(button.dataset.offlineStatus);
    button.addEventListener("click", function () {
      button.disabled = true;
      status.textContent = button.dataset.busy;
      navigator.serviceWorker.ready
        .then(function () { return fetch(button.dataset.offlinePrepare, { headers: { Accept: "application/json" } }); })
        .then(function (response) {
          if (!response.ok || response.redirected) throw new Error(response.status);
          return response.json();
        })
        .then(function (set) {
          return caches.open(PAGES).then(function (cache) {
            return Promise.all(set.pages.map(function (page) {
              return cache.put(page[0], new Response(page[1], { headers: { "Content-Type": "text/html; charset=utf-8" } }));
            }));
          }).then(function () {
            return BkbOutbox.setMeta("prepared", { roster: set.roster, at: set.at, label: set.label });
          }).then(function () {
            status.textContent = button.dataset.done.replace("%(n)s", set.pages.length).replace("%(time)s", set.label);
          });
        })
        .catch(function () { status.textContent = button.dataset.failed; })
        .then(function () { button.disabled = false; });
    });
  });

  // The fallback page (a page the phone does not keep) points back to the kept roster.
  var back = document.getElementById("offline-roster");
  if (back) {
    BkbOutbox.meta("prepared").then(function (prepared) {
      if (prepared && prepared.roster) { back.href = prepared.roster; back.hidden = false; }
    });
  }

  // Logging out on a shared phone: warn about what waits, then leave nothing behind.
  document.querySelectorAll("form[data-logout]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      BkbOutbox.list(user).then(function (entries) {
        if (entries.length && !window.confirm(form.dataset.logout.replace("%(n)s", entries.length))) return;
        return caches.keys()
          .then(function (names) {
            return Promise.all(names.filter(function (name) { return name.indexOf("bkb-") === 0; }).map(function (name) { return caches.delete(name); }));
          })
          .then(BkbOutbox.clear)
          .then(function () { form.submit(); });
      });
    });
  });

  // The unsent page: what waits, and what the server refused, fixed where it is shown.
  var listBox = document.getElementById("outbox-list");
  function showUnsent(entries) {
    var template = document.getElementById("outbox-row");
    var open = listBox.querySelector("[data-fixing]");
    if (open) return;  // never redraw under her fingers while she fixes an entry
    listBox.replaceChildren();
    document.getElementById("outbox-empty").hidden = entries.length > 0;
    entries.forEach(function (entry) {
      var row = template.content.firstElementChild.cloneNode(true);
      row.dataset.entry = entry.id;
      row.querySelector("[data-label]").textContent = entry.label || entry.url;
      row.querySelector("[data-made]").textContent = new Date(entry.made).toLocaleString(document.documentElement.lang);
      var state = row.querySelector("[data-state]");
      state.textContent = state.dataset[entry.state];
      if (entry.state === "refused") {
        state.classList.add("text-bg-danger");
        var page = new DOMParser().parseFromString(entry.html, "text/html");
        var form = page.querySelector("form[data-outbox]");
        var fix = row.querySelector("[data-fix]");
        if (form) {
          // The server's own form, with her values and its messages beside the fields; above it,
          // the messages the page shows outside the form (a session that overlaps another, say).
          var notes = Array.prototype.filter.call(page.querySelectorAll("main .alert"), function (note) {
            return !form.contains(note);
          });
          form.action = entry.url;
          form.dataset.fixing = entry.id;
          fix.replaceChildren.apply(fix, notes.map(function (note) { return document.adoptNode(note); }).concat([document.adoptNode(form)]));
        } else {
          var main = page.querySelector("main");
          fix.textContent = main ? main.textContent.trim().slice(0, 400) : "";
        }
        fix.hidden = false;
      }
      row.querySelector("[data-discard]").addEventListener("click", function () {
        if (window.confirm(listBox.dataset.discard)) BkbOutbox.remove(entry.id).then(count);
      });
      listBox.appendChild(row);
    });
  }
  if (listBox) {
    // The fixed form goes to the server as an ordinary save (or back into the outbox without
    // signal, under a new key); the refused entry it replaces leaves the list.
    listBox.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.dataset.fixing || !navigator.onLine) return;
      event.preventDefault();
      var id = parseInt(form.dataset.fixing, 10);
      var submitter = event.submitter;
      delete form.dataset.fixing;
      BkbOutbox.remove(id).then(function () { form.requestSubmit(submitter); });
    });
    if (sessionStorage.getItem("bkb-outbox-saved")) {
      sessionStorage.removeItem("bkb-outbox-saved");
      document.getElementById("outbox-saved").hidden = false;
    }
  }

  ready().then(count).then(function (entries) {
    if (entries.some(function (entry) { return entry.state === "waiting"; })) return send();
  });
})();
