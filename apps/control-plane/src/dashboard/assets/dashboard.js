/* global document, window, sessionStorage, fetch, URLSearchParams, setTimeout, clearTimeout */
/**
 * Switchboard's monitoring page. Plain ES module, no build step: it asks for an admin key, then
 * polls the admin JSON API and renders tables and Chart.js charts.
 *
 * Everything inserted into the page is set through `textContent` or DOM properties, never as HTML:
 * model names, reasons and descriptions come from the registry and from callers.
 */

const keyStorageName = 'switchboard.dashboard.adminKey';
const liveChartPoints = 180;
const palette = [
  '#2563eb',
  '#16a34a',
  '#ea580c',
  '#9333ea',
  '#0891b2',
  '#db2777',
  '#65a30d',
  '#ca8a04',
  '#475569',
];

/** `?refreshMs=1000` polls faster (tests, demos); default every 5 seconds, never below half a second. */
const refreshMs = (() => {
  const asked = Number(new URLSearchParams(window.location.search).get('refreshMs'));
  return Number.isFinite(asked) && asked >= 500 ? asked : 5000;
})();

const state = {
  key: sessionStorage.getItem(keyStorageName),
  timer: undefined,
  running: false,
  /** Cumulative cost today per model at each refresh: the live chart's data. */
  live: { labels: [], series: new Map() },
  charts: {},
};

// ---------------------------------------------------------------- DOM helpers

const byId = (id) => document.getElementById(id);

/** An element with properties (`className`, `title`, `type`, `onclick`...) and children (text or nodes). */
function el(tag, properties = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(properties)) {
    if (value === undefined || value === null) continue;
    if (name === 'dataset') Object.assign(element.dataset, value);
    else element[name] = value;
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof window.Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

function replaceContent(container, ...children) {
  container.replaceChildren(...children.flat().filter((child) => child !== undefined && child !== null));
}

function pill(text, tone, title) {
  return el('span', { className: `pill pill-${tone}`, title }, text);
}

function emptyNote(text) {
  return el('p', { className: 'empty' }, text);
}

/**
 * A table: `columns` are `{ label, value: (row) => string | Node, numeric? }`. Values are text or
 * nodes built with {@link el}; nothing is parsed as HTML.
 */
function table(columns, rows, options = {}) {
  const head = el(
    'thead',
    {},
    el(
      'tr',
      {},
      columns.map((column) => el('th', { className: column.numeric ? 'num' : '' }, column.label)),
    ),
  );
  const body = el(
    'tbody',
    {},
    rows.map((row) =>
      el(
        'tr',
        options.rowData ? { dataset: options.rowData(row) } : {},
        columns.map((column) =>
          el('td', { className: column.numeric ? 'num' : '' }, column.value(row) ?? '—'),
        ),
      ),
    ),
  );
  return el('table', { className: 'table' }, head, body);
}

// ---------------------------------------------------------------- formatting

const dollarsFormat = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const countFormat = new Intl.NumberFormat('en-US');

/** Integer micro-dollars as dollars; amounts under a cent keep their micro-dollar precision. */
function dollars(micros) {
  if (micros === undefined || micros === null) return '—';
  if (micros === 0) return '$0.00';
  if (Math.abs(micros) < 10_000)
    return `${micros < 0 ? '-' : ''}$${(Math.abs(micros) / 1_000_000).toFixed(6)}`;
  return dollarsFormat.format(micros / 1_000_000);
}

function count(value) {
  return value === undefined || value === null ? '—' : countFormat.format(value);
}

function milliseconds(value) {
  if (value === undefined || value === null) return '—';
  return value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(2)} s`;
}

function percent(value) {
  return value === undefined || value === null ? '—' : `${(value * 100).toFixed(1)}%`;
}

function clockTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '—' : date.toLocaleTimeString();
}

function dateTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '—' : date.toLocaleString();
}

function circuitPill(circuit) {
  if (!circuit) return pill('unknown', 'muted');
  const tone = circuit.status === 'closed' ? 'ok' : circuit.status === 'half-open' ? 'warn' : 'bad';
  const title = circuit.openReason
    ? `opened: ${circuit.openReason}${circuit.openUntil ? `, until ${dateTime(circuit.openUntil)}` : ''}`
    : undefined;
  return pill(circuit.status, tone, title);
}

function riskPill(risk) {
  const tone = risk === 'crisis' ? 'bad' : risk === 'elevated' ? 'warn' : risk === 'low' ? 'info' : 'muted';
  return pill(risk, tone);
}

// ---------------------------------------------------------------- API

class AuthError extends Error {}

/**
 * GETs an admin route with the key. 404 means the route does not exist on this control plane (yet):
 * the caller shows "no data yet". 401/403 end the session with a message.
 */
async function api(path) {
  const response = await fetch(path, {
    headers: { authorization: `Bearer ${state.key}`, accept: 'application/json' },
  });
  if (response.status === 401)
    throw new AuthError(
      'The admin key was not accepted (401): it is unknown or revoked. Log in with a valid admin key.',
    );
  if (response.status === 403)
    throw new AuthError('This key may not read the admin API (403): log in with a key of scope "admin".');
  if (response.status === 404) return null;
  if (!response.ok) {
    let message = `HTTP ${response.status}`;
    try {
      const body = await response.json();
      if (body?.error?.message) message = body.error.message;
    } catch {
      // not JSON: keep the status
    }
    throw new Error(`${path.split('?')[0]}: ${message}`);
  }
  return response.json();
}

function startOfUtcDay(date) {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

function costQuery(from, to, groupBy) {
  return `/admin/analytics/cost?${new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), groupBy })}`;
}

async function loadAll() {
  const now = new Date();
  const today = startOfUtcDay(now);
  const fortnight = new Date(today.getTime() - 13 * 86_400_000);
  const requests = {
    health: api('/admin/health/models'),
    models: api('/admin/models'),
    providers: api('/admin/providers'),
    policies: api('/admin/policies'),
    decisions: api('/admin/decisions?limit=25'),
    costToday: api(costQuery(today, now, 'model')),
    costByModel: api(costQuery(fortnight, now, 'day,model')),
    costByTask: api(costQuery(fortnight, now, 'day,taskType')),
    performance: api(
      `/admin/analytics/performance?${new URLSearchParams({ from: today.toISOString(), to: now.toISOString(), groupBy: 'model' })}`,
    ),
    budgets: api('/admin/budgets'),
  };
  const names = Object.keys(requests);
  const settled = await Promise.allSettled(Object.values(requests));
  const auth = settled.find(
    (outcome) => outcome.status === 'rejected' && outcome.reason instanceof AuthError,
  );
  if (auth) throw auth.reason;
  const data = {};
  const failures = [];
  settled.forEach((outcome, index) => {
    const name = names[index];
    if (outcome.status === 'fulfilled') data[name] = outcome.value;
    else {
      data[name] = undefined;
      failures.push(outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason));
    }
  });
  return { data, failures, at: now };
}

// ---------------------------------------------------------------- sections

function renderKpis({ costToday, health }) {
  byId('kpi-cost-today').textContent = costToday ? dollars(costToday.totals?.costMicros ?? 0) : 'no data yet';
  byId('kpi-cost-month').textContent = costToday?.monthToDate
    ? dollars(costToday.monthToDate.costMicros)
    : '—';
  byId('kpi-cost-projected').textContent = costToday?.monthToDate
    ? dollars(costToday.monthToDate.projectedMonthMicros)
    : '—';
  byId('kpi-requests').textContent = costToday ? count(costToday.totals?.requests ?? 0) : '—';
  const reports = health?.data ?? [];
  const closed = reports.filter((report) => report.circuit?.status === 'closed').length;
  byId('kpi-circuits').textContent = reports.length === 0 ? '—' : `${closed} / ${reports.length}`;
}

function renderModels({ health, models, costToday, performance }) {
  const container = byId('models');
  const reports = new Map((health?.data ?? []).map((report) => [report.modelId, report]));
  const registry = new Map((models?.data ?? []).map((model) => [model.id, model]));
  const costs = new Map((costToday?.rows ?? []).map((row) => [row.model, row]));
  const performanceRows = new Map((performance?.rows ?? []).map((row) => [row.model, row]));
  const ids = [...reports.keys()];
  for (const id of registry.keys()) if (!reports.has(id)) ids.push(id);
  if (ids.length === 0) {
    replaceContent(
      container,
      emptyNote(health === undefined ? 'Model health could not be loaded.' : 'No models yet.'),
    );
    return;
  }
  const rows = ids.map((id) => ({
    id,
    report: reports.get(id),
    model: registry.get(id),
    cost: costs.get(id),
    performance: performanceRows.get(id),
  }));
  replaceContent(
    container,
    table(
      [
        {
          label: 'Model',
          value: (row) =>
            el(
              'div',
              { className: 'model-cell' },
              el('span', { className: 'mono' }, row.id),
              row.model?.displayName ? el('span', { className: 'muted small' }, row.model.displayName) : null,
            ),
        },
        { label: 'Provider', value: (row) => row.report?.provider ?? row.model?.provider ?? '—' },
        {
          label: 'Enabled',
          value: (row) =>
            row.model === undefined
              ? pill('unregistered', 'muted')
              : row.model.enabled
                ? pill('enabled', 'ok')
                : pill('disabled', 'muted'),
        },
        {
          label: 'Circuit',
          value: (row) => (row.report ? circuitPill(row.report.circuit) : pill('not probed', 'muted')),
        },
        {
          label: 'p50',
          numeric: true,
          value: (row) => milliseconds(row.report?.latencyMs?.p50 ?? row.performance?.p50LatencyMs),
        },
        {
          label: 'p95',
          numeric: true,
          value: (row) => milliseconds(row.report?.latencyMs?.p95 ?? row.performance?.p95LatencyMs),
        },
        {
          label: 'Error rate',
          numeric: true,
          value: (row) => percent(row.report?.errorRate ?? row.performance?.errorRate),
        },
        {
          label: 'Requests today',
          numeric: true,
          value: (row) => count(row.cost?.requests ?? row.performance?.requests ?? (costToday ? 0 : null)),
        },
        {
          label: 'Cost today',
          numeric: true,
          value: (row) => (costToday ? dollars(row.cost?.costMicros ?? 0) : '—'),
        },
        {
          label: 'Last probe',
          value: (row) =>
            row.report?.lastProbe
              ? `${row.report.lastProbe.outcome} · ${clockTime(row.report.lastProbe.at)}`
              : '—',
        },
      ],
      rows,
      { rowData: (row) => ({ model: row.id }) },
    ),
  );
}

function renderBudgets({ budgets }) {
  const container = byId('budgets');
  const list = Array.isArray(budgets) ? budgets : budgets?.data;
  if (!list) {
    replaceContent(
      container,
      emptyNote(
        budgets === null
          ? 'No budget data yet: this control plane has no budgets API.'
          : 'Budgets could not be loaded.',
      ),
    );
    return;
  }
  if (list.length === 0) {
    replaceContent(container, emptyNote('No budgets are set.'));
    return;
  }
  replaceContent(
    container,
    table(
      [
        { label: 'Budget', value: (budget) => el('span', { className: 'mono' }, budget.id) },
        {
          label: 'Scope',
          value: (budget) => (budget.scopeId ? `${budget.scope}: ${budget.scopeId}` : budget.scope),
        },
        { label: 'Period', value: (budget) => budget.period },
        { label: 'Mode', value: (budget) => pill(budget.mode, budget.mode === 'hard' ? 'bad' : 'info') },
        { label: 'Spent', numeric: true, value: (budget) => dollars(budget.spentMicros) },
        { label: 'Reserved', numeric: true, value: (budget) => dollars(budget.reservedMicros) },
        { label: 'Limit', numeric: true, value: (budget) => dollars(budget.limitMicros) },
        {
          label: 'Used',
          value: (budget) => {
            const used =
              budget.limitMicros > 0
                ? (budget.spentMicros + (budget.reservedMicros ?? 0)) / budget.limitMicros
                : 0;
            return el(
              'div',
              { className: 'meter-cell' },
              el('meter', { min: 0, max: 1, low: 0.7, high: 0.9, optimum: 0, value: Math.min(1, used) }),
              el('span', { className: 'small' }, percent(used)),
            );
          },
        },
        { label: 'Resets', value: (budget) => dateTime(budget.resetsAt) },
      ],
      list,
    ),
  );
}

function renderDecisions({ decisions }) {
  const container = byId('decisions');
  const list = decisions?.data;
  if (!list) {
    replaceContent(
      container,
      emptyNote(
        decisions === null
          ? 'No decision data yet: this control plane has no decisions API.'
          : 'Decisions could not be loaded.',
      ),
    );
    return;
  }
  if (list.length === 0) {
    replaceContent(
      container,
      emptyNote('No decisions yet: they appear as requests reach the gateway or /v1/select.'),
    );
    return;
  }
  replaceContent(
    container,
    table(
      [
        {
          label: 'Time',
          value: (decision) =>
            el(
              'button',
              {
                type: 'button',
                className: 'link decision-open',
                title: `Explain decision ${decision.id}`,
                onclick: () => openDecision(decision.id),
              },
              clockTime(decision.time),
            ),
        },
        { label: 'Source', value: (decision) => decision.source },
        { label: 'Policy', value: (decision) => decision.policy },
        { label: 'Task', value: (decision) => decision.task },
        { label: 'Risk', value: (decision) => riskPill(decision.risk) },
        {
          label: 'Chosen',
          value: (decision) => el('span', { className: 'mono' }, decision.chosenModel ?? '—'),
        },
        {
          label: 'Answered by',
          value: (decision) => el('span', { className: 'mono' }, decision.answeredBy ?? '—'),
        },
        { label: 'Reason', value: (decision) => el('span', { className: 'reason' }, decision.reason) },
      ],
      list,
      { rowData: (decision) => ({ decisionId: decision.id }) },
    ),
  );
}

async function openDecision(id) {
  const dialog = byId('decision-dialog');
  const detail = byId('decision-detail');
  byId('decision-dialog-title').textContent = 'Decision';
  replaceContent(detail, emptyNote('Loading…'));
  if (!dialog.open) dialog.showModal();
  let decision;
  try {
    decision = await api(`/admin/decisions/${encodeURIComponent(id)}`);
  } catch (error) {
    if (error instanceof AuthError) return logOut(error.message);
    replaceContent(
      detail,
      el('p', { className: 'error' }, error instanceof Error ? error.message : String(error)),
    );
    return;
  }
  if (!decision) {
    replaceContent(detail, emptyNote('This decision is no longer kept on this instance.'));
    return;
  }
  byId('decision-dialog-title').textContent = `Decision ${decision.id}`;
  const facts = el('dl', { className: 'facts' });
  for (const [term, value] of [
    ['Time', dateTime(decision.time)],
    ['Source', decision.source],
    ['Policy', decision.policy],
    ['Task', decision.task],
    ['Risk', riskPill(decision.risk)],
    ['Answered by', decision.answeredBy ?? '—'],
    ['Snapshot', `version ${decision.snapshotVersion}`],
    [
      'Sampling',
      decision.parameters
        ? `temperature ${decision.parameters.temperature}, top_p ${decision.parameters.topP}, max ${count(decision.parameters.maxOutputTokens)} output tokens`
        : '—',
    ],
    [
      'Weights',
      decision.weights
        ? `quality ${decision.weights.quality.toFixed(2)}, latency ${decision.weights.latency.toFixed(2)}, cost ${decision.weights.cost.toFixed(2)}`
        : '—',
    ],
    ['Exploration', decision.explored === null ? '—' : decision.explored ? 'yes' : 'no'],
  ]) {
    facts.append(el('dt', {}, term), el('dd', {}, value));
  }
  replaceContent(
    detail,
    el('p', { className: 'summary' }, decision.reason),
    facts,
    el('h3', {}, `Ranked candidates (${decision.candidates.length})`),
    decision.candidates.length === 0
      ? emptyNote(
          decision.noEligibleModel
            ? `No model qualified: ${decision.noEligibleModel.reason}`
            : 'No candidates kept.',
        )
      : table(
          [
            {
              label: '#',
              numeric: true,
              value: (candidate) => String(decision.candidates.indexOf(candidate) + 1),
            },
            {
              label: 'Model',
              value: (candidate) =>
                el(
                  'span',
                  { className: 'mono' },
                  candidate.modelId,
                  candidate.exploratory ? ' (explored)' : '',
                ),
            },
            { label: 'Score', numeric: true, value: (candidate) => candidate.score.toFixed(3) },
            {
              label: 'Quality · latency · cost',
              value: (candidate) =>
                `${candidate.components.quality.toFixed(2)} · ${candidate.components.latency.toFixed(2)} · ${candidate.components.cost.toFixed(2)}`,
            },
            {
              label: 'Worst-case cost',
              numeric: true,
              value: (candidate) =>
                candidate.estimatedCostMicros === undefined || candidate.estimatedCostMicros === null
                  ? 'unpriced'
                  : dollars(candidate.estimatedCostMicros),
            },
            {
              label: 'First token',
              numeric: true,
              value: (candidate) => milliseconds(candidate.expectedTimeToFirstTokenMs),
            },
            { label: 'Circuit', value: (candidate) => circuitPill({ status: candidate.circuit }) },
            { label: 'Why', value: (candidate) => el('span', { className: 'reason' }, candidate.reason) },
          ],
          decision.candidates,
        ),
    el('h3', {}, `Rejected (${decision.rejections.length})`),
    decision.rejections.length === 0
      ? emptyNote('No model was rejected.')
      : table(
          [
            { label: 'Model', value: (rejection) => el('span', { className: 'mono' }, rejection.modelId) },
            { label: 'Rule', value: (rejection) => pill(rejection.code, 'muted') },
            { label: 'Why', value: (rejection) => el('span', { className: 'reason' }, rejection.reason) },
          ],
          decision.rejections,
        ),
  );
}

function renderRegistry({ models, providers, policies }) {
  const unavailable = (what) => emptyNote(`The ${what} could not be loaded.`);
  replaceContent(
    byId('registry-providers'),
    providers?.data
      ? table(
          [
            { label: 'Provider', value: (provider) => el('span', { className: 'mono' }, provider.id) },
            { label: 'Kind', value: (provider) => provider.kind },
            {
              label: 'Base URL',
              value: (provider) => el('span', { className: 'mono small' }, provider.baseUrl ?? '—'),
            },
            {
              label: 'Key variable',
              value: (provider) => el('span', { className: 'mono small' }, provider.apiKeyEnv ?? '—'),
            },
            {
              label: 'Enabled',
              value: (provider) => (provider.enabled ? pill('enabled', 'ok') : pill('disabled', 'muted')),
            },
          ],
          providers.data,
        )
      : unavailable('providers'),
  );
  replaceContent(
    byId('registry-models'),
    models?.data
      ? table(
          [
            { label: 'Model', value: (model) => el('span', { className: 'mono' }, model.id) },
            { label: 'Name', value: (model) => model.displayName ?? '—' },
            { label: 'Provider', value: (model) => `${model.provider} · ${model.providerModel}` },
            { label: 'Context', numeric: true, value: (model) => count(model.contextWindow) },
            {
              label: 'Input / M tokens',
              numeric: true,
              value: (model) => (model.price ? dollars(model.price.inputPerMillionMicros) : 'unpriced'),
            },
            {
              label: 'Output / M tokens',
              numeric: true,
              value: (model) => (model.price ? dollars(model.price.outputPerMillionMicros) : 'unpriced'),
            },
            { label: 'Safety tier', numeric: true, value: (model) => String(model.safetyTier) },
            {
              label: 'Enabled',
              value: (model) => (model.enabled ? pill('enabled', 'ok') : pill('disabled', 'muted')),
            },
          ],
          models.data,
        )
      : unavailable('models'),
  );
  replaceContent(
    byId('registry-policies'),
    policies?.data
      ? table(
          [
            { label: 'Policy', value: (policy) => el('span', { className: 'mono' }, policy.name) },
            {
              label: 'Description',
              value: (policy) => el('span', { className: 'reason' }, policy.description ?? ''),
            },
            {
              label: 'Task types',
              value: (policy) =>
                policy.appliesTo?.taskTypes?.length ? policy.appliesTo.taskTypes.join(', ') : 'any',
            },
            {
              label: 'Weights q · l · c',
              value: (policy) =>
                policy.weights
                  ? `${policy.weights.quality} · ${policy.weights.latency} · ${policy.weights.cost}`
                  : '—',
            },
            { label: 'Exploration', numeric: true, value: (policy) => percent(policy.explorationRate) },
            {
              label: 'Enabled',
              value: (policy) => (policy.enabled ? pill('enabled', 'ok') : pill('disabled', 'muted')),
            },
          ],
          policies.data,
        )
      : unavailable('policies'),
  );
}

// ---------------------------------------------------------------- charts

function chartLibrary() {
  return window.Chart;
}

const dollarTicks = { callback: (value) => dollars(Math.round(Number(value) * 1_000_000)) };

function ensureChart(id, type, stacked) {
  if (state.charts[id]) return state.charts[id];
  const Chart = chartLibrary();
  if (!Chart) return undefined;
  const chart = new Chart(byId(id), {
    type,
    data: { labels: [], datasets: [] },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      plugins: {
        legend: { position: 'bottom', labels: { boxWidth: 12 } },
        tooltip: {
          callbacks: {
            label: (item) => `${item.dataset.label}: ${dollars(Math.round(item.parsed.y * 1_000_000))}`,
          },
        },
      },
      scales: { x: { stacked }, y: { stacked, beginAtZero: true, ticks: dollarTicks } },
    },
  });
  state.charts[id] = chart;
  return chart;
}

function showChartNote(id, note) {
  const empty = byId(`${id}-empty`);
  empty.textContent = note ?? '';
  empty.hidden = note === undefined;
}

/** Appends this refresh's cumulative cost today per model to the live chart. */
function renderLiveCost({ costToday }, at) {
  const id = 'chart-cost-live';
  if (!costToday) {
    showChartNote(
      id,
      costToday === null
        ? 'No cost data yet: this control plane has no cost analytics API.'
        : 'Cost could not be loaded.',
    );
    return;
  }
  const live = state.live;
  live.labels.push(at.toLocaleTimeString());
  const seen = new Set();
  const append = (name, micros) => {
    let points = live.series.get(name);
    if (!points) {
      points = live.labels.slice(0, -1).map(() => 0);
      live.series.set(name, points);
    }
    points.push(micros / 1_000_000);
    seen.add(name);
  };
  append('All models', costToday.totals?.costMicros ?? 0);
  for (const row of costToday.rows ?? []) append(row.model ?? 'unknown', row.costMicros ?? 0);
  for (const [name, points] of live.series) if (!seen.has(name)) points.push(0);
  if (live.labels.length > liveChartPoints) {
    live.labels.shift();
    for (const points of live.series.values()) points.shift();
  }
  const chart = ensureChart(id, 'line', false);
  if (!chart) return showChartNote(id, 'Charts are unavailable: Chart.js did not load.');
  showChartNote(id, (costToday.totals?.costMicros ?? 0) === 0 ? 'No spend yet today.' : undefined);
  chart.data.labels = [...live.labels];
  chart.data.datasets = [...live.series].map(([name, points], index) => ({
    label: name,
    data: [...points],
    borderColor: name === 'All models' ? '#0f172a' : palette[index % palette.length],
    backgroundColor: name === 'All models' ? '#0f172a' : palette[index % palette.length],
    borderWidth: name === 'All models' ? 2.5 : 1.5,
    pointRadius: 0,
    tension: 0.2,
  }));
  chart.update();
}

/** A stacked bar chart of cost per day, one dataset per value of `dimension`. */
function renderDailyCost(id, result, dimension, what) {
  if (!result) {
    showChartNote(
      id,
      result === null
        ? 'No cost data yet: this control plane has no cost analytics API.'
        : `Cost by ${what} could not be loaded.`,
    );
    return;
  }
  const rows = result.rows ?? [];
  const days = [];
  const end = startOfUtcDay(new Date(result.to ?? Date.now()));
  for (let index = 13; index >= 0; index -= 1)
    days.push(new Date(end.getTime() - index * 86_400_000).toISOString().slice(0, 10));
  const byName = new Map();
  for (const row of rows) {
    const name = row[dimension] ?? 'unknown';
    const day = String(row.day ?? '').slice(0, 10);
    const dayIndex = days.indexOf(day);
    if (dayIndex < 0) continue;
    if (!byName.has(name))
      byName.set(
        name,
        days.map(() => 0),
      );
    byName.get(name)[dayIndex] += (row.costMicros ?? 0) / 1_000_000;
  }
  const chart = ensureChart(id, 'bar', true);
  if (!chart) return showChartNote(id, 'Charts are unavailable: Chart.js did not load.');
  showChartNote(id, byName.size === 0 ? 'No spend in the last 14 days.' : undefined);
  chart.data.labels = days.map((day) => day.slice(5));
  chart.data.datasets = [...byName].map(([name, values], index) => ({
    label: name,
    data: values,
    backgroundColor: palette[index % palette.length],
  }));
  chart.update();
}

// ---------------------------------------------------------------- refresh loop and session

function setStatus(text, tone) {
  const status = byId('refresh-status');
  status.textContent = text;
  status.className = `refresh-status refresh-${tone}`;
}

async function refresh() {
  if (!state.running) return;
  try {
    const { data, failures, at } = await loadAll();
    if (!state.running) return;
    renderKpis(data);
    renderModels(data);
    renderLiveCost(data, at);
    renderDailyCost('chart-cost-model', data.costByModel, 'model', 'model');
    renderDailyCost('chart-cost-task', data.costByTask, 'taskType', 'task type');
    renderBudgets(data);
    renderDecisions(data);
    renderRegistry(data);
    setStatus(
      failures.length === 0
        ? `Live · updated ${at.toLocaleTimeString()}`
        : `Updated ${at.toLocaleTimeString()} with errors: ${failures[0]}`,
      failures.length === 0 ? 'ok' : 'warn',
    );
  } catch (error) {
    if (error instanceof AuthError) return logOut(error.message);
    setStatus(`Refresh failed: ${error instanceof Error ? error.message : String(error)} (retrying)`, 'bad');
  }
  if (state.running) state.timer = setTimeout(refresh, refreshMs);
}

function showApp() {
  byId('login-view').hidden = true;
  byId('app-view').hidden = false;
  byId('logout').hidden = false;
  state.running = true;
  setStatus('Loading…', 'muted');
  void refresh();
}

function logOut(message) {
  state.running = false;
  clearTimeout(state.timer);
  state.key = null;
  sessionStorage.removeItem(keyStorageName);
  for (const chart of Object.values(state.charts)) chart.destroy();
  state.charts = {};
  state.live = { labels: [], series: new Map() };
  byId('app-view').hidden = true;
  byId('logout').hidden = true;
  byId('login-view').hidden = false;
  setStatus('', 'muted');
  const problem = byId('login-error');
  problem.textContent = message ?? '';
  problem.hidden = !message;
  byId('admin-key').value = '';
  byId('admin-key').focus();
}

async function logIn(event) {
  event.preventDefault();
  const key = byId('admin-key').value.trim();
  const problem = byId('login-error');
  problem.hidden = true;
  if (key === '') return;
  state.key = key;
  try {
    const probe = await api('/admin/health/models');
    if (probe === null) throw new Error('this control plane has no /admin/health/models');
  } catch (error) {
    state.key = null;
    problem.textContent =
      error instanceof AuthError
        ? error.message
        : `Could not reach the control plane: ${error instanceof Error ? error.message : String(error)}`;
    problem.hidden = false;
    return;
  }
  sessionStorage.setItem(keyStorageName, key);
  byId('admin-key').value = '';
  showApp();
}

byId('login-form').addEventListener('submit', (event) => void logIn(event));
byId('logout').addEventListener('click', () => logOut());
byId('decision-dialog-close').addEventListener('click', () => byId('decision-dialog').close());

if (state.key) showApp();
else logOut();
