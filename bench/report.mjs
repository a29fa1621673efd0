// Turns raw results into table rows: each figure with its median, min and max, its ratio to the baseline measured
// in the same run, and the target it is held to.

const fmt = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '—');
const range = (s, digits) => `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;

export function buildReport(results, environment) {
  const rows = [];
  const add = (section, figure, spread, unit, digits = 2, extra = {}) =>
    rows.push({ section, figure, unit, ...spread, text: range(spread, digits), ...extra });

  if (results.rpc) addRpcRows(results.rpc, add);
  if (results.connections) {
    const sizes = Object.keys(results.connections)
      .map(Number)
      .sort((a, b) => a - b);
    const small = results.connections[sizes[0]];
    for (const size of sizes) {
      const r = results.connections[size];
      const label = size.toLocaleString('en');
      rows.push({
        section: 'connections',
        figure: `seed ${label} Connections`,
        unit: 's',
        median: r.seedMs / 1000,
        text: fmt(r.seedMs / 1000, 1),
      });
      add(
        'connections',
        `registerConnection @64, ${label} stored`,
        r.register.perSecond,
        'calls/s',
        0,
        ratioTo(r.register.perSecond, small.register.perSecond, 'vs smallest'),
      );
      add(
        'connections',
        `getConnectionsForUserId @64, ${label} stored`,
        r.lookup.perSecond,
        'calls/s',
        0,
        ratioTo(r.lookup.perSecond, small.lookup.perSecond, 'vs smallest'),
      );
      add('connections', `getConnectionsForUserId p50, ${label} stored`, r.lookup.p50, 'ms');
    }
  }
  if (results.memory) {
    const m = results.memory;
    const one = (figure, value, unit, extra = {}) =>
      rows.push({ section: 'memory', figure, unit, median: value, text: fmt(value, 1), ...extra });
    one('worker RSS after warm-up', m.beforeMiB, 'MiB');
    one(`worker RSS after ${m.runs.toLocaleString('en')} runs`, m.afterMiB, 'MiB');
    one(
      'RSS growth over the second half of the runs',
      m.secondHalfGrowthMiB,
      'MiB',
      // Over 10,000 quick runs the heap is still settling; only a full run can tell growth from warm-up.
      m.runs >= 100_000 ? verdict(m.secondHalfGrowthMiB <= 5, '≤ 5 MiB (no growth with runs)') : {},
    );
  }
  if (results.startup) {
    const s = results.startup;
    add('startup', `process start to ready, ${s.integrations} integrations / ${s.actions} actions`, s.readyMs, 'ms', 0);
    add('startup', 'first call of an action (compiles it)', s.firstCallMs, 'ms');
    add('startup', 'later calls of the same action (p50)', s.laterCallMs, 'ms');
  }
  if (results.records) addRecordRows(results.records, add, rows);
  return { rows, text: renderTable(rows, environment) };
}

function addRecordRows(r, add, rows) {
  const label = r.stored.toLocaleString('en');
  rows.push({
    section: 'records',
    figure: `seed ${label} records`,
    unit: 's',
    median: r.seedMs / 1000,
    text: fmt(r.seedMs / 1000, 1),
  });
  add('records', `save, batches of ${r.batchSize}: new records`, r.insertPerSecond, 'records/s', 0);
  add('records', `save, batches of ${r.batchSize}: changed records`, r.updatePerSecond, 'records/s', 0);
  const one = (figure, value, extra = {}) =>
    rows.push({ section: 'records', figure, unit: 'ms', median: value, text: fmt(value, 3), ...extra });
  one('listRecords first page (100): p50', r.firstPage.p50);
  one(`listRecords page after ${label} records: p50`, r.deepPage.p50, {
    ratio: r.deepPage.p50 / r.firstPage.p50,
    ratioText: `${fmt(r.deepPage.p50 / r.firstPage.p50, 2)}× first page`,
    ...verdict(r.deepPage.p50 / r.firstPage.p50 <= 1.2, '≤ 1.2× the first page'),
  });
  one('listRecords first page (100): p99', r.firstPage.p99);
  one(`listRecords page after ${label} records: p99`, r.deepPage.p99);
}

function addRpcRows(rpc, add) {
  for (const inFlight of [1, 16, 64]) {
    const base = rpc[`baseline@${inFlight}`];
    if (!base) continue; // a level left out with --levels (or the baseline with --calls)
    add('rpc', `baseline @${inFlight}: p50`, base.p50, 'ms', 3);
    add('rpc', `baseline @${inFlight}: p99`, base.p99, 'ms', 3);
    add('rpc', `baseline @${inFlight}: calls/s`, base.perSecond, 'calls/s', 0);
    for (const name of ['noop', 'http']) {
      const r = rpc[`${name}@${inFlight}`];
      if (!r) continue;
      const label = name === 'noop' ? 'triggerAction no-op' : 'triggerAction + 1 httpRequest';
      const p50Target =
        name === 'noop' && inFlight === 1 ? verdictRatio(r.p50.median / base.p50.median, (x) => x <= 1.2, '≤ 1.2× baseline') : {};
      const rateTarget =
        name === 'noop' && inFlight === 64
          ? verdictRatio(r.perSecond.median / base.perSecond.median, (x) => x >= 0.8, '≥ 0.8× baseline')
          : {};
      add('rpc', `${label} @${inFlight}: p50`, r.p50, 'ms', 3, { ...ratioTo(r.p50, base.p50), ...p50Target });
      add('rpc', `${label} @${inFlight}: p99`, r.p99, 'ms', 3, ratioTo(r.p99, base.p99));
      add('rpc', `${label} @${inFlight}: calls/s`, r.perSecond, 'calls/s', 0, {
        ...ratioTo(r.perSecond, base.perSecond),
        ...rateTarget,
      });
    }
  }
}

function ratioTo(value, baseline, label = 'vs baseline') {
  const ratio = value.median / baseline.median;
  return { ratio, ratioText: `${fmt(ratio, 2)}× ${label}` };
}

function verdictRatio(ratio, ok, target) {
  return verdict(ok(ratio), target);
}

function verdict(ok, target) {
  return { target, met: ok };
}

function renderTable(rows, environment) {
  const header = ['figure', 'median (min–max)', 'unit', 'ratio', 'target'];
  const body = rows.map((r) => [
    r.figure,
    r.text,
    r.unit,
    r.ratioText ?? '',
    r.target ? `${r.met ? 'met' : 'MISSED'}: ${r.target}` : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  const missed = rows.filter((r) => r.target && !r.met);
  return [
    `Nango benchmarks — ${environment.mode} run, ${environment.queueType} queues, ${environment.store ?? 'sqlite'} store, ${environment.date}, commit ${environment.commit}`,
    `node ${environment.node}, ${environment.cpu}, ${environment.memoryGiB} GiB, RabbitMQ ${environment.rabbitmq}, ${environment.durationS} s`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
    '',
    missed.length === 0
      ? 'Every target met.'
      : `Targets missed: ${missed.map((r) => `${r.figure} (${r.ratioText ?? r.text})`).join('; ')}`,
  ].join('\n');
}
