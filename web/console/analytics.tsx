import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { format, htmlLang, type Locale } from '../shared/locale.js';
import { ApiError, type AgentApi } from './api.js';
import { analyticsStrings, consoleStrings, type AnalyticsStrings, type ConsoleStrings } from './strings.js';

/**
 * The analytics screen (#/analytics; docs/web.md, "Analytics"): per-day trends as Chart.js 4
 * charts (only the bar and line controllers, elements and scales used are imported and
 * registered, so the rest of Chart.js is tree-shaken away), phrasing clusters of what kefu did not
 * answer with a proposed FAQ question, distinct phrasings per FAQ entry, and CSV / JSONL exports
 * of every chart's data. The API is /v1/agent/analytics (trainer scope).
 */

Chart.register(
  BarController,
  BarElement,
  LineController,
  LineElement,
  PointElement,
  CategoryScale,
  LinearScale,
  Legend,
  Tooltip,
);
Chart.defaults.font.family =
  "system-ui, -apple-system, 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif";
Chart.defaults.color = '#4e5969';

interface TrendDay {
  day: string;
  conversations: number;
  volume: Record<string, number>;
  otherVolume: number;
  unrecognisedVolume: number;
  containment: number | null;
  handoverRate: number | null;
  csatAverage: number | null;
  costPerResolution: number | null;
  styleConsistency: number | null;
}

interface Trends {
  from: string;
  to: string;
  intents: Array<{ id: string; name: string; turns: number }>;
  days: TrendDay[];
  totals: {
    conversations: number;
    containment: number | null;
    handoverRate: number | null;
    csatAverage: number | null;
    costPerResolution: number | null;
    styleConsistency: number | null;
  };
}

interface Cluster {
  index: number;
  size: number;
  phrasings: number;
  share: number;
  proposedQuestion: string;
  representatives: Array<{ text: string; count: number }>;
  reasons: Record<string, number>;
}

interface Phrasings {
  entries: Array<{ kind: string; id: string; name: string; phrasings: number; messages: number }>;
}

const PALETTE = ['#1f6feb', '#f7ba1e', '#14c9c9', '#f77234', '#722ed1', '#00b42a', '#eb0aa4', '#3491fa', '#a9aeb8'];

function localeOf(t: ConsoleStrings): Locale {
  return (Object.keys(consoleStrings) as Locale[]).find((locale) => consoleStrings[locale] === t) ?? 'zh-Hans';
}

const percent = (value: number | null) => (value === null ? null : Math.round(value * 1000) / 10);

/** The header link that opens or closes the analytics screen. */
export function AnalyticsTab({ t, active }: { t: ConsoleStrings; active: boolean }) {
  const s = analyticsStrings[localeOf(t)];
  return (
    <a class="analytics-tab" href={active ? '#/' : '#/analytics'} aria-current={active ? 'page' : undefined}>
      {active ? s.backToConsole : s.tab}
    </a>
  );
}

/** One Chart.js chart; its series are also on the canvas as `data-series` (what the browser test compares). */
function ChartCanvas({ config, testId, label }: { config: ChartConfiguration; testId: string; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const series = config.data.datasets.map((dataset) => ({ label: dataset.label, data: dataset.data }));
  // Redrawn only when what it shows changes, not on every render of the screen.
  const signature = JSON.stringify([config.data.labels, series]);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, config);
    return () => chart.destroy();
  }, [signature]);
  return (
    <div class="analytics-chart">
      <canvas ref={canvas} data-testid={testId} role="img" aria-label={label} data-series={JSON.stringify(series)} />
    </div>
  );
}

function lineConfig(
  labels: string[],
  series: Array<{ label: string; data: Array<number | null> }>,
  y: { min?: number; max?: number; suffix?: string },
): ChartConfiguration {
  return {
    type: 'line',
    data: {
      labels,
      datasets: series.map((entry, index) => ({
        label: entry.label,
        data: entry.data,
        borderColor: PALETTE[index % PALETTE.length],
        backgroundColor: PALETTE[index % PALETTE.length],
        tension: 0,
        pointRadius: 3,
        spanGaps: true,
      })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
      scales: {
        y: {
          ...(y.min !== undefined ? { min: y.min } : { beginAtZero: true }),
          ...(y.max !== undefined ? { max: y.max } : {}),
          ticks: { callback: (value) => `${value}${y.suffix ?? ''}` },
        },
      },
    },
  };
}

export function AnalyticsScreen({ api, token, t }: { api: AgentApi; token: string; t: ConsoleStrings }) {
  const locale = localeOf(t);
  const s: AnalyticsStrings = analyticsStrings[locale];
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [trends, setTrends] = useState<Trends | null>(null);
  const [clusters, setClusters] = useState<Cluster[] | null>(null);
  const [phrasings, setPhrasings] = useState<Phrasings | null>(null);
  const [forbidden, setForbidden] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** Whether the server has an LLM (GET /trainer/settings says `llm: true`): only then "Name with AI" shows. */
  const [aiAvailable, setAiAvailable] = useState(false);
  /** AI-proposed questions by cluster index (suggestions only: nothing is stored). */
  const [aiNames, setAiNames] = useState<Record<number, string>>({});
  const [aiNaming, setAiNaming] = useState<number | null>(null);

  const query = (range: { from?: string; to?: string }) =>
    range.from && range.to ? `from=${range.from}&to=${range.to}` : '';

  const load = useCallback(
    async (range: { from?: string; to?: string } = {}) => {
      setBusy(true);
      setNotice(null);
      try {
        const q = query(range);
        const [nextTrends, nextClusters, nextPhrasings] = await Promise.all([
          api.get<Trends>(`/analytics/trends?${q}`),
          api.get<{ clusters: Cluster[] }>(`/analytics/clusters?${q}${q ? '&' : ''}limit=20`),
          api.get<Phrasings>(`/analytics/phrasings?${q}`),
        ]);
        setTrends(nextTrends);
        setFrom(nextTrends.from);
        setTo(nextTrends.to);
        setClusters(nextClusters.clusters);
        setPhrasings(nextPhrasings);
      } catch (error) {
        if (error instanceof ApiError && error.code === 'CS_TRAINER_SCOPE_REQUIRED') setForbidden(true);
        else if (error instanceof ApiError && error.status === 400) setNotice(s.badRange);
        else setNotice(format(s.error, { reason: (error as Error).message }));
      } finally {
        setBusy(false);
      }
    },
    [api, s],
  );
  useEffect(() => void load(), [load]);
  useEffect(() => {
    api
      .get<{ llm?: boolean }>('/trainer/settings')
      .then((settings) => setAiAvailable(settings.llm === true))
      .catch(() => setAiAvailable(false));
  }, [api]);

  const nameWithAi = async (cluster: Cluster) => {
    setAiNaming(cluster.index);
    try {
      const named = await api.post<{ suggestion: string }>('/trainer/clusters/name', {
        phrasings: cluster.representatives.map((phrasing) => phrasing.text).slice(0, 20),
      });
      setAiNames((names) => ({ ...names, [cluster.index]: named.suggestion }));
    } catch {
      setNotice(s.aiNameFailed);
    } finally {
      setAiNaming(null);
    }
  };

  /** Fetches an export with the session's token and saves it (a plain link could not send the token). */
  const download = async (path: string, fileFormat: 'csv' | 'jsonl', extra = '') => {
    try {
      const q = query({ from, to });
      const url = `/v1/agent/analytics/${path}?${q}${q ? '&' : ''}format=${fileFormat}${extra}`;
      const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      if (!response.ok) throw new Error(response.statusText || String(response.status));
      const blob = await response.blob();
      const name =
        /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ??
        `kefu-${path}.${fileFormat}`;
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = name;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } catch (error) {
      setNotice(format(s.exportFailed, { reason: (error as Error).message }));
    }
  };

  const exports = (path: string, chart?: string) => (
    <span class="analytics-exports">
      <button type="button" class="small" onClick={() => void download(path, 'csv', chart ? `&chart=${chart}` : '')}>
        {s.exportCsv}
      </button>
      <button type="button" class="small" onClick={() => void download(path, 'jsonl', chart ? `&chart=${chart}` : '')}>
        {s.exportJsonl}
      </button>
    </span>
  );

  if (forbidden)
    return (
      <main class="analytics">
        <h2 id="analytics-title">{s.title}</h2>
        <p role="alert">{s.noScope}</p>
      </main>
    );

  const lang = htmlLang(locale);
  const number = new Intl.NumberFormat(lang);
  const shownPercent = (value: number | null) =>
    value === null ? s.none : new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 }).format(value);
  const yuan = (value: number | null) =>
    value === null
      ? s.none
      : new Intl.NumberFormat(lang, { style: 'currency', currency: 'CNY', maximumFractionDigits: 4 }).format(value);
  const labels = trends?.days.map((day) => day.day.slice(5)) ?? [];

  const setLast = (days: number) => {
    const end = trends?.to ?? new Date().toISOString().slice(0, 10);
    const start = new Date(`${end}T00:00:00Z`);
    start.setUTCDate(start.getUTCDate() - (days - 1));
    void load({ from: start.toISOString().slice(0, 10), to: end });
  };

  return (
    <main class="analytics" aria-labelledby="analytics-title" aria-busy={busy ? 'true' : 'false'}>
      <div class="analytics-head">
        <h2 id="analytics-title">{s.title}</h2>
        <form
          class="analytics-range"
          onSubmit={(event) => {
            event.preventDefault();
            void load({ from, to });
          }}
        >
          <label>
            {s.from}
            <input
              type="date"
              name="from"
              value={from}
              required
              onInput={(event) => setFrom((event.target as HTMLInputElement).value)}
            />
          </label>
          <label>
            {s.to}
            <input
              type="date"
              name="to"
              value={to}
              required
              onInput={(event) => setTo((event.target as HTMLInputElement).value)}
            />
          </label>
          <button type="submit" class="primary" disabled={busy}>
            {s.apply}
          </button>
          {[7, 30, 90].map((days) => (
            <button key={days} type="button" class="small" onClick={() => setLast(days)}>
              {format(s.lastDays, { n: days })}
            </button>
          ))}
        </form>
        <span class="muted">{s.timezoneNote}</span>
      </div>
      {notice && (
        <p class="notice" role="alert">
          {notice}
        </p>
      )}
      {!trends ? (
        <p class="muted">{s.loading}</p>
      ) : (
        <>
          <dl class="analytics-tiles" data-testid="analytics-totals">
            <div>
              <dt>{s.conversations}</dt>
              <dd>{number.format(trends.totals.conversations)}</dd>
            </div>
            <div>
              <dt>{s.containment}</dt>
              <dd>{shownPercent(trends.totals.containment)}</dd>
            </div>
            <div>
              <dt>{s.handoverRate}</dt>
              <dd>{shownPercent(trends.totals.handoverRate)}</dd>
            </div>
            <div>
              <dt>{s.csat}</dt>
              <dd>{trends.totals.csatAverage === null ? s.none : trends.totals.csatAverage.toFixed(2)}</dd>
            </div>
            <div>
              <dt>{s.costPerResolution}</dt>
              <dd>{yuan(trends.totals.costPerResolution)}</dd>
            </div>
            <div>
              <dt>{s.styleConsistency}</dt>
              <dd>{shownPercent(trends.totals.styleConsistency)}</dd>
            </div>
          </dl>
          <div class="analytics-grid">
            <section class="analytics-card" aria-labelledby="analytics-volume">
              <header>
                <h3 id="analytics-volume">{s.volumeTitle}</h3>
                {exports('trends', 'volume')}
              </header>
              <ChartCanvas testId="chart-volume" label={s.volumeTitle} config={volumeConfig(trends, labels, s)} />
            </section>
            <section class="analytics-card" aria-labelledby="analytics-rates">
              <header>
                <h3 id="analytics-rates">{s.ratesTitle}</h3>
                {exports('trends', 'daily')}
              </header>
              <ChartCanvas
                testId="chart-rates"
                label={s.ratesTitle}
                config={lineConfig(
                  labels,
                  [
                    { label: s.containment, data: trends.days.map((day) => percent(day.containment)) },
                    { label: s.handoverRate, data: trends.days.map((day) => percent(day.handoverRate)) },
                    ...(trends.totals.styleConsistency === null
                      ? []
                      : [{ label: s.styleConsistency, data: trends.days.map((day) => percent(day.styleConsistency)) }]),
                  ],
                  { min: 0, max: 100, suffix: '%' },
                )}
              />
            </section>
            <section class="analytics-card" aria-labelledby="analytics-csat">
              <header>
                <h3 id="analytics-csat">{s.csatTitle}</h3>
                {exports('trends', 'daily')}
              </header>
              <ChartCanvas
                testId="chart-csat"
                label={s.csatTitle}
                config={lineConfig(labels, [{ label: s.csat, data: trends.days.map((day) => day.csatAverage) }], {
                  min: 1,
                  max: 5,
                })}
              />
            </section>
            <section class="analytics-card" aria-labelledby="analytics-cost">
              <header>
                <h3 id="analytics-cost">{s.costTitle}</h3>
                {exports('trends', 'daily')}
              </header>
              <ChartCanvas
                testId="chart-cost"
                label={s.costTitle}
                config={lineConfig(
                  labels,
                  [{ label: s.costPerResolution, data: trends.days.map((day) => day.costPerResolution) }],
                  {},
                )}
              />
            </section>
          </div>
        </>
      )}
      {clusters && (
        <section class="analytics-card analytics-clusters" aria-labelledby="analytics-clusters-title">
          <header>
            <h3 id="analytics-clusters-title">{s.clustersTitle}</h3>
            {exports('clusters')}
          </header>
          <p class="muted">{s.clustersHint}</p>
          {clusters.length === 0 && <p class="empty">{s.clustersEmpty}</p>}
          <ol data-testid="analytics-clusters">
            {clusters.map((cluster) => (
              <li key={cluster.index}>
                <div class="cluster-head">
                  <span class="proposed">
                    {s.proposed}
                    <strong data-testid="proposed-question">
                      {aiNames[cluster.index] ?? cluster.proposedQuestion}
                    </strong>
                    {aiNames[cluster.index] !== undefined && <span class="tag">{s.aiNamed}</span>}
                  </span>
                  {aiAvailable && (
                    <button
                      type="button"
                      class="small"
                      data-testid="analytics-ai-name"
                      disabled={aiNaming !== null}
                      onClick={() => void nameWithAi(cluster)}
                    >
                      {aiNaming === cluster.index ? s.aiNaming : s.aiName}
                    </button>
                  )}
                  <a class="button small" href="#/trainer">
                    {s.openTrainer}
                  </a>
                </div>
                <p class="muted">
                  {format(s.clusterSize, {
                    n: number.format(cluster.size),
                    p: number.format(cluster.phrasings),
                    share: shownPercent(cluster.share),
                  })}
                  {Object.entries(cluster.reasons)
                    .filter(([, count]) => count > 0)
                    .map(([reason, count]) => (
                      <span key={reason} class="tag">
                        {s.reasons[reason] ?? reason} {number.format(count)}
                      </span>
                    ))}
                </p>
                <ul class="phrasings" aria-label={s.representatives}>
                  {cluster.representatives.map((phrasing) => (
                    <li key={phrasing.text}>
                      {phrasing.text}
                      {phrasing.count > 1 && <span class="muted"> {format(s.timesSaid, { n: phrasing.count })}</span>}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ol>
        </section>
      )}
      {phrasings && (
        <section class="analytics-card" aria-labelledby="analytics-phrasings-title">
          <header>
            <h3 id="analytics-phrasings-title">{s.phrasingsTitle}</h3>
            {exports('phrasings')}
          </header>
          <table class="analytics-table" data-testid="analytics-phrasings">
            <thead>
              <tr>
                <th scope="col">{s.entry}</th>
                <th scope="col">{s.phrasings}</th>
                <th scope="col">{s.messages}</th>
              </tr>
            </thead>
            <tbody>
              {phrasings.entries
                .filter((entry) => entry.messages > 0)
                .slice(0, 20)
                .map((entry) => (
                  <tr key={entry.id}>
                    <th scope="row">{entry.name}</th>
                    <td>{number.format(entry.phrasings)}</td>
                    <td>{number.format(entry.messages)}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </section>
      )}
    </main>
  );
}

function volumeConfig(trends: Trends, labels: string[], s: AnalyticsStrings): ChartConfiguration {
  const series = [
    ...trends.intents.map((intent) => ({
      label: intent.name,
      data: trends.days.map((day) => day.volume[intent.id] ?? 0),
    })),
    { label: s.other, data: trends.days.map((day) => day.otherVolume) },
    { label: s.unrecognised, data: trends.days.map((day) => day.unrecognisedVolume) },
  ];
  return {
    type: 'bar',
    data: {
      labels,
      datasets: series.map((entry, index) => ({
        label: entry.label,
        data: entry.data,
        backgroundColor: index === series.length - 1 ? '#c9cdd4' : PALETTE[index % (PALETTE.length - 1)],
        stack: 'volume',
      })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      plugins: {
        legend: {
          position: 'bottom',
          labels: {
            boxWidth: 12,
            // Long FAQ questions are cut in the legend; the tooltip shows them whole.
            generateLabels: (chart) =>
              Chart.defaults.plugins.legend.labels.generateLabels(chart).map((item) => ({
                ...item,
                text: item.text.length > 14 ? `${item.text.slice(0, 13)}…` : item.text,
              })),
          },
        },
      },
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
    },
  };
}
