// The playground page: token, model choice, a comparison streamed into side-by-side columns, the history.
import { createApi, fetchDevToken, storage } from './api.js';
import { Column, el } from './columns.js';
import {
  displayName,
  formatPricing,
  formatWhen,
  isSimulated,
  modelIdsOf,
  plural,
  RUNNING_STATUSES,
  summaryText,
} from './format.js';
import { createHistory } from './history.js';
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
      ),
      el(
        'span',
        { class: 'model-meta' },
        [model.provider, formatPricing(model.pricing)].filter(Boolean).join(' · '),
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
    modelList.replaceChildren(...models.map(modelOption));
    selectModels((storage.get(MODELS_KEY) ?? '').split(',').filter(Boolean));
  } catch (err) {
    modelList.replaceChildren(el('p', { class: 'error-text' }, `Could not load the models: ${err.message}`));
  }
}

// Columns ------------------------------------------------------------------------------------------

/** @param {string} sessionId @param {Array<{ modelId: string, provider?: string }>} entries */
function resetColumns(sessionId, entries) {
  state.sessionId = sessionId;
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
    showSummary(summaryText(d.metrics), 'complete', 'Complete');
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

// Running, cancelling, reopening -------------------------------------------------------------------

/** @param {SubmitEvent} event */
async function run(event) {
  event.preventDefault();
  const prompt = promptInput.value;
  const modelIds = selectedModelIds();
  if (!state.token) return say('Enter a bearer token first.', 'error');
  if (!prompt.trim()) return say('Write a prompt first.', 'error');
  if (modelIds.length === 0) return say('Tick at least one model.', 'error');
  storage.set(MODELS_KEY, modelIds.join(','));

  /** @type {Record<string, unknown>} */
  const body = { prompt, modelIds };
  if (systemInput.value.trim()) body.system = systemInput.value;
  if (temperatureInput.value !== '') body.temperature = Number(temperatureInput.value);
  if (maxTokensInput.value !== '') body.maxTokens = Number.parseInt(maxTokensInput.value, 10);

  stopStream();
  // Neither button until the comparison exists: Cancel needs its id.
  state.sessionId = null;
  runButton.disabled = true;
  cancelButton.disabled = true;
  say('Starting…');
  try {
    const { data } = await api('/comparison', { method: 'POST', body });
    const ids = modelIdsOf(data.models);
    const entries = (ids.length > 0 ? ids : modelIds).map((modelId) => ({ modelId }));
    resetColumns(data.sessionId, entries);
    // Shown from the start so that the columns keep their height when the final figures arrive.
    showSummary(`streaming ${plural(entries.length, 'model')}…`, 'info', 'Running');
    say('');
    follow(data.sessionId, data.streamUrl);
    void history.load(true);
  } catch (err) {
    setRunning(false);
    say(err.message, 'error');
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
    column.setText(r.response ?? '');
    column.setStatus(r.status ?? 'pending');
    if (r.status === 'completed') column.showMetrics(r);
    if (r.errorMessage) column.showError(r.status === 'cancelled' ? 'Cancelled' : r.errorMessage);
  }
  if (session.status === 'completed') showSummary(summaryText(session.metrics), 'complete', 'Complete');
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

setRunning(false);
await initToken();
await Promise.all([loadModels(), history.load(true)]);
document.body.dataset.ready = 'true';
