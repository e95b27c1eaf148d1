// The outbox: saves made without signal, kept on the phone (IndexedDB) until the
// server has them. Used by the pages (offline.js) and by the service worker, so
// nothing here touches the page.
//
// An entry is one form's POST: {id, user, url, body, key, label, made, state,
// html, status}. `key` is the one-time token in the body's `once` field: the
// server accepts each key once (groups.once), so sending an entry again after an
// answer was lost never saves twice. Entries go out in the order they were made.
var BkbOutbox = (function () {
  "use strict";
  var DB = "bkb-offline";
  var config = { status: "/luring/status/" };
  var channel = typeof BroadcastChannel === "function" ? new BroadcastChannel("bkb-outbox") : null;

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore("outbox", { keyPath: "id", autoIncrement: true });
        request.result.createObjectStore("meta");
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  // One transaction; resolves with what `work` returned (an IDBRequest's result) once it is on disk.
  function run(store, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(store, mode);
        var request = work(tx.objectStore(store));
        tx.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function changed() { if (channel) channel.postMessage("changed"); }

  function newKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // A form's fields as the server would have had them. The key is the form's own one-time key
  // (a kept page gets a fresh one each time it is opened, offline.js): a save that may already
  // have reached the server keeps its key, so sending it again cannot save it twice.
  function bodyOf(fields) {
    var params = new URLSearchParams();
    var posted = fields.get("once");
    var key = typeof posted === "string" && /^[0-9a-f]{32}$/.test(posted) ? posted : newKey();
    fields.forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || name === "once" || name === "dibuat" || typeof value !== "string") return;
      params.append(name, value);
    });
    params.append("once", key);
    // The day it was made: a KKA check sent tomorrow still belongs to today (bkb.offline.entry_day).
    params.append("dibuat", localDay(new Date()));
    return { body: params.toString(), key: key };
  }

  function localDay(date) {
    function pad(n) { return ("0" + n).slice(-2); }
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate());
  }

  function add(fields, url, label) {
    return meta("owner").then(function (user) {
      var made = bodyOf(fields);
      var entry = {
        user: user, url: url, body: made.body, key: made.key, label: label || "",
        made: new Date().toISOString(), state: "waiting",
      };
      return run("outbox", "readwrite", function (store) { return store.add(entry); });
    }).then(function (id) { changed(); return id; });
  }

  // The service worker's way in: a form POST that found no network.
  function addRequest(request) {
    var url = new URL(request.url);
    return request.formData().then(function (fields) { return add(fields, url.pathname + url.search, ""); });
  }

  // A refused entry, fixed on the unsent page: its new values wait again under the same key.
  function resubmit(id, fields) {
    return run("outbox", "readonly", function (store) { return store.get(id); }).then(function (entry) {
      var made = bodyOf(fields);
      var day = new URLSearchParams(entry.body).get("dibuat");
      var params = new URLSearchParams(made.body);
      if (day) params.set("dibuat", day);
      entry.body = params.toString();
      entry.key = made.key;
      entry.state = "waiting";
      delete entry.html;
      delete entry.problem;
      return put(entry);
    });
  }

  function list(user) {
    return run("outbox", "readonly", function (store) { return store.getAll(); }).then(function (all) {
      return all.filter(function (entry) { return entry.user === user; });
    });
  }

  function put(entry) { return run("outbox", "readwrite", function (store) { return store.put(entry); }).then(changed); }
  function remove(id) { return run("outbox", "readwrite", function (store) { return store.delete(id); }).then(changed); }
  function meta(key) { return run("meta", "readonly", function (store) { return store.get(key); }); }
  function setMeta(key, value) { return run("meta", "readwrite", function (store) { return store.put(value, key); }); }

  // Logging out: her entries and what the phone knows of her go; another cadre's waiting
  // entries (her session ran out without a logout) stay for her next login.
  function forget(user) {
    return locked(function () {
      return run("outbox", "readwrite", function (store) {
        var cursor = store.openCursor();
        cursor.onsuccess = function () {
          var found = cursor.result;
          if (!found) return;
          if (found.value.user === user) found.delete();
          found.continue();
        };
        return null;
      }).then(function () { return run("meta", "readwrite", function (store) { return store.clear(); }); });
    }).then(changed);
  }

  function locked(work) {
    // Pages and the service worker may replay at the same moment: one at a time.
    if (typeof navigator !== "undefined" && navigator.locks) return navigator.locks.request("bkb-outbox", work);
    return work();
  }

  // Send what waits, oldest first. Rejects when the network or the server failed,
  // so that Background Sync tries again later; a refused entry is kept for the unsent page.
  function replay() {
    return locked(function () {
      return fetch(config.status, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok || response.redirected) throw new Error("not logged in (" + response.status + ")");
          return response.json();
        })
        .then(function (me) {
          return list(me.user).then(function (entries) {
            var waiting = entries.filter(function (entry) { return entry.state === "waiting"; });
            return waiting.reduce(function (previous, entry) {
              return previous.then(function () { return send(entry, me.csrf); });
            }, Promise.resolve());
          });
        });
    });
  }

  function send(entry, csrf) {
    return fetch(entry.url, {
      method: "POST",
      body: entry.body,
      credentials: "same-origin",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": csrf, "X-Bkb-Outbox": "1" },
    }).then(function (response) {
      var outcome = response.headers.get("X-Bkb-Outbox");
      if (outcome === "saved") return remove(entry.id);
      if (outcome === "refused") {
        return response.text().then(function (html) {
          entry.state = "refused";
          entry.status = response.status;
          entry.html = html;
          return put(entry);
        });
      }
      // The server could not take it now (busy, down, logged out): it waits, and says so.
      entry.problem = response.status;
      return put(entry).then(function () { throw new Error("try again later (" + response.status + ")"); });
    });
  }

  return {
    configure: function (options) { Object.assign(config, options); },
    add: add, addRequest: addRequest, resubmit: resubmit, list: list, put: put, remove: remove, forget: forget,
    meta: meta, setMeta: setMeta, replay: replay, channel: channel, localDay: localDay, newKey: newKey,
  };
})();
