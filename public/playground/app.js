// The playground page: token, model choice, a comparison streamed through EventSource, and the history.
import { Column, el } from './columns.js';
import {
  displayName,
  errorMessage,
  FINAL_EVENTS,
  formatPricing,
  formatWhen,
  hasMore,
  isSimulated,
  modelIdsOf,
  RUNNING_STATUSES,
  resolveStreamUrl,
  summaryText,
  truncate,
} from './format.js';

const TOKEN_KEY = 'playground.token';
const MODELS_KEY = 'playground.models';
const HISTORY_PAGE = 15;
// Consecutive connection errors with no event in between before the page stops the browser reconnecting.
const MAX_STREAM_RETRIES = 5;

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const tokenInput = /** @type {HTMLInputElement} */ ($('token'));
const promptInput = /** @type {HTMLTextAreaElement} */ ($('prompt'));
const systemInput = /** @type {HTMLTextAreaElement} */ ($('system'));
const temperatureInput = /** @type {HTMLInputElement} */ ($('temperature'));
const maxTokensInput = /** @type {HTMLInputElement} */ ($('max-tokens'));
const form = /** @type {HTMLFormElement} */ ($('run-form'));
const runButton = /** @type {HTMLButtonElement} */ ($('run'));
const cancelButton = /** @type {HTMLButtonElement} */ ($('cancel'));
const modelList = $('model-list');
const notice = $('notice');
const summary = $('summary');
const columnsBox = $('columns');
const historyList = $('history-list');
const historyMore = $('history-more');
const historyEmpty = $('history-empty');
const columnsEmpty = $('columns-empty');

const state = {
  token: '',
  /** @type {Map<string, { id: string, name: string, provider: string, pricing?: { inputPerMillion: number, outputPerMillion: number } }>} */
  models: new Map(),
  /** @type {string | null} */
  sessionId: null,
  /** @type {EventSource | null} */
  source: null,
  /** @type {Map<string, Column>} */
  columns: new Map(),
  historyLoaded: 0,
};

const storage = {
  /** @param {string} key */
  get(key) {
    try {
      return localStorage.getItem(key);
    } catch {
      return null;
    }
  },
  /** @param {string} key @param {string | null} value */
  set(key, value) {
    try {
      if (value) localStorage.setItem(key, value);
      else localStorage.removeItem(key);
    } catch {
      // Storage may be disabled (private windows); the page works without it.
    }
  },
};

/** @param {string} text @param {'info' | 'error'} [kind] */
function say(text, kind = 'info') {
  notice.textContent = text;
  notice.dataset.kind = kind;
}

/** Calls the API with the bearer token; returns the parsed body and the response, or throws with the envelope's message. */
async function api(path, { method = 'GET', body } = /** @type {{ method?: string, body?: unknown }} */ ({})) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  if (state.token) headers.authorization = `Bearer ${state.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new Error(errorMessage(response.status, data));
  return { data, response };
}

function setRunning(running) {
  runButton.disabled = running;
  cancelButton.disabled = !running;
  document.body.dataset.running = String(running);
}

/** @param {number} n @param {string} noun */
const plural = (n, noun) => (n > 0 ? `${n} ${noun}${n === 1 ? '' : 's'}` : '');

// Token --------------------------------------------------------------------------------------------

async function initToken() {
  let devToken = null;
  try {
    const response = await fetch('/playground/config.json');
    if (response.ok) devToken = (await response.json()).devToken ?? null;
  } catch {
    // No config: the user pastes a token.
  }
  // The dev token changes with every server run, so it wins over one stored from an earlier run.
  state.token = devToken || storage.get(TOKEN_KEY) || '';
  tokenInput.value = state.token;
  if (devToken) say('Development server: the dev token it printed is filled in.');
}

function onTokenChange() {
  state.token = tokenInput.value.trim();
  storage.set(TOKEN_KEY, state.token);
  void loadModels();
  void loadHistory(true);
}

// Models -------------------------------------------------------------------------------------------

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
    const remembered = (storage.get(MODELS_KEY) ?? '').split(',').filter(Boolean);
    selectModels(remembered);
  } catch (err) {
    modelList.replaceChildren(el('p', { class: 'error-text' }, `Could not load the models: ${err.message}`));
  }
}

function modelOption(model) {
  const price = formatPricing(model.pricing);
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
      el('span', { class: 'model-meta' }, [model.provider, price].filter(Boolean).join(' · ')),
    ),
  );
}

// Columns and the stream ------------------------------------------------------------------------------

/** @param {string} sessionId @param {Array<{ modelId: string, provider?: string }>} entries */
function resetColumns(sessionId, entries) {
  state.sessionId = sessionId;
  columnsBox.dataset.sessionId = sessionId;
  state.columns = new Map();
  columnsBox.replaceChildren();
  columnsEmpty.hidden = true;
  summary.hidden = true;
  summary.textContent = '';
  for (const entry of entries) columnFor(entry.modelId, entry.provider);
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

function closeStream() {
  if (state.source) state.source.close();
  state.source = null;
  columnsBox.dataset.stream = 'closed';
}

/** @param {string} sessionId @param {string} streamUrl */
function openStream(sessionId, streamUrl) {
  closeStream();
  const source = new EventSource(resolveStreamUrl(streamUrl, window.location.origin));
  state.source = source;
  columnsBox.dataset.stream = 'open';
  let failures = 0;

  /** @param {string} name @param {(data: any) => void} handle */
  const on = (name, handle) =>
    source.addEventListener(name, (event) => {
      if (state.source !== source) return;
      failures = 0;
      let data;
      try {
        data = JSON.parse(/** @type {MessageEvent} */ (event).data);
      } catch {
        return;
      }
      handle(data);
      // The server closes the stream after the final event; closing first keeps the browser from reconnecting.
      if (FINAL_EVENTS.includes(name)) finishStream();
    });

  on('model_chunk', (d) => columnFor(d.modelId).append(String(d.chunk ?? '')));
  on('model_complete', (d) => {
    const column = columnFor(d.modelId);
    column.setStatus('completed');
    column.showMetrics(d.metrics ?? {});
  });
  on('model_error', (d) => {
    const column = columnFor(d.modelId);
    const cancelled = d.error === 'cancelled';
    column.setStatus(cancelled ? 'cancelled' : 'error');
    column.showError(cancelled ? 'Cancelled' : String(d.error ?? 'Failed'));
  });
  on('comparison_complete', (d) => {
    showSummary(summaryText(d.metrics), 'complete', 'Complete');
    say('Comparison complete.');
  });
  on('comparison_error', (d) => {
    const cancelled = d.error === 'cancelled';
    showSummary(
      cancelled ? 'Comparison cancelled.' : `Comparison failed: ${d.error ?? 'unknown error'}`,
      'error',
    );
    say(cancelled ? 'Cancelled.' : 'The comparison failed.', cancelled ? 'info' : 'error');
  });

  source.addEventListener('error', () => {
    if (state.source !== source) return;
    // CLOSED: the server refused (401, 404) or said the stream is over (204): the browser will not retry.
    if (source.readyState === EventSource.CLOSED) {
      finishStream();
      void reconcile(sessionId);
      return;
    }
    failures += 1;
    if (failures >= MAX_STREAM_RETRIES) {
      finishStream();
      say('Lost the stream; showing what the server has stored.', 'error');
      void reconcile(sessionId);
    } else {
      say('Connection interrupted; reconnecting…');
    }
  });
}

function finishStream() {
  closeStream();
  setRunning(false);
  void loadHistory(true);
}

/** After a stream ends abnormally: show the stored state of the session. */
async function reconcile(sessionId) {
  if (state.sessionId !== sessionId) return;
  try {
    const { data } = await api(`/comparison/${encodeURIComponent(sessionId)}`);
    if (state.sessionId === sessionId && !state.source) renderSession(data, false);
  } catch (err) {
    say(`Could not load the comparison: ${err.message}`, 'error');
  }
}

// Running and cancelling ------------------------------------------------------------------------------

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

  closeStream();
  setRunning(true);
  say('Starting…');
  try {
    const { data } = await api('/comparison', { method: 'POST', body });
    const ids = modelIdsOf(data.models);
    const entries = (ids.length > 0 ? ids : modelIds).map((modelId) => ({ modelId }));
    resetColumns(data.sessionId, entries);
    // Shown from the start so that the columns keep their height when the final figures arrive.
    showSummary(`streaming ${plural(entries.length, 'model')}…`, 'info', 'Running');
    openStream(data.sessionId, data.streamUrl);
    say('');
    void loadHistory(true);
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

// History ------------------------------------------------------------------------------------------

/** Shows a stored session in the columns; follows its stream when it is still running. */
function renderSession(session, follow) {
  const responses = Array.isArray(session.responses) ? session.responses : [];
  const running = RUNNING_STATUSES.includes(session.status);
  resetColumns(session.id, responses);
  markActiveHistoryItem();
  if (follow && running && typeof session.streamUrl === 'string') {
    // A new EventSource replays the session from its first event: the columns start empty.
    setRunning(true);
    showSummary('following the comparison…', 'info', 'Running');
    openStream(session.id, session.streamUrl);
    return say('');
  }
  for (const r of responses) {
    const column = columnFor(r.modelId, r.provider);
    column.setText(r.response ?? '');
    column.setStatus(r.status ?? 'pending');
    if (r.status === 'completed') column.showMetrics(r);
    if (r.errorMessage) column.showError(r.status === 'cancelled' ? 'Cancelled' : r.errorMessage);
  }
  if (session.status === 'completed') showSummary(summaryText(session.metrics), 'complete', 'Complete');
  else if (session.status === 'cancelled') showSummary('Comparison cancelled.', 'cancelled');
  else if (session.status === 'failed') showSummary('Comparison failed.', 'error');
  else showSummary('Still running: refresh the history to see more.', 'info');
}

/** @param {string} id */
async function openSession(id) {
  closeStream();
  setRunning(false);
  try {
    const { data } = await api(`/comparison/${encodeURIComponent(id)}`);
    promptInput.value = data.prompt ?? '';
    renderSession(data, true);
    if (!state.source) say(`Loaded the comparison from ${formatWhen(data.createdAt) || 'earlier'}.`);
  } catch (err) {
    say(`Could not load the comparison: ${err.message}`, 'error');
  }
}

function markActiveHistoryItem() {
  for (const item of historyList.querySelectorAll('button[data-session-id]')) {
    const button = /** @type {HTMLElement} */ (item);
    if (button.dataset.sessionId === state.sessionId) button.setAttribute('aria-current', 'true');
    else button.removeAttribute('aria-current');
  }
}

function historyItem(session) {
  const models = Array.isArray(session.responses)
    ? session.responses.map((r) => r.modelId)
    : modelIdsOf(session.models);
  return el(
    'li',
    {},
    el(
      'button',
      {
        type: 'button',
        class: 'history-item',
        'data-session-id': session.id,
        title: truncate(session.prompt, 300),
      },
      el('span', { class: 'history-prompt' }, truncate(session.prompt, 90) || '(empty prompt)'),
      el(
        'span',
        { class: 'history-meta' },
        el(
          'span',
          { class: 'status small', 'data-status': session.status },
          sessionStatusLabel(session.status),
        ),
        [formatWhen(session.createdAt), plural(models.length, 'model')].filter(Boolean).join(' · '),
      ),
    ),
  );
}

let historyRequest = 0;

/** @param {boolean} reset */
async function loadHistory(reset) {
  if (!state.token) {
    historyList.replaceChildren();
    historyMore.hidden = true;
    historyEmpty.hidden = false;
    return;
  }
  const request = ++historyRequest;
  const offset = reset ? 0 : state.historyLoaded;
  try {
    const { data, response } = await api(`/comparison?limit=${HISTORY_PAGE}&offset=${offset}`);
    if (request !== historyRequest) return;
    const sessions = Array.isArray(data) ? data : (data?.items ?? data?.sessions ?? []);
    if (reset) historyList.replaceChildren();
    historyList.append(...sessions.map(historyItem));
    state.historyLoaded = offset + sessions.length;
    historyEmpty.hidden = state.historyLoaded > 0;
    historyMore.hidden = !hasMore(response.headers.get('x-total-count'), state.historyLoaded);
    markActiveHistoryItem();
  } catch (err) {
    if (request === historyRequest && reset) {
      historyList.replaceChildren(el('li', { class: 'error-text' }, err.message));
      historyMore.hidden = true;
      historyEmpty.hidden = true;
    }
  }
}

/** @param {string | undefined} status */
function sessionStatusLabel(status) {
  if (status === 'in_progress') return 'running';
  return status ?? '';
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
historyMore.addEventListener('click', () => void loadHistory(false));
$('history-refresh').addEventListener('click', () => void loadHistory(true));
historyList.addEventListener('click', (event) => {
  const target = /** @type {HTMLElement} */ (event.target).closest('button[data-session-id]');
  if (target instanceof HTMLElement && target.dataset.sessionId) void openSession(target.dataset.sessionId);
});
window.addEventListener('pagehide', closeStream);

setRunning(false);
await initToken();
await Promise.all([loadModels(), loadHistory(true)]);
document.body.dataset.ready = 'true';
