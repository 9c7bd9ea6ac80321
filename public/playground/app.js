// The playground page: token, model choice, a comparison streamed into side-by-side columns, the history.
import { createApi, fetchDevToken, storage } from './api.js';
import { Column, el } from './columns.js';
import { createConversation } from './conversation.js';
import { createEstimate } from './estimate.js';
import {
  displayName,
  formatPricing,
  formatWhen,
  groupByEndpoint,
  isSimulated,
  isSlot,
  modelIdsOf,
  plural,
  RUNNING_STATUSES,
  summaryText,
} from './format.js';
import { createHistory } from './history.js';
import { createJudging } from './judging.js';
import { createLeaderboard } from './leaderboard.js';
import { loadMarkdown } from './markdown.js';
import { watchComparison } from './stream.js';

const TOKEN_KEY = 'playground.token';
const MODELS_KEY = 'playground.models';

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const tokenInput = /** @type {HTMLInputElement} */ ($('token'));
const promptInput = /** @type {HTMLTextAreaElement} */ ($('prompt'));
const systemInput = /** @type {HTMLTextAreaElement} */ ($('system'));
const temperatureInput = /** @type {HTMLInputElement} */ ($('temperature'));
const maxTokensInput = /** @type {HTMLInputElement} */ ($('max-tokens'));
const optionsBox = /** @type {HTMLDetailsElement} */ (document.querySelector('details.options'));
const form = /** @type {HTMLFormElement} */ ($('run-form'));
const runButton = /** @type {HTMLButtonElement} */ ($('run'));
const cancelButton = /** @type {HTMLButtonElement} */ ($('cancel'));
const modelList = $('model-list');
const notice = $('notice');
const summary = $('summary');
const columnsBox = $('columns');
const columnsEmpty = $('columns-empty');
const blindInput = /** @type {HTMLInputElement} */ ($('blind'));
const temperatureHint = $('temperature-hint');

const state = {
  token: '',
  /** @type {Map<string, { id: string, name: string, provider: string, simulated?: boolean }>} */
  models: new Map(),
  /** @type {string | null} */
  sessionId: null,
  /** @type {{ close: () => void } | null} */
  stream: null,
  /** @type {Map<string, Column>} */
  columns: new Map(),
  /** The session on screen names its models by slot (a blind one, before the reveal). */
  blind: false,
};

const api = createApi(() => state.token);
const history = createHistory({
  list: $('history-list'),
  more: $('history-more'),
  empty: $('history-empty'),
  api,
  hasToken: () => state.token !== '',
  onOpen: (sessionId) => void openSession(sessionId),
});
const estimate = createEstimate({
  line: $('estimate'),
  usage: $('usage'),
  api,
  body: () => formBody(),
  hasToken: () => state.token !== '',
});
const judging = createJudging({
  box: $('vote'),
  api,
  onVoted: (id, reveal) => void revealInPlace(id, reveal),
});
const leaderboard = createLeaderboard({ root: $('leaderboard'), api });
const conversation = createConversation({
  thread: $('thread'),
  followUp: /** @type {HTMLFormElement} */ ($('follow-up')),
  tools: $('session-tools'),
  api,
  getToken: () => state.token,
  onOpen: (id) => void openSession(id),
  onStarted: (created, modelIds) => startFollowing(created, modelIds ?? []),
  say: (text, kind) => say(text, kind),
});

/** @param {string} text @param {'info' | 'error'} [kind] */
function say(text, kind = 'info') {
  notice.textContent = text;
  notice.dataset.kind = kind;
}

/** @param {boolean} running */
function setRunning(running) {
  runButton.disabled = running;
  cancelButton.disabled = !running;
}

// Token and models ---------------------------------------------------------------------------------

async function initToken() {
  const devToken = await fetchDevToken();
  // The dev token changes with every server run, so it wins over one stored from an earlier run.
  state.token = devToken || storage.get(TOKEN_KEY) || '';
  tokenInput.value = state.token;
  if (devToken) say('Development server: the dev token it printed is filled in.');
}

function onTokenChange() {
  state.token = tokenInput.value.trim();
  storage.set(TOKEN_KEY, state.token);
  void loadModels();
  void history.load(true);
  void estimate.refreshUsage();
}

function selectedModelIds() {
  return [...modelList.querySelectorAll('input[name="model"]:checked')].map(
    (input) => /** @type {HTMLInputElement} */ (input).value,
  );
}

/** @param {string[]} ids */
function selectModels(ids) {
  for (const input of modelList.querySelectorAll('input[name="model"]')) {
    const box = /** @type {HTMLInputElement} */ (input);
    box.checked = ids.includes(box.value);
  }
}

/** Tells which ticked models would not get the temperature set under Options. */
function updateTemperatureHint() {
  const ignoring = selectedModelIds()
    .map((id) => state.models.get(id))
    .filter((m) => m && /** @type {any} */ (m).acceptsTemperature === false);
  temperatureHint.hidden = ignoring.length === 0;
  temperatureHint.textContent = ignoring.length
    ? `${ignoring.map((m) => displayName(/** @type {any} */ (m))).join(', ')} take${ignoring.length === 1 ? 's' : ''} no temperature: it is not sent to ${ignoring.length === 1 ? 'it' : 'them'}.`
    : '';
}

function modelOption(model) {
  return el(
    'label',
    { class: 'model-option' },
    el('input', { type: 'checkbox', name: 'model', value: model.id }),
    el(
      'span',
      { class: 'model-text' },
      el(
        'span',
        { class: 'model-name' },
        displayName(model),
        isSimulated(model) ? el('span', { class: 'badge simulated' }, 'simulated') : null,
        model.pricing === null ? el('span', { class: 'badge unknown-price' }, 'price unknown') : null,
      ),
      el(
        'span',
        { class: 'model-meta' },
        [
          model.pricing === null ? '' : formatPricing(model.pricing),
          model.acceptsTemperature === false ? 'no temperature' : '',
        ]
          .filter(Boolean)
          .join(' · ') || model.id,
      ),
    ),
  );
}

async function loadModels() {
  if (!state.token) {
    modelList.replaceChildren(el('p', { class: 'muted' }, 'Enter a token to load the models.'));
    return;
  }
  try {
    const { data } = await api('/comparison/models/available');
    const models = Array.isArray(data) ? data : [];
    state.models = new Map(models.map((m) => [m.id, m]));
    if (models.length === 0) {
      modelList.replaceChildren(el('p', { class: 'muted' }, 'No model is configured on this server.'));
      return;
    }
    modelList.replaceChildren(
      ...groupByEndpoint(models).map((group) =>
        el(
          'div',
          { class: 'model-group', role: 'group', 'aria-label': group.name, 'data-endpoint': group.id },
          el('p', { class: 'model-group-name' }, group.name),
          ...group.models.map(modelOption),
        ),
      ),
    );
    selectModels((storage.get(MODELS_KEY) ?? '').split(',').filter(Boolean));
    updateTemperatureHint();
    estimate.schedule();
  } catch (err) {
    modelList.replaceChildren(el('p', { class: 'error-text' }, `Could not load the models: ${err.message}`));
  }
}

// Columns ------------------------------------------------------------------------------------------

/** @param {string} sessionId @param {Array<{ modelId: string, provider?: string }>} entries */
function resetColumns(sessionId, entries) {
  state.sessionId = sessionId;
  state.blind = entries.length > 0 && entries.every((e) => isSlot(e.modelId));
  columnsBox.dataset.blind = String(state.blind);
  judging.hide();
  conversation.show(sessionId, { ended: false });
  state.columns = new Map();
  columnsBox.dataset.sessionId = sessionId;
  columnsBox.replaceChildren();
  columnsEmpty.hidden = true;
  summary.hidden = true;
  for (const entry of entries) columnFor(entry.modelId, entry.provider);
  history.setActive(sessionId);
}

/** @param {string} modelId @param {string} [provider] */
function columnFor(modelId, provider) {
  let column = state.columns.get(modelId);
  if (!column) {
    column = new Column(modelId, state.models.get(modelId), provider);
    state.columns.set(modelId, column);
    columnsBox.append(column.root);
  }
  return column;
}

/** @param {string} text @param {string} kind @param {string} [lead] */
function showSummary(text, kind, lead) {
  summary.replaceChildren(lead ? el('strong', {}, `${lead} · `) : '', text);
  summary.dataset.kind = kind;
  summary.hidden = false;
}

/** @param {string} error @param {string | null | undefined} [fallback] */
function showFailure(error, fallback) {
  if (error === 'cancelled') return showSummary('Comparison cancelled.', 'cancelled');
  showSummary(`Comparison failed: ${error || fallback || 'unknown error'}`, 'error');
}

// The stream ---------------------------------------------------------------------------------------

function stopStream() {
  state.stream?.close();
  state.stream = null;
  columnsBox.dataset.stream = 'closed';
}

/** @param {string} name @param {any} d */
function onStreamEvent(name, d) {
  if (name === 'model_chunk') columnFor(d.modelId).append(String(d.chunk ?? ''));
  else if (name === 'model_reasoning') columnFor(d.modelId).appendReasoning(String(d.chunk ?? ''));
  else if (name === 'model_complete') {
    const column = columnFor(d.modelId);
    column.setStatus('completed');
    column.showMetrics(d.metrics ?? {});
  } else if (name === 'model_error') {
    const column = columnFor(d.modelId);
    const cancelled = d.error === 'cancelled';
    column.setStatus(cancelled ? 'cancelled' : 'error');
    column.showError(cancelled ? 'Cancelled' : String(d.error ?? 'Failed'));
  } else if (name === 'comparison_complete') {
    if (d.metrics) showSummary(summaryText(d.metrics), 'complete', 'Complete');
    else showSummary('blind: names, costs and timings appear after your vote.', 'complete', 'Complete');
    say('');
  } else if (name === 'comparison_error') {
    showFailure(String(d.error ?? ''));
    say('');
  }
}

/** @param {string} sessionId @param {string} streamUrl */
function follow(sessionId, streamUrl) {
  stopStream();
  setRunning(true);
  columnsBox.dataset.stream = 'open';
  state.stream = watchComparison(streamUrl, {
    onEvent: onStreamEvent,
    onRetry: () => say('Connection interrupted; reconnecting…'),
    onEnd: (reason) => {
      state.stream = null;
      columnsBox.dataset.stream = 'closed';
      setRunning(false);
      void history.load(true);
      void estimate.refreshUsage();
      if (reason === 'final') void afterEnd(sessionId);
      if (reason === 'lost') say('Lost the stream; showing what the server has stored.', 'error');
      // Without the final event, show what the server stored instead (a 204, an expired ticket, a lost link).
      if (reason !== 'final') void reconcile(sessionId);
    },
  });
}

/** @param {string} sessionId */
async function reconcile(sessionId) {
  try {
    const { data } = await api(`/comparison/${encodeURIComponent(sessionId)}`);
    if (state.sessionId === sessionId && !state.stream) renderStored(data);
  } catch (err) {
    say(`Could not load the comparison: ${err.message}`, 'error');
  }
}

/** Once a comparison ends: its thread, the follow-up box, Share and Export, and the vote. */
async function afterEnd(sessionId) {
  offerVote(sessionId);
  try {
    const { data } = await api(`/comparison/${encodeURIComponent(sessionId)}`);
    if (state.sessionId === sessionId) conversation.show(sessionId, { thread: data.thread, ended: true });
  } catch {
    if (state.sessionId === sessionId) conversation.show(sessionId, { ended: true });
  }
}

/** @param {string} sessionId */
function offerVote(sessionId) {
  const answers = [...state.columns.values()]
    .filter((c) => c.status === 'completed')
    .map((c) => ({
      modelId: c.modelId,
      label: state.blind ? c.modelId : displayName({ ...state.models.get(c.modelId), id: c.modelId }),
    }));
  judging.offer(sessionId, answers, { blind: state.blind });
}

/**
 * The vote's reveal: each slot's column takes its model's name where it stands, then its figures.
 * @param {string} sessionId
 * @param {Array<{ slot: string, modelId: string, provider: string, name: string }> | null} reveal
 */
async function revealInPlace(sessionId, reveal) {
  if (state.sessionId !== sessionId) return;
  /** @type {Map<string, string>} */
  const slots = new Map();
  if (reveal) {
    /** @type {Map<string, Column>} */
    const columns = new Map();
    for (const [key, column] of state.columns) {
      const entry = reveal.find((r) => r.slot === key);
      if (!entry) {
        columns.set(key, column);
        continue;
      }
      const model = state.models.get(entry.modelId) ?? {
        id: entry.modelId,
        name: entry.name,
        provider: entry.provider,
      };
      column.setIdentity(entry.modelId, model, entry.provider, entry.slot);
      columns.set(entry.modelId, column);
      slots.set(entry.modelId, entry.slot);
    }
    state.columns = columns;
    state.blind = false;
    columnsBox.dataset.blind = 'false';
  }
  void leaderboard.load();
  try {
    const { data } = await api(`/comparison/${encodeURIComponent(sessionId)}`);
    if (state.sessionId !== sessionId) return;
    for (const r of data.responses ?? []) {
      const column = state.columns.get(r.modelId);
      if (column && r.status === 'completed') column.showMetrics(r);
    }
    if (data.metrics) showSummary(summaryText(data.metrics), 'complete', 'Complete');
  } catch (err) {
    say(`Could not load the revealed figures: ${err.message}`, 'error');
  }
}

/**
 * A POST /comparison (or /continue) answer: fresh columns, then its stream.
 * @param {any} created
 * @param {string[]} fallbackIds
 */
function startFollowing(created, fallbackIds) {
  const ids = modelIdsOf(created.models);
  const entries = (ids.length > 0 ? ids : fallbackIds).map((modelId) => ({ modelId }));
  resetColumns(created.sessionId, entries);
  // Shown from the start so that the columns keep their height when the final figures arrive.
  showSummary(
    `streaming ${plural(entries.length, 'model')}…`,
    'info',
    created.turn > 1 ? `Turn ${created.turn}` : 'Running',
  );
  say('');
  follow(created.sessionId, created.streamUrl);
  void history.load(true);
}

/** The POST /comparison body of the form as it stands, or null when it cannot run yet. */
function formBody() {
  const prompt = promptInput.value;
  const modelIds = selectedModelIds();
  const blind = blindInput.checked;
  if (!state.token || !prompt.trim() || (modelIds.length === 0 && !blind)) return null;
  /** @type {Record<string, unknown>} */
  const body = { prompt };
  // Blind with no model ticked: the server draws two different models at random.
  if (modelIds.length > 0) body.modelIds = modelIds;
  if (systemInput.value.trim()) body.system = systemInput.value;
  if (temperatureInput.value !== '') body.temperature = Number(temperatureInput.value);
  if (maxTokensInput.value !== '') body.maxTokens = Number.parseInt(maxTokensInput.value, 10);
  return body;
}

// Running, cancelling, reopening -------------------------------------------------------------------

/** @param {SubmitEvent} event */
async function run(event) {
  event.preventDefault();
  const prompt = promptInput.value;
  const modelIds = selectedModelIds();
  if (!state.token) return say('Enter a bearer token first.', 'error');
  if (!prompt.trim()) return say('Write a prompt first.', 'error');
  if (blindInput.checked && modelIds.length === 1)
    return say('A blind comparison needs two models or more.', 'error');
  if (modelIds.length === 0 && !blindInput.checked) return say('Tick at least one model.', 'error');
  storage.set(MODELS_KEY, modelIds.join(','));
  const body = /** @type {Record<string, unknown>} */ (formBody());
  if (blindInput.checked) body.blind = true;

  stopStream();
  // Neither button until the comparison exists: Cancel needs its id.
  state.sessionId = null;
  runButton.disabled = true;
  cancelButton.disabled = true;
  say('Starting…');
  try {
    const { data } = await api('/comparison', { method: 'POST', body });
    startFollowing(data, modelIds);
  } catch (err) {
    setRunning(false);
    // A 402 names the budget, what is spent and what this comparison needs: shown as it is.
    say(err.message, 'error');
    if (/** @type {any} */ (err).status === 402) void estimate.refreshUsage();
  }
}

async function cancel() {
  if (!state.sessionId) return;
  cancelButton.disabled = true;
  say('Cancelling…');
  try {
    await api(`/comparison/${encodeURIComponent(state.sessionId)}/cancel`, { method: 'POST' });
  } catch (err) {
    cancelButton.disabled = false;
    say(err.message, 'error');
  }
}

/** A stored session, as GET /comparison/:id returns it, drawn into the columns. */
function renderStored(session) {
  const responses = Array.isArray(session.responses) ? session.responses : [];
  resetColumns(session.id, responses);
  for (const r of responses) {
    const column = columnFor(r.modelId, r.provider);
    column.setText(r.response ?? '', r.reasoning ?? '');
    column.setStatus(r.status ?? 'pending');
    if (r.status === 'completed') column.showMetrics(r);
    if (r.errorMessage) column.showError(r.status === 'cancelled' ? 'Cancelled' : r.errorMessage);
  }
  const ended = !RUNNING_STATUSES.includes(session.status);
  conversation.show(session.id, { thread: session.thread, ended });
  if (ended) offerVote(session.id);
  if (session.status === 'completed' && !session.metrics)
    showSummary('blind: names, costs and timings appear after your vote.', 'complete', 'Complete');
  else if (session.status === 'completed') showSummary(summaryText(session.metrics), 'complete', 'Complete');
  else if (session.status === 'cancelled') showFailure('cancelled');
  else if (session.status === 'failed') showFailure(session.errorMessage, 'every model failed');
  else showSummary('still running: refresh the history to see more.', 'info', 'Running');
}

/** Puts a stored comparison's prompt, options and models back in the form, ready to run again. */
function fillComposer(session) {
  promptInput.value = session.prompt ?? '';
  systemInput.value = session.system ?? '';
  temperatureInput.value = session.temperature ?? '';
  maxTokensInput.value = session.maxTokens ?? '';
  if (systemInput.value || temperatureInput.value || maxTokensInput.value) optionsBox.open = true;
  if (Array.isArray(session.responses)) selectModels(session.responses.map((r) => r.modelId));
}

/** @param {string} sessionId */
async function openSession(sessionId) {
  stopStream();
  setRunning(false);
  try {
    const { data } = await api(`/comparison/${encodeURIComponent(sessionId)}`);
    fillComposer(data);
    if (RUNNING_STATUSES.includes(data.status) && typeof data.streamUrl === 'string') {
      // A new EventSource replays the comparison from its first event, so the columns start empty.
      resetColumns(data.id, data.responses ?? []);
      showSummary('following the comparison…', 'info', 'Running');
      say('');
      follow(data.id, data.streamUrl);
    } else {
      renderStored(data);
      say(`Loaded the comparison from ${formatWhen(data.createdAt) || 'earlier'}.`);
    }
  } catch (err) {
    say(`Could not load the comparison: ${err.message}`, 'error');
  }
}

// Wiring -------------------------------------------------------------------------------------------

form.addEventListener('submit', (event) => void run(/** @type {SubmitEvent} */ (event)));
cancelButton.addEventListener('click', () => void cancel());
tokenInput.addEventListener('change', onTokenChange);
$('token-form').addEventListener('submit', (event) => event.preventDefault());
$('token-toggle').addEventListener('click', (event) => {
  const button = /** @type {HTMLButtonElement} */ (event.currentTarget);
  const show = tokenInput.type === 'password';
  tokenInput.type = show ? 'text' : 'password';
  button.textContent = show ? 'Hide' : 'Show';
  button.setAttribute('aria-pressed', String(show));
});
promptInput.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) form.requestSubmit();
});
$('history-refresh').addEventListener('click', () => void history.load(true));
window.addEventListener('pagehide', stopStream);
for (const input of [promptInput, systemInput, temperatureInput, maxTokensInput])
  input.addEventListener('input', () => estimate.schedule());
modelList.addEventListener('change', () => {
  updateTemperatureHint();
  estimate.schedule();
});
blindInput.addEventListener('change', () => estimate.schedule());
columnsBox.addEventListener('click', (event) => {
  const button = /** @type {HTMLElement} */ (event.target).closest('button[data-action="continue"]');
  if (button instanceof HTMLElement && button.dataset.modelId) {
    const input = /** @type {HTMLTextAreaElement} */ ($('follow-up-prompt'));
    if (!input.value.trim()) {
      input.focus();
      return say('Write the follow-up below, then press Continue on the column again.');
    }
    void conversation.ask([button.dataset.modelId]);
  }
});
for (const button of document.querySelectorAll('.views button')) {
  button.addEventListener('click', () => {
    const view = /** @type {HTMLElement} */ (button).dataset.view;
    for (const b of document.querySelectorAll('.views button'))
      b.setAttribute('aria-pressed', String(b === button));
    $('workspace').hidden = view !== 'playground';
    $('leaderboard').hidden = view !== 'leaderboard';
    if (view === 'leaderboard') void leaderboard.load();
  });
}

setRunning(false);
await Promise.all([initToken(), loadMarkdown()]);
await Promise.all([loadModels(), history.load(true), estimate.refreshUsage()]);
document.body.dataset.ready = 'true';
