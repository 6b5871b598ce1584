import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { format, type Locale } from '../shared/locale.js';
import { ApiError, type AgentApi } from './api.js';
import { consoleStrings, trainerStrings, type ConsoleStrings, type TrainerStrings } from './strings.js';

/**
 * The trainer's console (docs/learning.md, "Trainer's console"): the review queue, labelled from
 * the keyboard (j/k to move, 1–9 or the search box to pick an FAQ entry or intent, o = out of
 * scope, h = must hand over, c = the next label goes to the whole phrasing cluster, n = new FAQ
 * entry from the turn), then retrain → comparison with the active version → activate (forcing a
 * regressing candidate needs a confirmation). Opened at #/trainer.
 */

type LabelKind = 'faq' | 'intent' | 'out_of_scope' | 'handover';

interface CatalogueEntry {
  kind: 'faq' | 'intent';
  id: string;
  name: string;
  source?: 'pack' | 'sheet' | 'new';
}

interface StoredLabel {
  traceId: string;
  version: number;
  kind: LabelKind;
  target: string | null;
  targetName: string | null;
}

interface Clicks {
  policy: { mode: 'agreement' | 'approval' | 'immediate'; minAgreeing: number };
  pending: number;
  promotable: number;
  promoted: number;
}

interface FaqForm {
  traceId: string;
  question: string;
  answer: string;
  fromAgent: boolean;
}

interface ReviewItem {
  traceId: string;
  conversationId: string;
  text: string;
  reasons: string[];
  guess: { id: string; name: string | null; confidence: number } | null;
  alternatives: Array<{ id: string; name: string | null; confidence: number }>;
  picked: { id: string; name: string | null } | null;
  cluster: number;
  clusterSize: number;
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
  const [wholeCluster, setWholeCluster] = useState(false);
  const [faqForm, setFaqForm] = useState<FaqForm | null>(null);
  const [clicks, setClicks] = useState<Clicks | null>(null);
  /** Whether the server has an LLM (GET /trainer/settings says `llm: true`): only then the AI draft button shows. */
  const [aiAvailable, setAiAvailable] = useState(false);
  const [aiBusy, setAiBusy] = useState(false);
  const searchBox = useRef<HTMLInputElement>(null);
  const faqQuestion = useRef<HTMLTextAreaElement>(null);
  const faqAnswer = useRef<HTMLTextAreaElement>(null);
  const names = useMemo(() => new Map(catalogue.map((entry) => [entry.id, entry.name])), [catalogue]);
  const nameOf = (id: string | null) => (id === null ? s.noGuess : (names.get(id) ?? id));

  const failed = (error: unknown) => {
    if (error instanceof ApiError && error.code === 'CS_TRAINER_SCOPE_REQUIRED') setForbidden(true);
    else setNotice(format(s.error, { reason: (error as Error).message }));
  };

  const load = useCallback(async () => {
    try {
      const [queue, runs, clickCounts] = await Promise.all([
        api.get<{ items: ReviewItem[]; catalogue: CatalogueEntry[] }>('/trainer/queue?limit=200&includeLabelled=true'),
        api.get<{ runs: Run[] }>('/trainer/history'),
        api.get<Clicks>('/trainer/clicks'),
      ]);
      setClicks(clickCounts);
      // Unlabelled turns first (in the queue's order), then the ones labelled already.
      setItems([...queue.items.filter((item) => !item.label), ...queue.items.filter((item) => item.label)]);
      setCatalogue(queue.catalogue);
      setHistory(runs.runs);
    } catch (error) {
      failed(error);
    }
  }, [api]);
  useEffect(() => void load(), [load]);
  useEffect(() => {
    api
      .get<{ llm?: boolean }>('/trainer/settings')
      .then((settings) => setAiAvailable(settings.llm === true))
      .catch(() => setAiAvailable(false));
  }, [api]);

  const current = items?.[index] ?? null;
  /** The unlabelled turns of the current item's phrasing cluster (what a cluster label covers). */
  const clusterItems = useMemo(
    () =>
      current
        ? (items ?? []).filter(
            (item) => item.cluster === current.cluster && (!item.label || item.traceId === current.traceId),
          )
        : [],
    [items, current],
  );

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
      let stored: StoredLabel[];
      if (wholeCluster && clusterItems.length > 1) {
        const answer = await api.post<{ labels: StoredLabel[] }>('/trainer/labels', {
          kind,
          ...(target ? { target: target.id } : {}),
          items: clusterItems.map((item) => ({ traceId: item.traceId, expectedVersion: item.label?.version ?? 0 })),
        });
        stored = answer.labels;
        setNotice(format(s.clusterSaved, { n: stored.length, label: shown }));
        setWholeCluster(false);
      } else {
        stored = [
          {
            ...(await api.post<StoredLabel>(`/trainer/turns/${current.traceId}/label`, {
              kind,
              ...(target ? { target: target.id } : {}),
              expectedVersion: current.label?.version ?? 0,
            })),
            traceId: current.traceId,
          },
        ];
        setNotice(format(s.labelSaved, { label: shown }));
      }
      const byTrace = new Map(stored.map((entry) => [entry.traceId, entry]));
      setItems((list) =>
        (list ?? []).map((item) => {
          const next = byTrace.get(item.traceId);
          return next ? { ...item, label: next } : item;
        }),
      );
      setSearch('');
      setIndex((position) => Math.min(position + 1, (items?.length ?? 1) - 1));
    } catch (error) {
      if (error instanceof ApiError && error.code === 'CS_TRAINING_LABEL_CONFLICT') {
        setNotice(s.labelConflict);
        await load();
      } else failed(error);
    }
  };

  const openFaqForm = async () => {
    if (!current) return;
    try {
      const draft = await api.get<{ question: string; answer: string | null; answerFrom: 'agent' | null }>(
        `/trainer/turns/${current.traceId}/faq-draft`,
      );
      setFaqForm({
        traceId: current.traceId,
        question: draft.question,
        answer: draft.answer ?? '',
        fromAgent: draft.answerFrom === 'agent',
      });
      setTimeout(() => faqQuestion.current?.focus(), 0);
    } catch (error) {
      failed(error);
    }
  };

  /** Asks the server's LLM for an answer drafted from the agents' replies; the trainer edits and saves it. */
  const draftWithAi = async () => {
    if (!faqForm) return;
    const form = faqForm;
    const question = faqQuestion.current?.value ?? form.question;
    setAiBusy(true);
    try {
      const drafted = await api.post<{ suggestion: string }>(`/trainer/turns/${form.traceId}/faq-draft/llm`, {
        question: question.trim().slice(0, 500),
      });
      setFaqForm((now) =>
        now && now.traceId === form.traceId ? { ...now, question, answer: drafted.suggestion } : now,
      );
      setNotice(s.aiDraftDone);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'CS_TRAINING_SUGGESTION_UNAVAILABLE') setNotice(s.aiDraftNone);
      else if (error instanceof ApiError && error.code.startsWith('CS_LLM_')) setNotice(s.aiFailed);
      else failed(error);
    } finally {
      setAiBusy(false);
    }
  };

  const saveFaq = async () => {
    if (!faqForm) return;
    const item = items?.find((entry) => entry.traceId === faqForm.traceId);
    // What the fields show now: a key handler registered before the last input's render would
    // otherwise send the text as it was one keystroke earlier.
    const question = faqQuestion.current?.value ?? faqForm.question;
    const answer = faqAnswer.current?.value ?? faqForm.answer;
    try {
      const created = await api.post<{ faq: { id: string; question: string }; label: StoredLabel }>(
        `/trainer/turns/${faqForm.traceId}/faq`,
        { question, answer, expectedVersion: item?.label?.version ?? 0 },
      );
      setFaqForm(null);
      setItems((list) =>
        (list ?? []).map((entry) => (entry.traceId === faqForm.traceId ? { ...entry, label: created.label } : entry)),
      );
      setCatalogue((list) => [...list, { kind: 'faq', id: created.faq.id, name: created.faq.question, source: 'new' }]);
      setNotice(format(s.faqCreated, { name: created.faq.question }));
    } catch (error) {
      if (error instanceof ApiError && error.code === 'CS_TRAINING_FAQ_INVALID') setNotice(s.faqInvalid);
      else if (error instanceof ApiError && error.code === 'CS_TRAINING_LABEL_CONFLICT') {
        setFaqForm(null);
        setNotice(s.labelConflict);
        await load();
      } else failed(error);
    }
  };

  const setPolicy = async (mode: Clicks['policy']['mode']) => {
    try {
      await api.put('/trainer/settings', { promotion: { mode } });
      setClicks(await api.get<Clicks>('/trainer/clicks'));
    } catch (error) {
      failed(error);
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
      const target = event.target as HTMLElement | null;
      if (faqForm) {
        if (event.key === 'Escape') setFaqForm(null);
        else if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) void saveFaq();
        else return;
        event.preventDefault();
        return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey) return;
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
      else if (event.key === 'c') setWholeCluster((on) => !on);
      else if (event.key === 'n') void openFaqForm();
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
                class={[
                  item.label ? 'done' : '',
                  wholeCluster && current && item.cluster === current.cluster && !item.label ? 'in-cluster' : '',
                ]
                  .filter(Boolean)
                  .join(' ')}
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
                  {item.clusterSize > 1 && <span class="muted">{format(s.clusterSize, { n: item.clusterSize })}</span>}
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
                <button type="button" onClick={() => void openFaqForm()}>
                  <kbd>n</kbd> {s.newFaq}
                </button>
                <label class="trainer-cluster" data-testid="trainer-cluster">
                  <input
                    type="checkbox"
                    checked={wholeCluster}
                    disabled={clusterItems.length < 2}
                    onChange={(event) => setWholeCluster((event.target as HTMLInputElement).checked)}
                  />{' '}
                  <kbd>c</kbd> {format(s.clusterMode, { n: clusterItems.length })}
                </label>
              </div>
              {faqForm && faqForm.traceId === current.traceId && (
                <form
                  class="trainer-faq"
                  data-testid="trainer-faq"
                  aria-label={s.newFaq}
                  onSubmit={(event) => {
                    event.preventDefault();
                    void saveFaq();
                  }}
                >
                  <label>
                    {s.faqQuestion}
                    <textarea
                      ref={faqQuestion}
                      rows={2}
                      value={faqForm.question}
                      onInput={(event) =>
                        setFaqForm({ ...faqForm, question: (event.target as HTMLTextAreaElement).value })
                      }
                    />
                  </label>
                  <label>
                    {s.faqAnswer}
                    <textarea
                      ref={faqAnswer}
                      rows={4}
                      value={faqForm.answer}
                      onInput={(event) =>
                        setFaqForm({ ...faqForm, answer: (event.target as HTMLTextAreaElement).value })
                      }
                    />
                  </label>
                  <p class="muted">{faqForm.fromAgent ? s.faqFromAgent : s.faqNoAgent}</p>
                  {aiAvailable && (
                    <>
                      <button
                        type="button"
                        data-testid="trainer-ai-draft"
                        disabled={aiBusy}
                        onClick={() => void draftWithAi()}
                      >
                        {aiBusy ? s.aiDrafting : s.aiDraft}
                      </button>{' '}
                    </>
                  )}
                  <button type="submit" class="primary">
                    {s.faqSave}
                  </button>{' '}
                  <button type="button" onClick={() => setFaqForm(null)}>
                    {s.cancel}
                  </button>
                </form>
              )}
            </div>
          )}
          {clicks && (
            <div class="trainer-clicks" data-testid="trainer-clicks">
              <h3>{s.clicksTitle}</h3>
              <p>
                {format(s.clicks, {
                  pending: clicks.pending,
                  promotable: clicks.promotable,
                  promoted: clicks.promoted,
                })}
              </p>
              <label>
                {s.policy}{' '}
                <select
                  value={clicks.policy.mode}
                  onChange={(event) =>
                    void setPolicy((event.target as HTMLSelectElement).value as Clicks['policy']['mode'])
                  }
                >
                  {(['agreement', 'approval', 'immediate'] as const).map((mode) => (
                    <option key={mode} value={mode}>
                      {s.policies[mode]}
                    </option>
                  ))}
                </select>
              </label>
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
.trainer-actions { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0 16px; }
.trainer table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 13px; }
.trainer th, .trainer td { border-bottom: 1px solid #e5e6eb; padding: 4px 6px; text-align: left; }
.trainer .ok { color: #00875a; }
.trainer .bad { color: #cb2634; }
.trainer-queue li.in-cluster { border-color: #ff7d00; background: #fff7e8; }
.trainer-cluster { display: inline-flex; align-items: center; gap: 4px; font-size: 13px; white-space: nowrap; width: auto; }
.trainer-faq { display: flex; flex-direction: column; gap: 6px; border: 1px solid #e5e6eb; border-radius: 8px; padding: 8px 10px; margin-bottom: 12px; }
.trainer-faq textarea { width: 100%; box-sizing: border-box; padding: 6px 8px; border: 1px solid #c9cdd4; border-radius: 6px; font: inherit; }
.trainer-clicks { margin: 8px 0 16px; font-size: 13px; }
.trainer-confirm { border: 1px solid #f53f3f; border-radius: 8px; padding: 8px 10px; background: #fff1f0; }
`;
