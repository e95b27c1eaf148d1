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
  var config = { status: "/luring/status/", tz: "Asia/Jakarta" };
  var GIVE_UP_AFTER = 5;
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
        var request;
        tx.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
        // A failed request aborts the transaction: its error is known by then.
        tx.onabort = function () { db.close(); reject(tx.error || new Error("IndexedDB transaction aborted")); };
        try {
          request = work(tx.objectStore(store));
        } catch (error) {
          tx.abort();
          reject(error);
        }
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

  // The day in the app's time zone (the server's, WIB), whatever zone the phone is set to:
  // a phone in WITA just after midnight is not yet on the server's tomorrow.
  function localDay(date) {
    try {
      return new Intl.DateTimeFormat("en-CA", { timeZone: config.tz, year: "numeric", month: "2-digit", day: "2-digit" })
        .format(date);
    } catch (error) {
      function pad(n) { return ("0" + n).slice(-2); }
      return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate());
    }
  }

  // `fresh`: the save never reached the server (stored because the phone was offline), so its key
  // protects nothing and a new one keeps it apart from any other entry made from the same page
  // (a form opened again with Back carries the key of the entry already stored).
  function add(fields, url, label, fresh) {
    return Promise.all([meta("owner"), all()]).then(function (found) {
      var made = bodyOf(fields);
      var same = found[1].filter(function (entry) { return entry.key === made.key; });
      if (same.some(function (entry) { return entry.body.replace(/&dibuat=[^&]*/, "") === made.body.replace(/&dibuat=[^&]*/, ""); })) {
        return null;  // the very same save, stored already
      }
      if (fresh || same.length) {
        var params = new URLSearchParams(made.body);
        made.key = newKey();
        params.set("once", made.key);
        made.body = params.toString();
      }
      var entry = {
        user: found[0], url: url, body: made.body, key: made.key, label: label || "",
        made: new Date().toISOString(), state: "waiting", tries: 0,
      };
      return run("outbox", "readwrite", function (store) { return store.add(entry); });
    }).then(function (id) {
      changed();
      // Ask the phone not to clear waiting entries under storage pressure (cheap phones do).
      if (typeof navigator !== "undefined" && navigator.storage && navigator.storage.persist) {
        navigator.storage.persist().catch(function () {});
      }
      return id;
    });
  }

  // The service worker's way in: a form POST that found no network. It may have reached the
  // server (the answer was lost), so it keeps its key.
  function addRequest(request) {
    var url = new URL(request.url);
    return request.formData().then(function (fields) { return add(fields, url.pathname + url.search, "", false); });
  }

  function all() { return run("outbox", "readonly", function (store) { return store.getAll(); }); }

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
    return all().then(function (entries) {
      return entries.filter(function (entry) { return entry.user === user; });
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
    }, 5000).then(changed);
  }

  // Pages and the service worker may replay at the same moment: one at a time. `wait` bounds how
  // long to wait for the lock (a replay stuck on a weak signal must not hold up a logout).
  function locked(work, wait) {
    if (typeof navigator === "undefined" || !navigator.locks) return work();
    if (!wait || typeof AbortController !== "function") return navigator.locks.request("bkb-outbox", work);
    var stop = new AbortController();
    var timer = setTimeout(function () { stop.abort(); }, wait);
    return navigator.locks.request("bkb-outbox", { signal: stop.signal }, function () {
      clearTimeout(timer);
      return work();
    }).catch(function (error) {
      if (error && error.name === "AbortError") return work();
      throw error;
    });
  }

  // No fetch waits for ever: on a weak signal an answer may never come.
  function fetchWithin(url, options, seconds) {
    if (typeof AbortController !== "function") return fetch(url, options);
    var stop = new AbortController();
    var timer = setTimeout(function () { stop.abort(); }, seconds * 1000);
    return fetch(url, Object.assign({ signal: stop.signal }, options)).finally(function () { clearTimeout(timer); });
  }

  // Send what waits, oldest first. Rejects when the network or the server failed,
  // so that Background Sync tries again later; a refused entry is kept for the unsent page.
  function replay() {
    return locked(function () {
      return fetchWithin(config.status, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } }, 20)
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
    return fetchWithin(entry.url, {
      method: "POST",
      body: entry.body,
      credentials: "same-origin",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": csrf, "X-Bkb-Outbox": "1" },
    }, 60).then(function (response) {
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
      // The server failed on this entry (5xx): it waits and says so, and the next ones still go,
      // since entries do not depend on each other. After a few tries it is shown for her to look at.
      entry.problem = response.status;
      if (response.status >= 500) {
        entry.tries = (entry.tries || 0) + 1;
        if (entry.tries < GIVE_UP_AFTER) return put(entry);
        return response.text().then(function (html) {
          entry.state = "refused";
          entry.html = html;
          return put(entry);
        });
      }
      // Logged out, a stale token, too many requests: nothing more goes now.
      return put(entry).then(function () { throw new Error("try again later (" + response.status + ")"); });
    });
  }

  return {
    configure: function (options) { Object.assign(config, options); },
    add: add, addRequest: addRequest, resubmit: resubmit, list: list, put: put, remove: remove, forget: forget,
    meta: meta, setMeta: setMeta, replay: replay, channel: channel, localDay: localDay, newKey: newKey,
  };
})();
