/* proletariat manager dashboard: polls api/status every second and draws it. No dependencies. */
(function () {
  'use strict';

  var POLL_MS = 1000;
  var WINDOW_S = 300; // the charts keep the last five minutes
  var MIN_WINDOW_S = 60; // and show at least one, so a fresh page is not a sliver
  var CHART_H = 200;

  var $ = function (id) { return document.getElementById(id); };
  var series = newSeries();
  var prev = null;

  function newSeries() {
    return { t: [], pushed: [], finished: [], failed: [], p50: [], p99: [], q50: [] };
  }

  // ------------------------------------------------------------------ token

  // With --http-token-file the API answers 401 without "Authorization: Bearer TOKEN". The token is
  // asked once and kept in sessionStorage (this tab only, never a cookie: no request carries it
  // unless this script adds it). A link may carry it as #token=... : the fragment never reaches a
  // server, and it is taken off the address at once.
  var TOKEN_KEY = 'proletariat-http-token';
  var waitingForToken = false;

  function token() {
    try { return sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
  }

  function keepToken(t) {
    try { sessionStorage.setItem(TOKEN_KEY, t); } catch (e) { /* storage off: ask again next time */ }
  }

  function tokenFromFragment() {
    var m = /^#token=(.+)$/.exec(location.hash);
    if (m) {
      keepToken(decodeURIComponent(m[1]));
      history.replaceState(null, '', location.pathname + location.search);
    }
  }

  function api(path, method, extra) {
    var headers = extra || {};
    var t = token();
    if (t) { headers.Authorization = 'Bearer ' + t; }
    return fetch(path, { cache: 'no-store', headers: headers, method: method || 'GET' });
  }

  function askToken(wrong) {
    waitingForToken = true;
    live(false, wrong ? 'wrong token' : 'token needed');
    $('token-form').hidden = false;
    $('token-input').focus();
  }

  $('token-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var t = $('token-input').value.trim();
    if (!t) { return; }
    keepToken(t);
    $('token-input').value = '';
    $('token-form').hidden = true;
    live(false, 'connecting');
    if (waitingForToken) {
      waitingForToken = false;
      seed().then(poll);
    }
  });

  // ------------------------------------------------------------------ polling

  function poll() {
    api('api/status')
      .then(function (r) {
        if (r.status === 401) { askToken(!!token()); return null; }
        if (!r.ok) { throw new Error('HTTP ' + r.status); }
        return r.json();
      })
      .then(function (s) {
        if (s) { update(s); live(true, 'live'); return pollWorks(); }
      })
      .catch(function (e) { live(false, 'unreachable: ' + e.message); })
      .then(function () {
        if (!waitingForToken) { setTimeout(poll, POLL_MS); } // else the token form starts it again
      });
  }

  function live(ok, text) {
    var el = $('live');
    el.className = 'live ' + (ok ? 'up' : 'down');
    $('live-text').textContent = text;
  }

  function update(s) {
    if (prev && prev.bootTime !== s.bootTime) { // the manager restarted: its counters did too
      series = newSeries();
      prev = null;
    }
    record(s);
    render(s);
    prev = s;
  }

  // ------------------------------------------------------------------ series

  function record(s) {
    var sec = Math.floor(s.takenAt / 1000);
    var last = s.lastSecond; // the manager's quantiles of the last second, as /api/history has them
    var point = {
      pushed: s.rates.pushedPerSecond,
      finished: s.rates.finishedPerSecond,
      failed: s.rates.failedPerSecond,
      p50: last ? last.p50 : null,
      p99: last ? last.p99 : null,
      q50: last ? last.q50 : null
    };
    var n = series.t.length;
    if (n > 0 && sec < series.t[n - 1]) { return; }
    if (n > 0 && series.t[n - 1] === sec) { // two polls in one second: keep the newer, merge latency
      ['pushed', 'finished', 'failed'].forEach(function (k) { series[k][n - 1] = point[k]; });
      ['p50', 'p99', 'q50'].forEach(function (k) { if (point[k] !== null) { series[k][n - 1] = point[k]; } });
    } else {
      series.t.push(sec);
      Object.keys(point).forEach(function (k) { series[k].push(point[k]); });
    }
    while (series.t.length && series.t[0] < sec - WINDOW_S) {
      Object.keys(series).forEach(function (k) { series[k].shift(); });
    }
  }

  // ------------------------------------------------------------------ render

  // A manager of a cluster: its role, the leader's epoch and address, the failovers seen; hidden alone.
  function renderCluster(k) {
    $('cluster').hidden = !k;
    if (!k) { return; }
    var role = $('cluster-role');
    role.textContent = k.role;
    role.className = 'role ' + k.role;
    $('cluster-text').textContent = 'of ' + k.name + ' · epoch ' + k.epoch
      + (k.role === 'leader' ? '' : ' · leader ' + (k.leader || 'unknown'))
      + (k.failovers ? ' · ' + k.failovers + (k.failovers === 1 ? ' failover' : ' failovers') : '');
  }

  function render(s) {
    var c = s.counters;
    $('manager-address').textContent = 'port ' + s.manager.port + ' · ' + s.manager.transport
      + (s.manager.sacredGuarantees ? ' · sacred guarantees' : '');
    $('uptime').textContent = duration(s.takenAt - s.bootTime);
    renderCluster(s.cluster);

    text('total-pushed', count(c.pushed));
    text('total-finished', count(c.finished));
    text('total-failed', count(c.failed));
    rate('rate-pushed', s.rates.pushedPerSecond);
    rate('rate-finished', s.rates.finishedPerSecond);
    rate('rate-failed', s.rates.failedPerSecond);
    text('avg-pushed', num(s.rates.pushedPerSecondMinute));
    text('avg-finished', num(s.rates.finishedPerSecondMinute));
    var codes = Object.keys(c.failedByCode).sort(function (a, b) { return c.failedByCode[b] - c.failedByCode[a]; });
    text('failed-codes', codes.length ? codes.slice(0, 3).map(function (k) { return k + ' ' + count(c.failedByCode[k]); }).join(' · ') : 'no errors');

    text('total-queued', count(s.pendingWorks));
    text('on-hold', count(s.globalWorksOnHold));
    text('requeued', count(c.requeued));
    text('total-running', count(s.globalRunningWorks));
    text('slots-used', count(s.slots.used));
    text('slots-total', count(s.slots.total));
    $('slots-bar').style.width = pct(s.slots.used, s.slots.total) + '%';
    text('count-workers', count(s.connections.worker));
    text('count-clients', count(s.connections.client));
    text('count-unknown', count(s.connections.unknown));

    drawThroughput();
    drawLatency();
    renderQueues(s);
    renderWorkers(s);
    renderClients(s);
    renderErrors(s);

    text('counters-extra', 'assigned ' + count(c.assigned) + ' · rejected ' + count(c.rejected)
      + ' · aborted ' + count(c.aborted) + ' · given up ' + count(c.givenUp)
      + ' · assign timeouts ' + count(c.assignTimeouts) + ' · run timeouts ' + count(c.runTimeouts)
      + ' · bad frames ' + count(c.badFrames) + ' · updated ' + clock(s.takenAt));
  }

  function renderQueues(s) {
    var priorities = Object.keys(s.queues).map(Number).sort(function (a, b) { return b - a; });
    var types = s.types || [];
    var total = 0;
    var max = 0;
    priorities.forEach(function (p) { total += s.queues[p]; max = Math.max(max, s.queues[p]); });
    types.forEach(function (t) {
      Object.keys(t.queues).forEach(function (p) { total += t.queues[p]; max = Math.max(max, t.queues[p]); });
    });
    text('queue-total', total ? count(total) + ' waiting' : '');
    if (!priorities.length && !types.length) {
      $('queues').innerHTML = '<p class="empty">The queues are empty.</p>';
      return;
    }
    var bar = function (attrs, name, n) {
      return '<div class="queue" ' + attrs + '><span class="name">' + name + '</span>'
        + '<div class="bar"><i style="width:' + pct(n, max) + '%"></i></div>'
        + '<span class="count">' + count(n) + '</span></div>';
    };
    // Untyped works by priority, as always; then each work type (our extension) by priority, with its running works and limit.
    $('queues').innerHTML = priorities.map(function (p) {
      return bar('data-priority="' + p + '"', 'priority ' + p, s.queues[p]);
    }).join('') + types.map(function (t) {
      var ps = Object.keys(t.queues).map(Number).sort(function (a, b) { return b - a; });
      var head = '<div class="queue-type" data-type="' + esc(t.type) + '"><span class="name">type ' + esc(t.type) + '</span> '
        + '<span class="count">running ' + count(t.running) + (t.limit === null ? '' : ' / limit ' + count(t.limit))
        + ' · ' + (t.workers ? count(t.workers) + ' workers' : '<b>no worker</b>') + '</span></div>';
      return head + ps.map(function (p) {
        return bar('data-type="' + esc(t.type) + '" data-priority="' + p + '"', esc(t.type) + ' priority ' + p, t.queues[p]);
      }).join('');
    }).join('');
  }

  function renderWorkers(s) {
    var body = $('workers').tBodies[0];
    text('workers-summary', s.workers.length ? s.workers.length + ' connected · ' + count(s.slots.free) + ' slots free' : '');
    if (!s.workers.length) {
      body.innerHTML = '<tr class="empty"><td colspan="6">No worker connected.</td></tr>';
      return;
    }
    body.innerHTML = s.workers.map(function (w) {
      return '<tr data-worker="' + esc(w.id) + '">'
        + '<td class="id">' + esc(w.id)
        + (w.types ? ' <span class="types" title="work types">' + esc(w.types.join(',') + (w.untyped ? ',+untyped' : '')) + '</span>' : '')
        + '</td>'
        + '<td class="addr">' + esc(w.address) + '</td>'
        + '<td>' + ranges(w.ranges) + '</td>'
        + '<td class="num">' + count(w.busy) + ' / ' + count(w.slots) + '</td>'
        + '<td class="num">' + count(w.finished) + '</td>'
        + '<td class="num" title="' + esc(new Date(w.connectedSince).toLocaleString()) + '">' + duration(s.takenAt - w.connectedSince) + '</td>'
        + '</tr>';
    }).join('');
  }

  function ranges(list) {
    var sorted = list.slice().sort(function (a, b) { return a.from - b.from; });
    return '<div class="ranges">' + sorted.map(function (r, i) {
      var next = sorted[i + 1];
      var name = sorted.length === 1 ? 'all' : next ? (next.from - 1 === r.from ? 'P' + r.from : 'P' + r.from + '–' + (next.from - 1)) : 'P≥' + r.from;
      var p = pct(r.used, r.limit);
      var cls = r.used >= r.limit && r.limit > 0 ? 'full' : '';
      return '<div class="range"><span class="name">' + name + '</span>'
        + '<div class="bar"><i class="' + cls + '" style="width:' + p + '%"></i></div>'
        + '<span class="count">' + count(r.used) + '/' + count(r.limit) + '</span></div>';
    }).join('') + '</div>';
  }

  function renderClients(s) {
    var body = $('clients').tBodies[0];
    text('clients-summary', s.clients.length ? s.clients.length + ' connected' : '');
    if (!s.clients.length) {
      body.innerHTML = '<tr class="empty"><td colspan="3">No client connected.</td></tr>';
      return;
    }
    body.innerHTML = s.clients.map(function (c) {
      return '<tr data-client="' + esc(c.id) + '"><td class="id">' + esc(c.id) + (c.type === 'client' ? '' : ' <span class="muted">' + esc(c.type) + '</span>')
        + '<div class="addr">' + esc(c.address) + '</div></td>'
        + '<td class="num">' + count(c.pendingWorks) + '</td>'
        + '<td class="num">' + duration(s.takenAt - c.connectedSince) + '</td></tr>';
    }).join('');
  }

  function renderErrors(s) {
    var body = $('errors').tBodies[0];
    var list = s.recentErrors.slice(0, 8);
    text('errors-summary', s.recentErrors.length ? 'latest ' + list.length + ' of ' + count(s.counters.failed) : '');
    if (!list.length) {
      body.innerHTML = '<tr class="empty"><td colspan="5">No failed works.</td></tr>';
      return;
    }
    body.innerHTML = list.map(function (e) {
      return '<tr><td class="num">' + clock(e.at) + '</td>'
        + '<td><span class="code">' + esc(e.code) + '</span></td>'
        + '<td class="id">' + esc(e.workId) + '</td>'
        + '<td class="id">' + (e.workerId ? esc(e.workerId) : '<span class="muted">manager</span>') + '</td>'
        + ('error' in e
          ? '<td class="err" title="' + esc(e.error) + '">' + esc(e.error) + '</td></tr>'
          : '<td class="err"><span class="muted">hidden (the manager runs without --http-show-errors)</span></td></tr>');
    }).join('');
  }

  // ------------------------------------------------------------------ works (GET api/works, POST api/works/ID/cancel)

  function worksQuery() {
    var q = [];
    var client = $('filter-client').value.trim();
    var worker = $('filter-worker').value.trim();
    if (client) { q.push('client=' + encodeURIComponent(client)); }
    if (worker) { q.push('worker=' + encodeURIComponent(worker)); }
    if ($('filter-running').checked) { q.push('running=true'); }
    var limit = parseInt($('filter-limit').value, 10);
    q.push('limit=' + (limit >= 1 && limit <= 10000 ? limit : 50));
    return 'api/works?' + q.join('&');
  }

  function pollWorks() {
    return api(worksQuery())
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (w) { if (w) { renderWorks(w); } })
      .catch(function () { /* the status poll reports the manager unreachable */ });
  }

  function renderWorks(w) {
    var body = $('works').tBodies[0];
    text('works-summary', w.total ? count(w.total) + ' matching' + (w.more ? ', ' + count(w.more) + ' not shown' : '') : '');
    if (!w.works.length) {
      body.innerHTML = '<tr class="empty"><td colspan="8">No live works.</td></tr>';
      return;
    }
    body.innerHTML = w.works.map(function (x) {
      return '<tr><td class="id">' + esc(x.id) + (x.type ? ' <span class="muted">' + esc(x.type) + '</span>' : '') + '</td>'
        + '<td class="id">' + esc(x.rid) + '</td>'
        + '<td class="id">' + esc(x.client) + '</td>'
        + '<td class="id">' + (x.worker ? esc(x.worker) : '<span class="muted">–</span>') + '</td>'
        + '<td class="num">' + count(x.priority) + '</td>'
        + '<td><span class="state ' + esc(x.state) + '">' + esc(x.state) + '</span></td>'
        + '<td class="num">' + duration(x.age) + '</td>'
        + '<td><button type="button" class="cancel" data-work="' + esc(x.id) + '">Cancel</button></td></tr>';
    }).join('');
  }

  $('works').addEventListener('click', function (ev) {
    var id = ev.target && ev.target.getAttribute('data-work');
    if (!id || !window.confirm('Cancel work ' + id + '? Its client gets ECANCELED.')) { return; }
    ev.target.disabled = true;
    // An action: POST with the header a page of another site cannot send (docs/security.md).
    api('api/works/' + encodeURIComponent(id) + '/cancel', 'POST', { 'X-Proletariat-Action': 'cancel' })
      .then(function (r) { if (r.status === 401) { askToken(true); } return pollWorks(); });
  });
  $('works-filter').addEventListener('submit', function (ev) { ev.preventDefault(); pollWorks(); });
  $('works-filter').addEventListener('change', function () { pollWorks(); });

  // ------------------------------------------------------------------ charts (inline SVG)

  function drawThroughput() {
    var max = 0;
    ['pushed', 'finished', 'failed'].forEach(function (k) {
      series[k].forEach(function (v) { if (v !== null) { max = Math.max(max, v); } });
    });
    var top = niceCeil(Math.max(max, 1));
    var ticks = [0, top / 2, top];
    chart($('chart-throughput'), {
      y: function (v) { return v / top; },
      ticks: ticks,
      label: function (v) { return num(v); },
      lines: [
        { key: 'finished', color: 'var(--finished)', area: true },
        { key: 'pushed', color: 'var(--pushed)' },
        { key: 'failed', color: 'var(--failed)' }
      ]
    });
  }

  function drawLatency() {
    var lo = Infinity;
    var hi = 0;
    ['p50', 'p99', 'q50'].forEach(function (k) {
      series[k].forEach(function (v) { if (v !== null && v > 0) { lo = Math.min(lo, v); hi = Math.max(hi, v); } });
    });
    if (hi === 0) { lo = 0.001; hi = 0.1; }
    var a = Math.floor(Math.log10(lo));
    var b = Math.max(Math.ceil(Math.log10(hi)), a + 1);
    var ticks = [];
    for (var d = a; d <= b; d++) { ticks.push(Math.pow(10, d)); }
    chart($('chart-latency'), {
      y: function (v) { return (Math.log10(Math.max(v, Math.pow(10, a))) - a) / (b - a); },
      ticks: ticks,
      label: seconds,
      lines: [
        { key: 'q50', color: 'var(--queue)' },
        { key: 'p50', color: 'var(--finished)' },
        { key: 'p99', color: 'var(--p99)' }
      ]
    });
  }

  function chart(svg, o) {
    var W = Math.max(svg.clientWidth || 600, 200);
    var H = CHART_H;
    var L = 52, R = 10, T = 8, B = 22;
    var w = W - L - R, h = H - T - B;
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    var n = series.t.length;
    var end = n ? series.t[n - 1] : 0;
    var span = n ? Math.min(WINDOW_S, Math.max(MIN_WINDOW_S, end - series.t[0])) : MIN_WINDOW_S;
    var x = function (t) { return L + w * (1 - (end - t) / span); };
    var yy = function (v) { return T + h * (1 - Math.min(1, Math.max(0, o.y(v)))); };
    var out = [];
    o.ticks.forEach(function (v) {
      var y = yy(v).toFixed(1);
      out.push('<line class="grid" x1="' + L + '" x2="' + (W - R) + '" y1="' + y + '" y2="' + y + '"/>');
      out.push('<text x="' + (L - 8) + '" y="' + y + '" dy="4" text-anchor="end">' + o.label(v) + '</text>');
    });
    var step = span <= 60 ? 15 : span <= 150 ? 30 : 60;
    for (var ago = 0; ago <= span; ago += step) {
      var tx = L + w * (1 - ago / span);
      out.push('<text x="' + tx.toFixed(1) + '" y="' + (H - 4) + '" text-anchor="' + (ago === 0 ? 'end' : 'middle') + '">'
        + (ago === 0 ? 'now' : '−' + (ago % 60 ? ago + ' s' : ago / 60 + ' min')) + '</text>');
    }
    o.lines.forEach(function (line) {
      var d = '';
      var area = '';
      var first = null, last = null;
      var pen = false;
      series[line.key].forEach(function (v, i) {
        if (v === null || v === undefined) { pen = false; return; }
        var px = x(series.t[i]).toFixed(1), py = yy(v).toFixed(1);
        d += (pen ? 'L' : 'M') + px + ' ' + py;
        if (line.area) {
          area += (first === null ? 'M' + px + ' ' + (T + h) + 'L' : 'L') + px + ' ' + py;
          if (first === null) { first = px; }
          last = px;
        }
        pen = true;
      });
      if (line.area && first !== null) {
        out.push('<path class="area" fill="' + line.color + '" fill-opacity="0.12" d="' + area + 'L' + last + ' ' + (T + h) + 'Z"/>');
      }
      if (d) { out.push('<path class="line" stroke="' + line.color + '" d="' + d + '"/>'); }
    });
    if (n < 2) {
      out.push('<text class="note" x="' + (L + w / 2) + '" y="' + (T + h / 2) + '" text-anchor="middle">collecting…</text>');
    }
    svg.innerHTML = out.join('');
  }

  // ------------------------------------------------------------------ formatting

  function text(id, value) { $(id).textContent = value; }

  function rate(id, value) {
    var el = $(id);
    el.textContent = num(value);
    el.setAttribute('data-value', String(value));
  }

  function count(n) { return Number(n || 0).toLocaleString('en-US'); }

  function num(v) {
    if (v === null || v === undefined || isNaN(v)) { return '–'; }
    if (v === 0) { return '0'; }
    if (v < 10) { return (Math.round(v * 10) / 10).toLocaleString('en-US'); }
    if (v < 10000) { return Math.round(v).toLocaleString('en-US'); }
    return (v / 1000).toFixed(v < 100000 ? 1 : 0) + 'k';
  }

  function niceCeil(v) {
    var p = Math.pow(10, Math.floor(Math.log10(v)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) { if (steps[i] * p >= v) { return steps[i] * p; } }
    return 10 * p;
  }

  function seconds(s) {
    if (s < 0.001) { return Math.round(s * 1e6) + ' µs'; }
    if (s < 1) { return Math.round(s * 1000) + ' ms'; }
    return Math.round(s) + ' s';
  }

  function pct(part, whole) { return whole > 0 ? Math.min(100, Math.round(100 * part / whole)) : 0; }

  function duration(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    if (s < 60) { return s + 's'; }
    if (s < 3600) { return Math.floor(s / 60) + 'm ' + pad(s % 60) + 's'; }
    if (s < 86400) { return Math.floor(s / 3600) + 'h ' + pad(Math.floor(s / 60) % 60) + 'm'; }
    return Math.floor(s / 86400) + 'd ' + Math.floor(s / 3600) % 24 + 'h';
  }

  function pad(n) { return n < 10 ? '0' + n : String(n); }

  function clock(ms) {
    var d = new Date(ms);
    return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
  }

  function esc(v) {
    return String(v === null || v === undefined ? '' : v).replace(/[&<>"']/g, function (ch) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[ch];
    });
  }

  /** The last five minutes as the manager recorded them, so the charts start full. */
  function seed() {
    return api('api/history')
      .then(function (r) { return r.ok ? r.json() : { points: [] }; })
      .then(function (h) {
        var keys = ['t', 'pushed', 'finished', 'failed', 'p50', 'p99', 'q50'];
        h.points.forEach(function (p) {
          keys.forEach(function (k, i) { series[k].push(p[i]); });
        });
      })
      .catch(function () { /* no history: the charts fill as the page polls */ });
  }

  tokenFromFragment();
  seed().then(poll);
})();
