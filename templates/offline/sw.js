// BKB's service worker (served by bkb.offline.service_worker). Caching rules are
// Workbox's (vendored in static/vendor/workbox); the outbox is ours (js/outbox.js).
{% autoescape off %}importScripts({% for url in workbox %}"{{ url }}", {% endfor %}"{{ outbox_js }}");
var PAGES = "bkb-pages";
var STATIC = "bkb-static";
var STATIC_FILES = {{ static_files }};
var OFFLINE_PATHS = {{ offline_paths }}.map(function (source) { return new RegExp(source); });
var FALLBACK = "{% url 'offline_fallback' %}";
var UNSENT = "{% url 'offline_unsent' %}";
var STATIC_URL = "{{ static_url }}";
BkbOutbox.configure({ status: "{% url 'offline_status' %}", tz: "{{ tz }}" });{% endautoescape %}

workbox.core.setCacheNameDetails({ prefix: "bkb" });
self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC).then(function (cache) { return cache.addAll(STATIC_FILES); }));
  self.skipWaiting();
});
workbox.core.clientsClaim();

function kept(url) {
  return url.origin === self.location.origin && OFFLINE_PATHS.some(function (path) { return path.test(url.pathname); });
}

// A page answered from the phone's copy says so: the page shows "offline, data from <time>".
// Only whole pages are kept: never a redirect (to the login page, say) in a page's place.
var markCopy = {
  cacheWillUpdate: function (param) {
    var response = param.response;
    return response && response.status === 200 && !response.redirected ? response : null;
  },
  cachedResponseWillBeUsed: function (param) {
    return param.cachedResponse ? fromCopy(param.cachedResponse) : null;
  },
};
function fromCopy(response) {
  if (response.status !== 200) return Promise.resolve(response);
  return response.text().then(function (text) {
    var headers = new Headers(response.headers);
    headers.delete("Content-Length");
    return new Response(text.replace("<body", '<body data-from-cache="1"'), { status: response.status, headers: headers });
  });
}

// Static files: their URLs change with their content, so the kept copy is always right.
workbox.routing.registerRoute(
  function (options) { return options.url.origin === self.location.origin && options.url.pathname.indexOf(STATIC_URL) === 0; },
  new workbox.strategies.CacheFirst({
    cacheName: STATIC,
    matchOptions: { ignoreVary: true },
    plugins: [new workbox.expiration.ExpirationPlugin({ maxEntries: 40 })],
  })
);

// The working set: fresh from the network while there is signal, the kept copy when not
// (or when the network takes too long on a weak signal).
workbox.routing.registerRoute(
  function (options) { return options.request.mode === "navigate" && kept(options.url); },
  new workbox.strategies.NetworkFirst({
    cacheName: PAGES,
    networkTimeoutSeconds: 8,
    matchOptions: { ignoreVary: true },
    plugins: [markCopy],
  })
);

// A save sent while the phone thinks it is online but the signal is gone: into the outbox.
workbox.routing.registerRoute(
  function (options) { return options.request.mode === "navigate" && kept(options.url); },
  function (options) {
    var copy = options.request.clone();
    var url = options.url.pathname + options.url.search;
    return fetch(options.request).then(function (response) {
      // Saved: the kept copy of this form is out of date (a session edit's version moved on).
      if (response.type === "opaqueredirect" && options.event) {
        options.event.waitUntil(caches.open(PAGES).then(function (cache) {
          return cache.match(url, { ignoreVary: true }).then(function (kept) {
            if (!kept) return null;
            return fetch(url, { credentials: "same-origin", headers: { "X-Bkb-Keeping": "1" } }).then(function (fresh) {
              return fresh.ok && !fresh.redirected ? cache.put(url, fresh) : cache.delete(url);
            });
          });
        }).catch(function () {}));
      }
      return response;
    }).catch(function () {
      return BkbOutbox.addRequest(copy).then(function () {
        if (self.registration.sync) self.registration.sync.register("bkb-outbox").catch(function () {});
        return Response.redirect(UNSENT, 303);
      });
    });
  },
  "POST"
);

workbox.routing.setDefaultHandler(new workbox.strategies.NetworkOnly());
// Without signal: the app's start page (/) opens the kept roster; any other page not kept, the fallback.
workbox.routing.setCatchHandler(function (options) {
  if (options.request.mode !== "navigate") return Promise.resolve(Response.error());
  var start = options.url.pathname === "/"
    ? BkbOutbox.meta("prepared").then(function (prepared) {
      return prepared && prepared.roster ? caches.match(prepared.roster, { ignoreVary: true }) : null;
    }).catch(function () { return null; })
    : Promise.resolve(null);
  return start.then(function (page) {
    return page || caches.match(FALLBACK, { ignoreVary: true });
  }).then(function (page) {
    return page ? fromCopy(page) : Response.error();
  });
});

// Background Sync where the browser has it: the outbox goes out even with the app closed.
self.addEventListener("sync", function (event) {
  if (event.tag === "bkb-outbox") event.waitUntil(BkbOutbox.replay());
});
