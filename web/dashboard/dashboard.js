// Beacon's live dashboard: polls one GraphQL query (performance + cacheStats + health) every couple of seconds and
// draws it with uPlot. No framework, no build step, nothing from outside Beacon.
//
// Two kinds of series:
//   - from the performance window's timeline (one point per bucket, history included on first load): requests/s,
//     errors/s and latency percentiles;
//   - from differences between two polls of the cache's counters (kept in the page, 5 minutes): hit rate by tier,
//     invalidations/s and L1 size.
(function () {
  'use strict';

  const params = new URLSearchParams(location.search);
  const POLL_MS = Math.max(500, Number(params.get('interval')) || 2000);
  const HISTORY_POINTS = Math.ceil(300_000 / POLL_MS);
  const ENDPOINT = '/graphql';
  const QUERY = `query BeaconDashboard {
  performance {
    windowSeconds bucketSeconds coveredSeconds
    total { count errors errorRate requestsPerSecond p50Ms p95Ms p99Ms cacheHitRate }
    operations(first: 12) { operation count errors errorRate requestsPerSecond p50Ms p95Ms p99Ms cacheHitRate }
    slowest(first: 6) { operation count p95Ms p99Ms maxMs }
    timeline { start seconds count errors requestsPerSecond cacheHits cacheMisses p50Ms p95Ms p99Ms }
    thresholds { hitRateBelow p95AboveMs errorRateAbove minSamples }
    alerts { rule operation value threshold samples message }
  }
  cacheStats {
    enabled backend
    redis { state }
    tiers { tier hits misses staleServed bytes entries }
    invalidations { events }
  }
  health { status dependencies { name status latencyMs detail } }
}`;

  const COLORS = { blue: '#2563eb', red: '#dc2626', green: '#16a34a', amber: '#f59e0b', purple: '#9333ea', teal: '#0d9488', orange: '#ea580c', cyan: '#0891b2' };

  /** What tests (and curious people, in the console) can look at. */
  const state = (window.beaconDashboard = { polls: 0, failures: 0, charts: {}, last: null });

  const $ = (id) => document.getElementById(id);

  // ---- formatting ----------------------------------------------------------------------------------------------
  const fmtMs = (ms) => (ms === null || ms === undefined ? '–' : ms < 10 ? `${ms.toFixed(2)} ms` : ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`);
  const fmtPct = (ratio) => (ratio === null || ratio === undefined ? '–' : `${(ratio * 100).toFixed(1)}%`);
  const fmtRate = (value) => (value === null || value === undefined ? '–' : value < 10 ? value.toFixed(2) : value.toFixed(0));
  function fmtBytes(bytes) {
    if (bytes === null || bytes === undefined) return '–';
    const units = ['B', 'KiB', 'MiB', 'GiB'];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit += 1;
    }
    return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
  }

  // ---- charts --------------------------------------------------------------------------------------------------
  // A y axis as wide as its longest label ("766.6 KiB" does not fit a fixed width): uPlot asks again on each redraw.
  function fitLabels(plot, values, axisIndex, cycle) {
    const axis = plot.axes[axisIndex];
    if (cycle > 1) return axis._size; // settled: uPlot re-asks while the layout converges
    let size = axis.ticks.size + axis.gap;
    const longest = (values ?? []).reduce((widest, label) => (String(label).length > widest.length ? String(label) : widest), '');
    if (longest !== '') {
      plot.ctx.font = axis.font[0];
      size += plot.ctx.measureText(longest).width / devicePixelRatio;
    }
    // At least 56 px: the x axis centres its date line under the first tick, which sits at this edge.
    return Math.max(56, Math.ceil(size) + 4);
  }

  function chart(id, series, options = {}) {
    const element = $(id);
    const plot = new uPlot(
      {
        width: Math.max(200, element.clientWidth),
        height: 200,
        scales: { x: { time: true }, y: options.range ? { range: options.range } : { auto: true, range: (_u, min, max) => [0, Math.max(max * 1.1, options.minMax ?? 1)] } },
        axes: [{ stroke: '#6b7280', grid: { stroke: '#f1f5f9' } }, { stroke: '#6b7280', grid: { stroke: '#f1f5f9' }, size: fitLabels, values: (_u, ticks) => ticks.map(options.tick ?? ((v) => String(+v.toFixed(2)))) }],
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, fill: s.fill, points: { show: false }, spanGaps: s.spanGaps ?? false, value: (_u, v) => (v === null ? '–' : (options.tick ?? String)(v)) }))],
        legend: { live: false },
      },
      [[], ...series.map(() => [])],
      element,
    );
    state.charts[id] = plot;
    return plot;
  }

  const charts = {
    requests: chart('chart-requests', [
      { label: 'requests/s', color: COLORS.blue, fill: 'rgba(37,99,235,0.08)' },
      { label: 'errors/s', color: COLORS.red },
    ]),
    latency: chart('chart-latency', [
      { label: 'p50', color: COLORS.green },
      { label: 'p95', color: COLORS.amber },
      { label: 'p99', color: COLORS.red },
    ], { tick: (v) => `${+v.toFixed(1)} ms` }),
    hits: chart('chart-hits', [
      { label: 'responses', color: COLORS.teal, spanGaps: true },
      { label: 'L1', color: COLORS.blue, spanGaps: true },
      { label: 'L2', color: COLORS.purple, spanGaps: true },
    ], { range: [0, 100], tick: (v) => `${+v.toFixed(0)}%` }),
    invalidations: chart('chart-invalidations', [{ label: 'invalidations/s', color: COLORS.orange, fill: 'rgba(234,88,12,0.08)' }]),
    l1: chart('chart-l1', [{ label: 'L1 bytes', color: COLORS.cyan, fill: 'rgba(8,145,178,0.08)' }], { tick: fmtBytes, minMax: 1024 }),
  };

  window.addEventListener('resize', () => {
    for (const [id, plot] of Object.entries(state.charts)) plot.setSize({ width: Math.max(200, $(id).clientWidth), height: 200 });
  });

  // ---- the series kept between polls ---------------------------------------------------------------------------
  const history = { t: [], responses: [], l1: [], l2: [], invalidations: [], bytes: [] };
  let previous = null;

  const ratioPct = (hits, misses) => (hits + misses > 0 ? (100 * hits) / (hits + misses) : null);

  function remember(now, data) {
    const { cacheStats, performance } = data;
    const tier = (name) => cacheStats.tiers.find((t) => t.tier === name) ?? { hits: 0, misses: 0, staleServed: 0, bytes: null };
    const current = { at: now, l1: tier('L1'), l2: tier('L2'), invalidations: cacheStats.invalidations.events, window: performance.total };
    if (previous) {
      const seconds = Math.max(0.001, (current.at - previous.at) / 1000);
      const delta = (a, b) => Math.max(0, a - b);
      history.t.push(now / 1000);
      // Responses: what clients were served, every tier together, over the newest two buckets of the window.
      history.responses.push(recentHitRate(performance.timeline));
      history.l1.push(ratioPct(delta(current.l1.hits, previous.l1.hits), delta(current.l1.misses, previous.l1.misses)));
      history.l2.push(cacheStats.redis.state === 'off' ? null : ratioPct(delta(current.l2.hits, previous.l2.hits), delta(current.l2.misses, previous.l2.misses)));
      history.invalidations.push(delta(current.invalidations, previous.invalidations) / seconds);
      history.bytes.push(current.l1.bytes ?? 0);
      for (const series of Object.values(history)) if (series.length > HISTORY_POINTS) series.shift();
    }
    previous = current;
  }

  /** The hit rate over the last two buckets (the newest alone, just begun, may hold a handful of requests). */
  function recentHitRate(timeline) {
    const recent = timeline.slice(-2);
    return ratioPct(
      recent.reduce((sum, bucket) => sum + bucket.cacheHits, 0),
      recent.reduce((sum, bucket) => sum + bucket.cacheMisses, 0),
    );
  }

  // ---- rendering -----------------------------------------------------------------------------------------------
  function render(data) {
    const { performance, cacheStats, health } = data;
    const total = performance.total;

    const badge = $('health');
    badge.textContent = health.status;
    badge.className = `badge ${health.status.toLowerCase()}`;
    $('dependencies').textContent = health.dependencies.map((d) => `${d.name} ${d.status.toLowerCase()}${d.latencyMs !== null ? ` ${d.latencyMs.toFixed(1)} ms` : ''}`).join(' · ');
    $('meta').textContent = `window ${Math.round(performance.windowSeconds / 60)} min · ${performance.bucketSeconds} s buckets · cache ${cacheStats.enabled ? cacheStats.backend : 'off'}`;
    $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;

    $('kpi-rps').textContent = fmtRate(total.requestsPerSecond);
    $('kpi-p95').textContent = fmtMs(total.p95Ms);
    $('kpi-p99').textContent = fmtMs(total.p99Ms);
    $('kpi-hit').textContent = fmtPct(total.cacheHitRate);
    $('kpi-err').textContent = fmtPct(total.errorRate);
    const l1 = cacheStats.tiers.find((t) => t.tier === 'L1');
    $('kpi-l1').textContent = fmtBytes(l1 ? l1.bytes : null);

    renderAlerts(performance);
    renderTimeline(performance);
    charts.hits.setData([history.t, history.responses, history.l1, history.l2]);
    charts.invalidations.setData([history.t, history.invalidations]);
    charts.l1.setData([history.t, history.bytes]);
    renderOperations(performance);
  }

  function renderTimeline(performance) {
    const points = performance.timeline.filter((bucket) => bucket.seconds > 0);
    const t = points.map((bucket) => Date.parse(bucket.start) / 1000);
    charts.requests.setData([t, points.map((b) => b.requestsPerSecond), points.map((b) => (b.seconds > 0 ? b.errors / b.seconds : 0))]);
    charts.latency.setData([t, points.map((b) => b.p50Ms), points.map((b) => b.p95Ms), points.map((b) => b.p99Ms)]);
  }

  function renderAlerts(performance) {
    const list = $('alert-list');
    list.replaceChildren();
    if (performance.alerts.length === 0) {
      const { hitRateBelow, p95AboveMs, errorRateAbove, minSamples } = performance.thresholds;
      list.append(item(`No alerts firing (hit rate < ${fmtPct(hitRateBelow)}, p95 > ${p95AboveMs} ms, errors > ${fmtPct(errorRateAbove)}; at least ${minSamples} requests)`, 'ok'));
      return;
    }
    for (const alert of performance.alerts) list.append(item(`⚠ ${alert.message} (${alert.samples} requests)`));
  }

  function item(text, className) {
    const li = document.createElement('li');
    li.textContent = text;
    if (className) li.className = className;
    return li;
  }

  function renderOperations(performance) {
    const { thresholds } = performance;
    fillTable('top-operations', performance.operations, (op) => [
      [op.operation],
      [fmtRate(op.requestsPerSecond)],
      [String(op.count)],
      [fmtPct(op.errorRate), op.count >= thresholds.minSamples && op.errorRate > thresholds.errorRateAbove],
      [fmtMs(op.p50Ms)],
      [fmtMs(op.p95Ms), thresholds.p95AboveMs > 0 && op.p95Ms > thresholds.p95AboveMs],
      [fmtMs(op.p99Ms)],
      [fmtPct(op.cacheHitRate), op.cacheHitRate !== null && op.cacheHitRate < thresholds.hitRateBelow],
    ]);
    fillTable('slowest', performance.slowest, (op) => [[op.operation], [String(op.count)], [fmtMs(op.p95Ms)], [fmtMs(op.p99Ms)], [fmtMs(op.maxMs)]]);
  }

  function fillTable(id, rows, cells) {
    const body = $(id).querySelector('tbody');
    body.replaceChildren();
    if (rows.length === 0) {
      const tr = document.createElement('tr');
      const td = document.createElement('td');
      td.colSpan = $(id).querySelectorAll('th').length;
      td.className = 'muted';
      td.textContent = 'No requests in the window yet';
      tr.append(td);
      body.append(tr);
      return;
    }
    for (const row of rows) {
      const tr = document.createElement('tr');
      for (const [text, bad] of cells(row)) {
        const td = document.createElement('td');
        td.textContent = text;
        if (bad) td.className = 'bad';
        tr.append(td);
      }
      body.append(tr);
    }
  }

  // ---- polling -------------------------------------------------------------------------------------------------
  // In production cacheStats and performance are for admins (docs/security.md): open the page as
  // /dashboard#token=<admin credential>. The token is kept for the tab only and taken off the address bar.
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) {
    sessionStorage.setItem('beacon-token', fromHash);
    history.replaceState(null, '', location.pathname + location.search);
  }
  const token = sessionStorage.getItem('beacon-token');
  const authorization = token ? { authorization: `Bearer ${token}` } : {};

  async function poll() {
    try {
      const response = await fetch(ENDPOINT, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...authorization },
        body: JSON.stringify({ query: QUERY, operationName: 'BeaconDashboard' }),
      });
      const body = await response.json();
      if (!body.data) throw new Error(body.errors?.[0]?.message ?? `HTTP ${response.status}`);
      const now = Date.now();
      remember(now, body.data);
      render(body.data);
      state.last = body.data;
      state.polls += 1;
      $('offline').hidden = true;
    } catch (error) {
      state.failures += 1;
      $('offline').hidden = false;
      $('offline').textContent = `Beacon is not answering (${error.message}); retrying…`;
    } finally {
      setTimeout(poll, POLL_MS);
    }
  }

  // ---- live changes ------------------------------------------------------------------------------------------
  // The "Recent changes" panel is pushed, not polled: one `changed` subscription over GraphQL over SSE (docs/live.md),
  // read with fetch's stream (the protocol's distinct-connections mode is a POST answered with an event stream, so no
  // client library is needed). Lost connections reconnect after 2 s.
  const LIVE_QUERY = 'subscription DashboardChanges { changed { type id tags at } }';
  const MAX_CHANGES_SHOWN = 20;
  state.changes = 0;
  state.liveConnected = false;

  async function listen() {
    try {
      const response = await fetch('/graphql/stream', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...authorization },
        body: JSON.stringify({ query: LIVE_QUERY, operationName: 'DashboardChanges' }),
      });
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      state.liveConnected = true;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: ?(.*)$/m.exec(message)?.[1];
          const data = message.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trimStart()).join('\n');
          if (event === 'next' && data) showChange(JSON.parse(data));
        }
      }
    } catch {
      // Reconnected below.
    }
    state.liveConnected = false;
    setTimeout(listen, 2000);
  }

  function showChange(result) {
    const change = result.data && result.data.changed;
    if (!change) return;
    state.changes += 1;
    const list = $('change-list');
    if (list.firstElementChild && list.firstElementChild.classList.contains('muted')) list.textContent = '';
    const entry = item(`${new Date(change.at).toLocaleTimeString()} · ${change.type} ${change.id}`, 'change');
    entry.title = change.tags.join(' ');
    list.prepend(entry);
    while (list.children.length > MAX_CHANGES_SHOWN) list.lastElementChild.remove();
  }

  poll();
  listen();
})();
