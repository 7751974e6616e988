// The station operator's service worker (served as /station/sw.js, scope /station):
// pages and files are fetched from the network and kept; without a connection the
// kept copy answers. Recordings are kept whole and served from the copy first.
'use strict';
const CACHE = 'loa-station-1';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));

// The page asks to keep a list of addresses (the week's scripts and recordings).
self.addEventListener('message', (e) => {
  if (!e.data || !Array.isArray(e.data.keep)) return;
  e.waitUntil(caches.open(CACHE).then((c) => Promise.all(e.data.keep.map((url) =>
    fetch(url, { credentials: 'same-origin' }).then((res) => res.ok ? c.put(url, res) : null).catch(() => null)))));
});

self.addEventListener('fetch', (e) => {
  const req = e.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/v1/station/schedule')) {
    return; // the feed is pulled by the page itself, with its ETag
  }
  if (url.pathname.endsWith('/attachment')) {
    e.respondWith(caches.match(url.pathname).then((hit) => hit || fetch(req)));
    return;
  }
  e.respondWith(fetch(req).then((res) => {
    if (res.ok && res.status === 200) {
      const copy = res.clone();
      caches.open(CACHE).then((c) => c.put(url.pathname, copy));
    }
    return res;
  }).catch(() => caches.match(url.pathname).then((hit) => hit ||
    new Response('<!doctype html><meta charset="utf-8"><title>Mất mạng</title><p>Mất mạng, và trang này chưa được lưu trong máy. Hãy mở lại khi có mạng.</p>',
      { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } }))));
});
