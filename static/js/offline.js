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
  var SHELLS = [body.dataset.outboxUnsent, body.dataset.offlineFallback];
  BkbOutbox.configure({ status: body.dataset.outboxStatus, tz: body.dataset.tz });

  function ready() {
    // Another cadre's pages are never shown on this phone: a new owner starts empty.
    return BkbOutbox.meta("owner").then(function (owner) {
      if (owner === user) return null;
      return Promise.all([caches.delete(PAGES), BkbOutbox.setMeta("prepared", null)]).then(function () {
        return BkbOutbox.setMeta("owner", user);
      });
    });
  }

  // The service worker, without ever waiting on it for long: a phone where it failed to install
  // still saves into the outbox and still gets to the unsent page.
  if ("serviceWorker" in navigator && body.dataset.sw) {
    navigator.serviceWorker.register(body.dataset.sw, { scope: "/" }).catch(function () {});
  }
  function workerReady(ms) {
    if (!("serviceWorker" in navigator)) return Promise.resolve(null);
    return Promise.race([
      navigator.serviceWorker.ready,
      new Promise(function (resolve) { setTimeout(function () { resolve(null); }, ms); }),
    ]);
  }

  // "Offline, data from <time>": the page came from the phone's copy.
  var band = document.getElementById("offline-band");
  function showBand() { if (band) band.hidden = !(body.dataset.fromCache || !navigator.onLine); }
  showBand();
  window.addEventListener("offline", showBand);
  window.addEventListener("online", showBand);

  if (body.dataset.fromCache) {
    // A kept page carries the one-time key it was kept with: each opening of it is a new entry.
    document.querySelectorAll("input[name=once]").forEach(function (box) { box.value = BkbOutbox.newKey(); });
    // A kept form for a new entry says the day it was kept: on a later day its date fields start at
    // the phone's today. Edit forms keep their dates: those are the record's, not a default.
    var kept = body.dataset.today;
    var today = BkbOutbox.localDay(new Date());
    if (kept && today > kept) {
      document.querySelectorAll("form[data-outbox][data-new-entry] input[type=date]").forEach(function (box) {
        if (box.max === kept) box.max = today;
        if (box.value === kept) box.value = today;
      });
    }
  }

  var counter = document.getElementById("outbox-count");
  function count(force) {
    return BkbOutbox.list(user).then(function (entries) {
      if (counter) {
        counter.hidden = entries.length === 0;
        counter.querySelector("[data-n]").textContent = entries.length;
      }
      if (listBox) showUnsent(entries, force);
      return entries;
    });
  }
  if (BkbOutbox.channel) BkbOutbox.channel.onmessage = function () { count(false); };

  function send() {
    if (!navigator.onLine) return Promise.resolve();
    return BkbOutbox.replay().catch(function () {}).then(function () { return count(false); });
  }
  window.addEventListener("online", send);

  function queued() {
    return workerReady(2000).then(function (registration) {
      if (registration && registration.sync) return registration.sync.register("bkb-outbox").catch(function () {});
    });
  }

  // A save without signal goes into the outbox instead of failing.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-outbox]") || navigator.onLine || form.dataset.fixing) return;
    event.preventDefault();
    // One tap, one entry: a second submit while the first is being stored is dropped.
    if (form.dataset.queued) return;
    form.dataset.queued = "1";
    var url = new URL(form.action, window.location.href);
    BkbOutbox.add(new FormData(form, event.submitter), url.pathname + url.search, form.dataset.outbox, true)
      .then(queued)
      .then(function () { return caches.match(body.dataset.outboxUnsent, { ignoreVary: true }); })
      .then(function (unsentKept) {
        if (!unsentKept) {
          // The unsent page is not on the phone yet (a first visit): say it here, and stay.
          delete form.dataset.queued;
          window.alert(body.dataset.outboxSavedHere);
          return;
        }
        // A flag, not a query string: the kept copy of the unsent page is under its bare URL.
        sessionStorage.setItem("bkb-outbox-saved", "1");
        window.location.href = body.dataset.outboxUnsent;
      })
      .catch(function () {
        delete form.dataset.queued;
        window.alert(body.dataset.outboxFailed);
      });
  });

  // "Siapkan untuk offline": keep the group's working set on the phone. The server sends the
  // pages in one download (one request, not two hundred, on a weak signal).
  document.querySelectorAll("[data-offline-prepare]").forEach(function (button) {
    var status = document.getElementById(button.dataset.offlineStatus);
    button.addEventListener("click", function () {
      button.disabled = true;
      status.textContent = button.dataset.busy;
      var policy = null;
      workerReady(5000)
        .then(function () { return fetch(button.dataset.offlinePrepare, { headers: { Accept: "application/json" } }); })
        .then(function (response) {
          if (!response.ok || response.redirected) throw new Error(response.status);
          policy = response.headers.get("Content-Security-Policy");
          return response.json();
        })
        .then(function (set) {
          var headers = { "Content-Type": "text/html; charset=utf-8" };
          // A kept page keeps the page's rules: scripts from the site only.
          if (policy) headers["Content-Security-Policy"] = policy;
          var wanted = set.pages.map(function (page) { return page[0]; });
          var listed = "set-" + set.group;
          return caches.open(PAGES).then(function (cache) {
            return Promise.all(set.pages.map(function (page) {
              return cache.put(page[0], new Response(page[1], { headers: headers }));
            })).then(function () {
              // What left this group's working set since it was last prepared (a family moved away,
              // a child turned six) leaves the phone; another group's pages stay.
              return BkbOutbox.meta(listed).then(function (before) {
                return Promise.all((before || []).filter(function (url) {
                  return wanted.indexOf(url) < 0 && SHELLS.indexOf(url) < 0;
                }).map(function (url) { return cache.delete(url); }));
              });
            }).then(function () { return BkbOutbox.setMeta(listed, wanted); });
          }).then(function () {
            return BkbOutbox.setMeta("prepared", { roster: set.roster, at: set.at, label: set.label });
          }).then(function () {
            // Ask the phone not to clear this under storage pressure (cheap phones do).
            if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(function () {});
            status.textContent = button.dataset.done.replace("%(n)s", set.pages.length).replace("%(time)s", set.label);
          });
        })
        .catch(function () { status.textContent = button.dataset.failed; })
        .then(function () { button.disabled = false; });
    });
  });

  // With signal, keep the unsent page and the fallback, so that a save without signal always
  // has somewhere to land, prepared or not.
  function keepShells() {
    if (!navigator.onLine || body.dataset.fromCache) return Promise.resolve();
    return caches.open(PAGES).then(function (cache) {
      return Promise.all(SHELLS.map(function (url) {
        return cache.match(url, { ignoreVary: true }).then(function (found) {
          if (found) return null;
          return fetch(url, { credentials: "same-origin", headers: { "X-Bkb-Keeping": "1" } }).then(function (response) {
            if (response.ok && !response.redirected) return cache.put(url, response);
          });
        });
      }));
    }).catch(function () {});
  }

  // The fallback page (a page the phone does not keep) points back to the kept roster.
  var back = document.getElementById("offline-roster");
  if (back) {
    BkbOutbox.meta("prepared").then(function (prepared) {
      if (!prepared || !prepared.roster) return;
      return caches.match(prepared.roster, { ignoreVary: true }).then(function (found) {
        if (found) { back.href = prepared.roster; back.hidden = false; }
      });
    });
  }

  // Logging out on a shared phone: warn about what waits; log out at the server first, and only
  // then leave nothing of hers behind (a logout lost on a weak signal must not empty the phone
  // while she is still logged in).
  function clearPhone() {
    return caches.keys()
      .then(function (names) {
        return Promise.all(names.filter(function (name) { return name.indexOf("bkb-") === 0; }).map(function (name) {
          return caches.delete(name);
        }));
      })
      .then(function () { return BkbOutbox.forget(user); })
      .catch(function () {});
  }
  document.querySelectorAll("form[data-logout]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (form.dataset.leaving) return;
      BkbOutbox.list(user)
        .catch(function () { return []; })
        .then(function (entries) {
          if (entries.length && !window.confirm(form.dataset.logout.replace("%(n)s", entries.length))) return;
          form.dataset.leaving = "1";
          return fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin", redirect: "manual" })
            .then(function (response) {
              if (response.type !== "opaqueredirect" && !response.ok) throw new Error(response.status);
              return clearPhone().then(function () { window.location.href = form.dataset.loggedOut; });
            })
            .catch(function () {
              delete form.dataset.leaving;
              window.alert(form.dataset.logoutOffline);
            });
        });
    });
  });

  // The unsent page: what waits, and what the server refused, fixed where it is shown.
  var listBox = document.getElementById("outbox-list");
  function showUnsent(entries, force) {
    // Never redraw under her fingers while she fixes an entry.
    if (listBox.dataset.edited && !force) return;
    delete listBox.dataset.edited;
    var template = document.getElementById("outbox-row");
    listBox.replaceChildren();
    document.getElementById("outbox-empty").hidden = entries.length > 0;
    entries.forEach(function (entry) {
      var row = template.content.firstElementChild.cloneNode(true);
      row.dataset.entry = entry.id;
      row.querySelector("[data-label]").textContent = entry.label || entry.url;
      row.querySelector("[data-made]").textContent = new Date(entry.made).toLocaleString(document.documentElement.lang);
      var state = row.querySelector("[data-state]");
      state.textContent = entry.state === "waiting" && entry.problem ? state.dataset.retrying : state.dataset[entry.state];
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
          notes.concat([form]).forEach(function (node) { fix.appendChild(document.adoptNode(node)); });
        } else {
          var main = page.querySelector("main");
          fix.textContent = main ? main.textContent.trim().slice(0, 400) : "";
        }
        fix.hidden = false;
      }
      row.querySelector("[data-discard]").addEventListener("click", function () {
        if (window.confirm(listBox.dataset.discard)) BkbOutbox.remove(entry.id).then(function () { return count(true); });
      });
      listBox.appendChild(row);
    });
  }
  if (listBox) {
    listBox.addEventListener("input", function () { listBox.dataset.edited = "1"; });
    // A fixed entry goes back into the outbox under its own key and is sent from there: it leaves
    // the phone only when the server has it (or refuses it again, with the new messages).
    listBox.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.dataset.fixing) return;
      event.preventDefault();
      if (form.dataset.queued) return;
      form.dataset.queued = "1";
      var id = parseInt(form.dataset.fixing, 10);
      var sent = document.getElementById("outbox-sent");
      var saved = document.getElementById("outbox-saved");
      sent.hidden = saved.hidden = true;
      BkbOutbox.resubmit(id, new FormData(form, event.submitter))
        .then(function () { return navigator.onLine ? BkbOutbox.replay().catch(function () {}) : queued(); })
        .then(function () { return count(true); })
        .then(function (entries) {
          var entry = entries.filter(function (each) { return each.id === id; })[0];
          // Sent; or waiting for signal; or refused again: then the list shows the new messages.
          if (!entry) sent.hidden = false;
          else if (entry.state === "waiting") saved.hidden = false;
        })
        .catch(function () { delete form.dataset.queued; return count(true); });
    });
    if (sessionStorage.getItem("bkb-outbox-saved")) {
      sessionStorage.removeItem("bkb-outbox-saved");
      document.getElementById("outbox-saved").hidden = false;
    }
  }

  ready().then(function () { return count(true); }).then(function (entries) {
    keepShells().then(function () { window.bkbShellsKept = true; });
    if (entries.some(function (entry) { return entry.state === "waiting"; })) return send();
  });
})();
