// Signed out (the login page, or a session that ran out): the last cadre's kept pages go, so the
// next person on this phone never sees them. Her waiting entries stay in the outbox, hidden,
// until she logs in again (offline.js shows and sends only the logged-in cadre's entries).
if (window.caches) caches.delete("bkb-pages").catch(function () {});
