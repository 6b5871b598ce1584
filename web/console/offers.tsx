import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { format, type Locale } from '../shared/locale.js';
import type { AgentApi } from './api.js';
import { consoleStrings, offersStrings, type ConsoleStrings, type OffersStrings } from './strings.js';

/**
 * The offer funnel report (docs/personal.md, "Offers"), opened at #/offers: per offer, contacts
 * shown → clicked → converted in the exposed group, the conversion rate of the exposed group
 * against the randomised holdout (the incremental conversion) and the order-value uplift, as two
 * Chart.js bar charts and a table, with a CSV export (UTF-8 with a BOM, so Excel reads the
 * Chinese titles).
 */

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

interface Arm {
  eligible: number;
  shown: number;
  shownContacts: number;
  clicked: number;
  clickedContacts: number;
  conversions: number;
  convertedContacts: number;
  orderValueCents: number;
}

export interface OfferRow {
  offerId: string;
  title: string;
  kind: 'product' | 'bundle' | null;
  price: number | null;
  holdoutShare: number | null;
  inCatalogue: boolean;
  treatment: Arm;
  holdout: Arm;
  conversionRate: { treatment: number; holdout: number };
  incrementalConversion: number | null;
  valuePerContact: { treatment: number; holdout: number };
  orderValueUplift: number | null;
}

function localeOf(t: ConsoleStrings): Locale {
  return (Object.keys(consoleStrings) as Locale[]).find((locale) => consoleStrings[locale] === t) ?? 'zh-Hans';
}

const serverLocale: Record<Locale, string> = { 'zh-Hans': 'zh-CN', 'zh-Hant': 'zh-TW', en: 'en' };

const percent = (value: number | null, signed = false) =>
  value === null ? '–' : `${signed && value > 0 ? '+' : ''}${(value * 100).toFixed(1)}%`;
const money = (value: number) => `¥${value.toFixed(2)}`;

/** The report as CSV text: a BOM, a header in the console's language, one row per offer and group. */
export function reportCsv(rows: readonly OfferRow[], s: OffersStrings): string {
  const quote = (value: string | number) => {
    const text = String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [
    [
      'offer_id',
      s.offer,
      s.arm,
      s.eligible,
      s.shown,
      s.clicked,
      s.converted,
      s.conversions,
      s.orderValue,
      s.conversionExposed.replace(/（.*）|\s*\(.*\)/, ''),
      s.incremental,
      s.valueUplift,
    ],
  ];
  for (const row of rows)
    for (const arm of ['treatment', 'holdout'] as const) {
      const stats = row[arm];
      lines.push([
        row.offerId,
        row.title,
        arm === 'treatment' ? s.exposed : s.holdout,
        String(stats.eligible),
        String(stats.shownContacts),
        String(stats.clickedContacts),
        String(stats.convertedContacts),
        String(stats.conversions),
        (stats.orderValueCents / 100).toFixed(2),
        String(row.conversionRate[arm]),
        row.incrementalConversion === null ? '' : String(row.incrementalConversion),
        row.orderValueUplift === null ? '' : String(row.orderValueUplift),
      ]);
    }
  return `\uFEFF${lines.map((line) => line.map(quote).join(',')).join('\r\n')}\r\n`;
}

function useChart(config: ChartConfiguration<'bar'> | null) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current || !config) return;
    const chart = new Chart(canvas.current, config);
    return () => chart.destroy();
  }, [config]);
  return canvas;
}

/** The header link that opens or closes the report. */
export function OffersTab({ t, active }: { t: ConsoleStrings; active: boolean }) {
  const s = offersStrings[localeOf(t)];
  return (
    <a class="offers-tab" href={active ? '#/' : '#/offers'} aria-current={active ? 'page' : undefined}>
      {active ? s.backToConsole : s.tab}
    </a>
  );
}

export function OffersScreen({ api, t }: { api: AgentApi; t: ConsoleStrings }) {
  const locale = localeOf(t);
  const s = offersStrings[locale];
  const [rows, setRows] = useState<OfferRow[] | null>(null);
  const [generatedAt, setGeneratedAt] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const report = await api.get<{ offers: OfferRow[]; generatedAt: string }>(
        `/offers/report?locale=${serverLocale[locale]}`,
      );
      setRows(report.offers);
      setGeneratedAt(report.generatedAt);
      setFailure(null);
    } catch (error) {
      setFailure(format(s.error, { reason: (error as Error).message }));
    }
  }, [api, locale]);
  useEffect(() => void load(), [load]);

  const [funnelConfig, setFunnelConfig] = useState<ChartConfiguration<'bar'> | null>(null);
  const [rateConfig, setRateConfig] = useState<ChartConfiguration<'bar'> | null>(null);
  useEffect(() => {
    if (!rows || rows.length === 0) {
      setFunnelConfig(null);
      setRateConfig(null);
      return;
    }
    const labels = rows.map((row) => row.title);
    const common = {
      animation: false as const,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { position: 'bottom' as const } },
    };
    setFunnelConfig({
      type: 'bar',
      data: {
        labels,
        datasets: [
          { label: s.shown, data: rows.map((row) => row.treatment.shownContacts), backgroundColor: '#8ab4f8' },
          { label: s.clicked, data: rows.map((row) => row.treatment.clickedContacts), backgroundColor: '#1f6feb' },
          { label: s.converted, data: rows.map((row) => row.treatment.convertedContacts), backgroundColor: '#1a7f37' },
        ],
      },
      options: { ...common, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
    setRateConfig({
      type: 'bar',
      data: {
        labels,
        datasets: [
          {
            label: s.exposed,
            data: rows.map((row) => row.conversionRate.treatment * 100),
            backgroundColor: '#1f6feb',
          },
          { label: s.holdout, data: rows.map((row) => row.conversionRate.holdout * 100), backgroundColor: '#c9cdd4' },
        ],
      },
      options: {
        ...common,
        scales: { y: { beginAtZero: true, ticks: { callback: (value) => `${value}%` } } },
      },
    });
  }, [rows, s]);
  const funnelCanvas = useChart(funnelConfig);
  const rateCanvas = useChart(rateConfig);

  const exportCsv = () => {
    if (!rows) return;
    const url = URL.createObjectURL(new Blob([reportCsv(rows, s)], { type: 'text/csv;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `offers-funnel-${(generatedAt ?? new Date().toISOString()).slice(0, 10)}.csv`;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1_000);
  };

  return (
    <main class="offers-screen" aria-labelledby="offers-title">
      <div class="offers-head">
        <h2 id="offers-title">{s.title}</h2>
        <span class="spacer" />
        <button type="button" onClick={() => void load()}>
          {s.refresh}
        </button>
        <button type="button" class="primary" disabled={!rows || rows.length === 0} onClick={exportCsv}>
          {s.exportCsv}
        </button>
      </div>
      <p class="offers-intro">{s.intro}</p>
      {failure && (
        <p class="failure" role="alert">
          {failure}
        </p>
      )}
      {!rows && !failure && <p role="status">{s.loading}</p>}
      {rows && rows.length === 0 && <p class="empty">{s.empty}</p>}
      {rows && rows.length > 0 && (
        <>
          <div class="offers-charts">
            <figure>
              <figcaption>{s.funnelChart}</figcaption>
              <div class="offers-chart">
                <canvas ref={funnelCanvas} data-testid="funnel-chart" role="img" aria-label={s.funnelChart} />
              </div>
            </figure>
            <figure>
              <figcaption>{s.rateChart}</figcaption>
              <div class="offers-chart">
                <canvas ref={rateCanvas} data-testid="rate-chart" role="img" aria-label={s.rateChart} />
              </div>
            </figure>
          </div>
          <div class="offers-table-wrap">
            <table class="offers-table" data-testid="offers-table">
              <thead>
                <tr>
                  <th scope="col">{s.offer}</th>
                  <th scope="col">{s.eligible}</th>
                  <th scope="col">{s.shown}</th>
                  <th scope="col">{s.clicked}</th>
                  <th scope="col">{s.converted}</th>
                  <th scope="col">{s.conversionExposed}</th>
                  <th scope="col">{s.conversionHoldout}</th>
                  <th scope="col">{s.incremental}</th>
                  <th scope="col">{s.valueExposed}</th>
                  <th scope="col">{s.valueHoldout}</th>
                  <th scope="col">{s.valueUplift}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.offerId} data-offer-id={row.offerId}>
                    <th scope="row">
                      <span class="offer-title">{row.title}</span>
                      {!row.inCatalogue && <span class="muted"> {s.notInCatalogue}</span>}
                      <span class="muted offer-meta">
                        {row.kind === 'bundle' ? s.bundle : row.kind === 'product' ? s.product : ''}
                        {row.price !== null && ` · ${money(row.price)}`}
                        {row.holdoutShare !== null && ` · ${s.holdoutShare} ${percent(row.holdoutShare)}`}
                      </span>
                    </th>
                    <td data-cell="eligible">
                      {row.treatment.eligible} / {row.holdout.eligible}
                    </td>
                    <td data-cell="shown">{row.treatment.shownContacts}</td>
                    <td data-cell="clicked">{row.treatment.clickedContacts}</td>
                    <td data-cell="converted">{row.treatment.convertedContacts}</td>
                    <td data-cell="rate-exposed">{percent(row.conversionRate.treatment)}</td>
                    <td data-cell="rate-holdout">{percent(row.conversionRate.holdout)}</td>
                    <td data-cell="incremental">
                      {row.incrementalConversion === null ? s.noHoldout : percent(row.incrementalConversion, true)}
                    </td>
                    <td data-cell="value-exposed">{money(row.valuePerContact.treatment)}</td>
                    <td data-cell="value-holdout">{money(row.valuePerContact.holdout)}</td>
                    <td data-cell="value-uplift">{percent(row.orderValueUplift, true)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p class="muted">
            {s.eligible}: {s.exposed} / {s.holdout}
            {generatedAt && ` · ${format(s.generatedAt, { time: new Date(generatedAt).toLocaleString() })}`}
          </p>
        </>
      )}
    </main>
  );
}
