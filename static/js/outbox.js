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

  // A form's fields as the server would have had them, with a key of its own:
  // a page kept on the phone carries one token, and two saves from it must stay two.
  function bodyOf(fields) {
    var params = new URLSearchParams();
    var key = newKey();
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

  function list(user) {
    return run("outbox", "readonly", function (store) { return store.getAll(); }).then(function (all) {
      return all.filter(function (entry) { return entry.user === user; });
    });
  }

  function put(entry) { return run("outbox", "readwrite", function (store) { return store.put(entry); }).then(changed); }
  function remove(id) { return run("outbox", "readwrite", function (store) { return store.delete(id); }).then(changed); }
  function meta(key) { return run("meta", "readonly", function (store) { return store.get(key); }); }
  function setMeta(key, value) { return run("meta", "readwrite", function (store) { return store.put(value, key); }); }

  function clear() {
    return run("outbox", "readwrite", function (store) { return store.clear(); })
      .then(function () { return run("meta", "readwrite", function (store) { return store.clear(); }); })
      .then(changed);
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
      throw new Error("try again later (" + response.status + ")");
    });
  }

  return {
    configure: function (options) { Object.assign(config, options); },
    add: add, addRequest: addRequest, list: list, put: put, remove: remove, clear: clear,
    meta: meta, setMeta: setMeta, replay: replay, channel: channel, localDay: localDay,
  };
})();
