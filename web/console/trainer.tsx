import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { format, type Locale } from '../shared/locale.js';
import { ApiError, type AgentApi } from './api.js';
import { consoleStrings, trainerStrings, type ConsoleStrings, type TrainerStrings } from './strings.js';

/**
 * The trainer's console (docs/learning.md, "Trainer's console"): the review queue, labelled from
 * the keyboard (j/k to move, 1–9 or the search box to pick an FAQ entry or intent, o = out of
 * scope, h = must hand over), then retrain → comparison with the active version → activate
 * (forcing a regressing candidate needs a confirmation). Opened at #/trainer.
 */

type LabelKind = 'faq' | 'intent' | 'out_of_scope' | 'handover';

interface CatalogueEntry {
  kind: 'faq' | 'intent';
  id: string;
  name: string;
}

interface ReviewItem {
  traceId: string;
  conversationId: string;
  text: string;
  reasons: string[];
  guess: { id: string; name: string | null; confidence: number } | null;
  alternatives: Array<{ id: string; name: string | null; confidence: number }>;
  picked: { id: string; name: string | null } | null;
  expectedValue: number;
  label: { version: number; kind: LabelKind; target: string | null; targetName: string | null } | null;
}

interface Run {
  id: string;
  number: number;
  status: string;
  regressionSize: number;
  examples: number;
  activeAccuracy: number | null;
  candidateAccuracy: number | null;
  regresses: boolean;
  forced: boolean;
  error: string | null;
  createdAt: string;
  results?: Array<{
    traceId: string;
    text: string;
    expected: string | null;
    active: string | null;
    candidate: string | null;
  }>;
}

function localeOf(t: ConsoleStrings): Locale {
  return (Object.keys(consoleStrings) as Locale[]).find((locale) => consoleStrings[locale] === t) ?? 'zh-Hans';
}

const percent = (value: number | null) => (value === null ? '–' : `${(value * 100).toFixed(1)}%`);

/** The header link that opens or closes the trainer's console. */
export function TrainerTab({ t, active }: { t: ConsoleStrings; active: boolean }) {
  const strings = trainerStrings[localeOf(t)];
  return (
    <a
      class="trainer-tab"
      href={active ? '#/' : '#/trainer'}
      aria-current={active ? 'page' : undefined}
      style={{
        padding: '4px 10px',
        border: '1px solid #c9cdd4',
        borderRadius: '6px',
        textDecoration: 'none',
        color: active ? '#fff' : '#1d2129',
        background: active ? '#1f6feb' : '#fff',
      }}
    >
      {active ? strings.backToConsole : strings.tab}
    </a>
  );
}

export function TrainerScreen({ api, t }: { api: AgentApi; t: ConsoleStrings }) {
  const s = trainerStrings[localeOf(t)];
  const [items, setItems] = useState<ReviewItem[] | null>(null);
  const [catalogue, setCatalogue] = useState<CatalogueEntry[]>([]);
  const [index, setIndex] = useState(0);
  const [search, setSearch] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const [forbidden, setForbidden] = useState(false);
  const [run, setRun] = useState<Run | null>(null);
  const [history, setHistory] = useState<Run[]>([]);
  const [busy, setBusy] = useState<'retrain' | 'activate' | null>(null);
  const [confirming, setConfirming] = useState(false);
  const searchBox = useRef<HTMLInputElement>(null);
  const names = useMemo(() => new Map(catalogue.map((entry) => [entry.id, entry.name])), [catalogue]);
  const nameOf = (id: string | null) => (id === null ? s.noGuess : (names.get(id) ?? id));

  const failed = (error: unknown) => {
    if (error instanceof ApiError && error.code === 'CS_TRAINER_SCOPE_REQUIRED') setForbidden(true);
    else setNotice(format(s.error, { reason: (error as Error).message }));
  };

  const load = useCallback(async () => {
    try {
      const [queue, runs] = await Promise.all([
        api.get<{ items: ReviewItem[]; catalogue: CatalogueEntry[] }>('/trainer/queue?limit=200&includeLabelled=true'),
        api.get<{ runs: Run[] }>('/trainer/history'),
      ]);
      // Unlabelled turns first (in the queue's order), then the ones labelled already.
      setItems([...queue.items.filter((item) => !item.label), ...queue.items.filter((item) => item.label)]);
      setCatalogue(queue.catalogue);
      setHistory(runs.runs);
    } catch (error) {
      failed(error);
    }
  }, [api]);
  useEffect(() => void load(), [load]);

  const current = items?.[index] ?? null;

  /** What the number keys pick: search matches, or kefu's guesses first and then the catalogue. */
  const choices = useMemo(() => {
    const query = search.trim().toLowerCase();
    if (query)
      return catalogue
        .filter((entry) => entry.id.toLowerCase().includes(query) || entry.name.toLowerCase().includes(query))
        .slice(0, 9);
    const guessed = [current?.picked?.id, current?.guess?.id, ...(current?.alternatives ?? []).map((a) => a.id)];
    const first = guessed.flatMap((id) => catalogue.filter((entry) => entry.id === id));
    const seen = new Set<string>();
    return [...first, ...catalogue].filter((entry) => !seen.has(entry.id) && seen.add(entry.id)).slice(0, 9);
  }, [search, catalogue, current]);

  const label = async (kind: LabelKind, target?: CatalogueEntry) => {
    if (!current) return;
    const shown = target ? target.name : kind === 'out_of_scope' ? s.outOfScope : s.handover;
    try {
      const stored = await api.post<{
        version: number;
        kind: LabelKind;
        target: string | null;
        targetName: string | null;
      }>(`/trainer/turns/${current.traceId}/label`, {
        kind,
        ...(target ? { target: target.id } : {}),
        expectedVersion: current.label?.version ?? 0,
      });
      setItems((list) =>
        (list ?? []).map((item) => (item.traceId === current.traceId ? { ...item, label: stored } : item)),
      );
      setNotice(format(s.labelSaved, { label: shown }));
      setSearch('');
      setIndex((position) => Math.min(position + 1, (items?.length ?? 1) - 1));
    } catch (error) {
      if (error instanceof ApiError && error.code === 'CS_TRAINING_LABEL_CONFLICT') {
        setNotice(s.labelConflict);
        await load();
      } else failed(error);
    }
  };

  const retrain = async () => {
    setBusy('retrain');
    setConfirming(false);
    try {
      setRun(await api.post<Run>('/trainer/retrain'));
      setNotice(null);
    } catch (error) {
      setRun(null);
      setNotice(format(s.retrainFailed, { reason: (error as Error).message }));
    } finally {
      setBusy(null);
      await load();
    }
  };

  const activate = async (force: boolean) => {
    if (!run) return;
    setBusy('activate');
    try {
      const activated = await api.post<Run>(`/trainer/runs/${run.id}/activate`, force ? { force: true } : {});
      setRun({ ...run, ...activated });
      setConfirming(false);
      setNotice(format(s.activated, { n: activated.number }));
    } catch (error) {
      failed(error);
    } finally {
      setBusy(null);
      await load();
    }
  };

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      const target = event.target as HTMLElement | null;
      if (target === searchBox.current) {
        if (event.key === 'Enter' && choices[0]) {
          event.preventDefault();
          void label(choices[0].kind, choices[0]);
          searchBox.current?.blur();
        } else if (event.key === 'Escape') searchBox.current?.blur();
        return;
      }
      if (target && ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)) return;
      if (!items || items.length === 0) return;
      if (event.key === 'j' || event.key === 'ArrowDown')
        setIndex((position) => Math.min(position + 1, items.length - 1));
      else if (event.key === 'k' || event.key === 'ArrowUp') setIndex((position) => Math.max(position - 1, 0));
      else if (event.key === 'o') void label('out_of_scope');
      else if (event.key === 'h') void label('handover');
      else if (event.key === '/') searchBox.current?.focus();
      else if (/^[1-9]$/.test(event.key)) {
        const choice = choices[Number(event.key) - 1];
        if (choice) void label(choice.kind, choice);
      } else return;
      event.preventDefault();
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  });

  useEffect(() => {
    document.querySelector('.trainer-queue li[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [index]);

  if (forbidden)
    return (
      <main class="pane trainer">
        <p role="alert">{s.noScope}</p>
      </main>
    );
  return (
    <main class="pane trainer" aria-labelledby="trainer-title">
      <style>{TRAINER_CSS}</style>
      <div class="trainer-head">
        <h2 id="trainer-title">{s.title}</h2>
        <span class="trainer-keys">{s.keys}</span>
      </div>
      {notice && (
        <p class="trainer-notice" role="status">
          {notice}
        </p>
      )}
      <div class="trainer-body">
        <section class="trainer-queue" aria-label={s.queueTitle}>
          <h3>
            {s.queueTitle} <span class="count">{items?.filter((item) => !item.label).length ?? 0}</span>
          </h3>
          {items === null && <p>{s.loading}</p>}
          {items?.length === 0 && <p class="empty">{s.queueEmpty}</p>}
          <ol role="listbox" aria-label={s.queueTitle} data-testid="trainer-queue">
            {items?.map((item, position) => (
              <li
                key={item.traceId}
                role="option"
                aria-selected={position === index ? 'true' : 'false'}
                data-trace-id={item.traceId}
                class={item.label ? 'done' : ''}
                onClick={() => setIndex(position)}
              >
                <span class="trainer-text">{item.text}</span>
                <span class="trainer-meta">
                  {item.reasons.map((reason) => (
                    <span key={reason} class="tag">
                      {s.reasons[reason] ?? reason}
                    </span>
                  ))}
                  <span>
                    {s.guess}: {item.guess ? `${nameOf(item.guess.id)} · ${percent(item.guess.confidence)}` : s.noGuess}
                  </span>
                  {item.picked && (
                    <span>
                      {s.picked}: {nameOf(item.picked.id)}
                    </span>
                  )}
                  <span class="muted">{format(s.value, { n: item.expectedValue.toFixed(2) })}</span>
                </span>
                {item.label && (
                  <span class="trainer-label" data-testid="trainer-label">
                    {format(s.labelled, {
                      label:
                        item.label.kind === 'out_of_scope'
                          ? s.outOfScope
                          : item.label.kind === 'handover'
                            ? s.handover
                            : (item.label.targetName ?? item.label.target ?? ''),
                    })}
                  </span>
                )}
              </li>
            ))}
          </ol>
        </section>
        <section class="trainer-side">
          {current && (
            <div class="trainer-picker">
              <p class="trainer-current">{current.text}</p>
              <input
                ref={searchBox}
                type="search"
                aria-label={s.search}
                placeholder={`${s.search} (/)`}
                value={search}
                onInput={(event) => setSearch((event.target as HTMLInputElement).value)}
              />
              <p class="muted">{s.pickHint}</p>
              <ol class="trainer-choices" data-testid="trainer-choices">
                {choices.map((choice, position) => (
                  <li key={choice.id}>
                    <button type="button" onClick={() => void label(choice.kind, choice)}>
                      <kbd>{position + 1}</kbd> {choice.name} <span class="muted">{choice.id}</span>
                    </button>
                  </li>
                ))}
              </ol>
              <div class="trainer-actions">
                <button type="button" onClick={() => void label('out_of_scope')}>
                  <kbd>o</kbd> {s.outOfScope}
                </button>
                <button type="button" onClick={() => void label('handover')}>
                  <kbd>h</kbd> {s.handover}
                </button>
              </div>
            </div>
          )}
          <div class="trainer-train">
            <button type="button" class="primary" disabled={busy !== null} onClick={() => void retrain()}>
              {busy === 'retrain' ? s.retraining : s.retrain}
            </button>
            {run && (
              <div class="trainer-run" data-testid="trainer-run">
                <h3>{format(s.comparison, { n: run.regressionSize })}</h3>
                <table class="trainer-compare">
                  <thead>
                    <tr>
                      <th>{s.version}</th>
                      <th>{s.accuracy}</th>
                    </tr>
                  </thead>
                  <tbody>
                    <tr>
                      <td>{s.activeVersion}</td>
                      <td data-testid="active-accuracy">{percent(run.activeAccuracy)}</td>
                    </tr>
                    <tr>
                      <td>
                        {s.candidateVersion} #{run.number} ({s.examples}: {run.examples})
                      </td>
                      <td data-testid="candidate-accuracy">{percent(run.candidateAccuracy)}</td>
                    </tr>
                  </tbody>
                </table>
                {run.results && run.results.length > 0 && (
                  <table class="trainer-results">
                    <thead>
                      <tr>
                        <th>{s.turn}</th>
                        <th>{s.expected}</th>
                        <th>{s.activeVersion}</th>
                        <th>{s.candidateVersion}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {run.results.map((result) => (
                        <tr key={result.traceId}>
                          <td>{result.text}</td>
                          <td>{nameOf(result.expected)}</td>
                          <td class={result.active === result.expected ? 'ok' : 'bad'}>{nameOf(result.active)}</td>
                          <td class={result.candidate === result.expected ? 'ok' : 'bad'}>
                            {nameOf(result.candidate)}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
                {run.status === 'candidate' && !run.regresses && (
                  <button type="button" class="primary" disabled={busy !== null} onClick={() => void activate(false)}>
                    {s.activate}
                  </button>
                )}
                {run.status === 'candidate' && run.regresses && (
                  <>
                    <p class="bad" role="alert">
                      {s.regresses}
                    </p>
                    {confirming ? (
                      <div class="trainer-confirm" role="alertdialog" aria-label={s.forceActivate}>
                        <p>{s.forceConfirm}</p>
                        <button
                          type="button"
                          class="danger"
                          disabled={busy !== null}
                          onClick={() => void activate(true)}
                        >
                          {s.confirmForce}
                        </button>{' '}
                        <button type="button" onClick={() => setConfirming(false)}>
                          {s.cancel}
                        </button>
                      </div>
                    ) : (
                      <button type="button" class="danger" onClick={() => setConfirming(true)}>
                        {s.forceActivate}
                      </button>
                    )}
                  </>
                )}
                {run.status === 'active' && (
                  <p class="ok" data-testid="trainer-activated">
                    {format(s.activated, { n: run.number })}
                  </p>
                )}
              </div>
            )}
          </div>
          <TrainingHistory s={s} runs={history} />
        </section>
      </div>
    </main>
  );
}

function TrainingHistory({ s, runs }: { s: TrainerStrings; runs: Run[] }) {
  return (
    <div class="trainer-history">
      <h3>{s.history}</h3>
      {runs.length === 0 ? (
        <p class="empty">{s.historyEmpty}</p>
      ) : (
        <table data-testid="trainer-history">
          <thead>
            <tr>
              <th>#</th>
              <th>{s.activeVersion}</th>
              <th>{s.candidateVersion}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {[...runs].reverse().map((run) => (
              <tr key={run.id}>
                <td>{run.number}</td>
                <td>{percent(run.activeAccuracy)}</td>
                <td>{percent(run.candidateAccuracy)}</td>
                <td>
                  {s.status[run.status] ?? run.status}
                  {run.forced ? ` · ${s.forced}` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

const TRAINER_CSS = `
main.trainer { flex: 1; overflow: auto; padding: 12px 16px; background: #fff; }
.trainer-head { display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap; }
.trainer-head h2 { margin: 0; font-size: 18px; }
.trainer-keys, .trainer .muted { color: #86909c; font-size: 12px; }
.trainer-notice { background: #e8f3ff; padding: 6px 10px; border-radius: 6px; }
.trainer-body { display: grid; grid-template-columns: minmax(320px, 1fr) minmax(320px, 1fr); gap: 16px; }
.trainer-queue ol { list-style: none; margin: 0; padding: 0; }
.trainer-queue li { padding: 8px 10px; border: 1px solid #e5e6eb; border-radius: 8px; margin-bottom: 6px; cursor: pointer; display: flex; flex-direction: column; gap: 2px; }
.trainer-queue li[aria-selected='true'] { border-color: #1f6feb; box-shadow: 0 0 0 2px #bedaff; }
.trainer-queue li.done { opacity: 0.7; }
.trainer-text { font-size: 15px; }
.trainer-meta { display: flex; flex-wrap: wrap; gap: 8px; font-size: 12px; color: #4e5969; }
.trainer-meta .tag { background: #fff7e8; color: #d25f00; border-radius: 4px; padding: 0 6px; }
.trainer-label { color: #00875a; font-size: 13px; }
.trainer-current { font-size: 16px; font-weight: 600; margin: 0 0 8px; }
.trainer-picker input { width: 100%; padding: 6px 8px; border: 1px solid #c9cdd4; border-radius: 6px; }
.trainer-choices { list-style: none; padding: 0; margin: 4px 0; }
.trainer-choices button { width: 100%; text-align: left; margin-bottom: 4px; }
.trainer kbd { display: inline-block; min-width: 1.4em; text-align: center; border: 1px solid #c9cdd4; border-radius: 4px; font-size: 12px; background: #f7f8fa; }
.trainer-actions { display: flex; gap: 8px; margin: 8px 0 16px; }
.trainer table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 13px; }
.trainer th, .trainer td { border-bottom: 1px solid #e5e6eb; padding: 4px 6px; text-align: left; }
.trainer .ok { color: #00875a; }
.trainer .bad { color: #cb2634; }
.trainer-confirm { border: 1px solid #f53f3f; border-radius: 8px; padding: 8px 10px; background: #fff1f0; }
`;
