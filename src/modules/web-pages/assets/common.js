// Helpers shared by /proctor and /take/{token}. No framework, no build step; text always goes through textContent.
'use strict';

(function () {
  /** A DOM element: `el('li', { className: 'x', dataset: { id } }, 'text', child)`. Strings become text nodes. */
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (key === 'dataset') Object.assign(node.dataset, value);
      else if (key in node) node[key] = value;
      else node.setAttribute(key, String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** A JSON call to the API: resolves `{ status, body }` (body null when there is none); never throws. */
  async function api(method, path, body, accessToken, headers, keepalive) {
    const init = { method, headers: Object.assign({ Accept: 'application/json' }, headers || {}), credentials: 'omit' };
    // keepalive: the request outlives the page (the last autosave when the candidate leaves)
    if (keepalive) init.keepalive = true;
    if (accessToken) init.headers.Authorization = `Bearer ${accessToken}`;
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch {
      return { status: 0, body: { code: 'NETWORK_ERROR', detail: 'The server could not be reached' } };
    }
    const text = await res.text();
    let parsed = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    return { status: res.status, body: parsed };
  }

  /**
   * Emits a proctoring event with an acknowledgement (docs/proctoring.md: every client event is answered
   * `{ ok, ... }`). Resolves the answer, or `{ ok: false, error: { code: 'TIMEOUT' } }` when none comes in time.
   */
  function emitAck(socket, event, payload, timeoutMs) {
    return new Promise((resolve) => {
      socket.timeout(timeoutMs || 10000).emit(event, payload, (err, answer) => {
        if (err) resolve({ ok: false, error: { code: 'TIMEOUT', detail: `No answer to ${event}` } });
        else resolve(answer || { ok: false, error: { code: 'NO_ANSWER' } });
      });
    });
  }

  function clockTime(iso) {
    const date = iso ? new Date(iso) : new Date();
    return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  }

  /** `mm:ss` or `h:mm:ss` of a number of seconds (never negative). */
  function duration(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const pad = (n) => String(n).padStart(2, '0');
    return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
  }

  /** Shows `text` in the page's status line (role=status, read out by screen readers). */
  function status(text, kind) {
    const line = document.getElementById('status');
    if (!line) return;
    line.textContent = text || '';
    line.className = kind ? `status ${kind}` : 'status';
  }

  window.Traj = { el, api, emitAck, clockTime, duration, status };
})();
