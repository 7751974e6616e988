// The station operator's page: confirmations are kept in the phone (localStorage)
// until the feed's batch route has them, so they survive a lost connection and a
// reload; the week is kept for offline use by the service worker and checked in
// the background with the feed's ETag.
'use strict';
(function () {
  const QUEUE = 'loa.station.queue';
  const ETAG = 'loa.station.etag';
  const body = document.body;
  const csrf = body.dataset.csrf;
  const labels = { aired: '✓ Đã phát', missed: '✗ Không phát' };

  function queue() {
    try { return JSON.parse(localStorage.getItem(QUEUE)) || []; } catch (e) { return []; }
  }
  function save(q) { localStorage.setItem(QUEUE, JSON.stringify(q)); show(); }
  function clientId() {
    return self.crypto && crypto.randomUUID ? crypto.randomUUID() : Date.now() + '-' + Math.random().toString(36).slice(2);
  }
  function notice(text) {
    const n = document.getElementById('op-notice');
    if (!n) return;
    n.textContent = text;
    n.hidden = !text;
  }

  // mark shows an airing's answer at once: its status, and no more buttons.
  function mark(airing, status, waiting) {
    document.querySelectorAll('[data-airing="' + airing + '"]').forEach((el) => {
      if (el.tagName === 'FORM') { el.hidden = true; return; }
      const s = el.querySelector('.op-status');
      if (s) {
        s.innerHTML = '';
        const b = document.createElement('span');
        b.className = 'status ' + (status === 'aired' ? 'ok' : 'bad');
        b.textContent = labels[status] + (waiting ? ' (chưa gửi)' : '');
        s.appendChild(b);
      }
    });
  }

  function show() {
    const q = queue();
    const n = document.getElementById('op-queue');
    if (n) {
      n.textContent = 'chưa gửi: ' + q.length;
      n.className = q.length ? 'op-waiting' : '';
    }
    const net = document.getElementById('op-net');
    if (net) net.textContent = navigator.onLine ? 'Đang trực tuyến' : 'Mất mạng — vẫn xem và xác nhận được';
    q.forEach((c) => mark(c.airingId, c.status, true));
  }

  // send uploads the whole queue as one batch; each clientId counts once, so a
  // batch sent twice (a lost answer) is harmless. A weak connection may hang: a
  // send gives up after 20 s, or when the connection comes back, and tries again.
  let inflight = null;
  let again = false;
  function send() {
    const q = queue();
    if (!q.length || !navigator.onLine) return; // offline: the queue waits for 'online' or the next try
    if (inflight) { again = true; return; }
    const stop = inflight = new AbortController();
    const timer = setTimeout(() => stop.abort(), 20000);
    fetch('/api/v1/station/confirmations', {
      method: 'POST', credentials: 'same-origin', signal: stop.signal,
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify(q),
    }).then((res) => {
      if (res.status === 401) { notice('Liên kết của điện thoại này đã bị thu hồi hoặc hết hạn: hãy xin mã QR mới.'); return; }
      if (!res.ok) return;
      return res.json().then((sum) => {
        const done = new Set(sum.results.map((r) => r.clientId));
        const refused = sum.results.filter((r) => r.outcome === 'rejected');
        save(queue().filter((c) => !done.has(c.clientId)));
        q.forEach((c) => { if (!refused.some((r) => r.clientId === c.clientId)) mark(c.airingId, c.status, false); });
        notice(refused.length ? 'Có ' + refused.length + ' xác nhận không được nhận (buổi phát chưa đến giờ hoặc không thuộc đài này). Hãy tải lại trang.' : '');
        keep(['/station', location.pathname]);
      });
    }).catch(() => { /* still offline: the queue waits */ }).finally(() => {
      clearTimeout(timer);
      inflight = null;
      show();
      if (again) { again = false; send(); }
    });
  }

  // keep asks the service worker to fetch and keep these addresses.
  function keep(urls) {
    if (navigator.onLine && navigator.serviceWorker) {
      navigator.serviceWorker.ready.then((reg) => reg.active.postMessage({ keep: urls }));
    }
  }
  function keepWeek() {
    const urls = ['/station', '/static/operator.css', '/static/operator.js'];
    document.querySelectorAll('a.op-open').forEach((a) => urls.push(a.getAttribute('href')));
    document.querySelectorAll('[data-recording]').forEach((el) => urls.push(el.dataset.recording));
    keep(urls);
  }

  // refresh pulls the week's feed with its ETag: unchanged costs a 304; changed, the
  // pages are kept again and the operator is told.
  function refresh() {
    const feed = body.dataset.feed;
    if (!feed || !navigator.onLine) return;
    const tag = localStorage.getItem(ETAG);
    fetch(feed, { credentials: 'same-origin', cache: 'no-store', headers: tag ? { 'If-None-Match': tag } : {} }).then((res) => {
      if (res.status !== 200) return;
      const fresh = res.headers.get('ETag');
      localStorage.setItem(ETAG, fresh);
      if (tag && fresh !== tag) {
        keepWeek();
        notice('Lịch phát vừa thay đổi. Hãy tải lại trang để xem lịch mới.');
      }
    }).catch(() => {});
  }

  document.addEventListener('submit', (e) => {
    const form = e.target;
    if (!form.classList.contains('op-confirm')) return;
    const button = e.submitter;
    if (!button || !button.value) return;
    e.preventDefault();
    const q = queue();
    q.push({ clientId: clientId(), airingId: form.dataset.airing, status: button.value, at: form.dataset.at,
      note: form.elements.note.value.trim() });
    save(q);
    send();
  });

  // An airing that starts while the page is open (or kept offline) can be confirmed.
  function openStarted() {
    const now = Date.now();
    document.querySelectorAll('form.op-confirm[hidden]').forEach((f) => {
      if (Date.parse(f.dataset.at) <= now && !queue().some((c) => c.airingId === f.dataset.airing)) f.hidden = false;
    });
  }

  window.addEventListener('online', () => { show(); if (inflight) inflight.abort(); send(); refresh(); });
  window.addEventListener('offline', show);
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/station/sw.js', { scope: '/station' }).catch(() => {});
    if (body.dataset.feed) keepWeek();
  }
  show();
  openStarted();
  send();
  refresh();
  // Every 10 s: airings that have started get their buttons, and a waiting queue
  // is tried again (offline, a try fails at once, without using the network).
  setInterval(() => { openStarted(); send(); }, 10000);
})();
