// The proctoring dashboard (/proctor): log in, list the tenant's live attempts, watch one (WebRTC answerer: the
// candidate's page makes the offer), follow its integrity events, message, flag or terminate it.
// Wire contract: docs/proctoring.md. Tokens stay in this page's memory only (a reload logs in again).
'use strict';

(function () {
  const { el, api, emitAck, clockTime, status } = window.Traj;
  const $ = (id) => document.getElementById(id);

  const auth = { access: null, refresh: null, user: null, refreshTimer: null };
  const state = {
    socket: null,
    iceServers: [],
    sessions: new Map(), // invite_id -> LiveSession
    watching: null, // invite_id
    peers: new Map(), // candidate peer_id -> { pc, pending: RTCIceCandidateInit[] }
  };

  // ---- authentication ---------------------------------------------------------------------------------------

  async function login(event) {
    event.preventDefault();
    $('login-button').disabled = true;
    status('Logging in…');
    const res = await api('POST', '/auth/login', { email: $('email').value, password: $('password').value });
    $('login-button').disabled = false;
    if (res.status !== 200) {
      status(res.body && res.body.detail ? res.body.detail : `Login failed (${res.status})`, 'error');
      return;
    }
    if (!['admin', 'proctor', 'superadmin'].includes(res.body.user.role)) {
      status('This account may not proctor (admin, proctor or superadmin only).', 'error');
      return;
    }
    $('password').value = '';
    useTokens(res.body);
    $('login').hidden = true;
    $('dashboard').hidden = false;
    $('logout').hidden = false;
    $('who').textContent = `${res.body.user.full_name || res.body.user.email} (${res.body.user.role})`;
    status('');
    connect();
  }

  /** Keeps the tokens and refreshes the access token a minute before it expires (or at 80 % of a short one). */
  function useTokens(body) {
    auth.access = body.access_token;
    auth.refresh = body.refresh_token;
    auth.user = body.user;
    clearTimeout(auth.refreshTimer);
    const lifetime = Math.max(10, Number(body.expires_in) || 900);
    const delay = lifetime > 300 ? lifetime - 60 : lifetime * 0.8;
    auth.refreshTimer = setTimeout(refreshTokens, delay * 1000);
    // the handshake of every later (re)connection uses the fresh token
    if (state.socket) state.socket.auth = { token: auth.access };
  }

  async function refreshTokens() {
    if (!auth.refresh) return false;
    const res = await api('POST', '/auth/refresh', { refresh_token: auth.refresh });
    if (res.status === 200) {
      useTokens(res.body);
      return true;
    }
    if (res.status === 0 || res.status >= 500 || res.status === 429) {
      // the server is unreachable or busy: try again shortly with the same refresh token
      auth.refreshTimer = setTimeout(refreshTokens, 10000);
      return false;
    }
    status('Your session has ended; log in again.', 'error');
    logout(false);
    return false;
  }

  async function logout(callApi) {
    clearTimeout(auth.refreshTimer);
    if (callApi !== false && auth.access) await api('POST', '/auth/logout', {}, auth.access);
    auth.access = auth.refresh = auth.user = null;
    stopWatching(false);
    if (state.socket) state.socket.disconnect();
    state.socket = null;
    state.sessions.clear();
    renderSessions();
    $('dashboard').hidden = true;
    $('logout').hidden = true;
    $('login').hidden = false;
    $('who').textContent = '';
  }

  // ---- the socket -------------------------------------------------------------------------------------------

  function connect() {
    const socket = window.io('/proctoring', { auth: { token: auth.access }, reconnectionDelayMax: 10000 });
    state.socket = socket;
    socket.on('ready', (ready) => {
      state.iceServers = ready.ice_servers || [];
      status('Connected.', 'ok');
      loadSessions();
      // after a reconnection, the watcher room has to be joined again (a new peer id)
      if (state.watching) watch(state.watching, true);
    });
    socket.on('connect_error', async (error) => {
      const code = error && error.message;
      if (code === 'TOKEN_EXPIRED' || code === 'INVALID_TOKEN') {
        if (await refreshTokens()) socket.connect();
        return;
      }
      if (code === 'NOT_AUTHENTICATED' || code === 'FORBIDDEN') {
        status(`The proctoring service refused this account (${code}).`, 'error');
        return;
      }
      status(`Cannot reach the proctoring service (${code || 'error'}); retrying…`, 'error');
      // a refusal by the server's middleware is not retried by Socket.IO itself (rate limit, outage)
      if (!socket.active) setTimeout(() => state.socket === socket && socket.connect(), 5000);
    });
    socket.on('disconnect', (reason) => {
      closePeers();
      if (reason === 'io server disconnect') {
        // the server dropped us (e.g. the token is no longer good): refresh, then reconnect by hand
        status('Disconnected by the server; reconnecting…', 'error');
        refreshTokens().then((ok) => ok && socket.connect());
      } else if (reason !== 'io client disconnect') {
        status('Connection lost; reconnecting…', 'error');
      }
    });

    socket.on('session:started', ({ session }) => {
      state.sessions.set(session.invite_id, session);
      renderSessions();
    });
    socket.on('session:ended', ({ invite_id, status: ended }) => {
      state.sessions.delete(invite_id);
      renderSessions();
      if (invite_id === state.watching) {
        logEvent('ended', `The attempt ended (${ended}).`);
        closePeers();
        setControls(false);
      }
    });
    socket.on('candidate:connected', ({ invite_id, peer_id }) => {
      if (invite_id !== state.watching) return;
      logEvent('info', `Candidate connected (${peer_id}).`);
      // A candidate that connects (or reloads) while we watch makes its offer when told of a watcher
      // (`proctor:joined`). If no offer comes, watch again so that the server announces us to it.
      setTimeout(() => {
        if (state.watching === invite_id && !state.peers.has(peer_id)) rejoin(invite_id);
      }, 3000);
    });
    socket.on('candidate:disconnected', ({ invite_id, peer_id }) => {
      if (invite_id !== state.watching) return;
      logEvent('info', `Candidate disconnected (${peer_id}).`);
      closePeer(peer_id);
    });
    socket.on('integrity:event', (event) => {
      if (event.invite_id !== state.watching) return;
      logEvent('integrity', `${event.type}${event.detail ? `: ${event.detail}` : ''}`, event.at);
    });
    socket.on('proctor:message', (message) => {
      if (message.invite_id !== state.watching) return;
      const from = message.from && message.from.name ? message.from.name : 'Proctor';
      logEvent('message', `${from}: ${message.text}`, message.at);
    });
    socket.on('proctor:flag', (flag) => {
      if (flag.invite_id !== state.watching) return;
      logEvent('flag', `Flag (${flag.severity || 'medium'}): ${flag.reason}`, flag.at);
    });
    socket.on('attempt:deadline', ({ invite_id }) => {
      if (invite_id === state.watching) logEvent('ended', 'The time is over.');
    });
    socket.on('attempt:terminated', ({ invite_id, reason }) => {
      if (invite_id === state.watching) logEvent('ended', `Terminated: ${reason}`);
    });
    socket.on('signal', onSignal);
  }

  async function loadSessions() {
    const answer = await emitAck(state.socket, 'sessions:list', {});
    if (!answer.ok) {
      status(`Could not list the attempts (${answer.error.code}).`, 'error');
      return;
    }
    state.sessions.clear();
    for (const session of answer.sessions) state.sessions.set(session.invite_id, session);
    renderSessions();
  }

  function renderSessions() {
    const list = $('sessions');
    list.replaceChildren();
    const sessions = [...state.sessions.values()].sort((a, b) => String(a.started_at).localeCompare(b.started_at));
    for (const s of sessions) {
      const item = el(
        'li',
        { dataset: { inviteId: s.invite_id }, className: s.invite_id === state.watching ? 'active' : '' },
        el('div', { className: 'name' }, s.applicant_name || s.applicant_email),
        el('div', { className: 'muted' }, s.test_title || ''),
        el(
          'div',
          { className: 'muted' },
          `until ${clockTime(s.deadline)}`,
          el('span', { className: s.connected ? 'badge live' : 'badge' }, s.connected ? 'online' : 'offline'),
          s.flags ? el('span', { className: 'badge' }, `${s.flags} flags`) : null,
        ),
      );
      item.addEventListener('click', () => watch(s.invite_id));
      list.append(item);
    }
    $('session-count').textContent = String(sessions.length);
    $('no-sessions').hidden = sessions.length > 0;
  }

  // ---- watching an attempt ----------------------------------------------------------------------------------

  async function watch(inviteId, again) {
    if (state.watching && state.watching !== inviteId) stopWatching(true);
    const answer = await emitAck(state.socket, 'session:watch', { invite_id: inviteId });
    if (!answer.ok) {
      status(`Cannot watch this attempt (${answer.error.code}).`, 'error');
      if (!again) return;
      state.watching = null;
      $('watch').hidden = true;
      return;
    }
    const session = answer.session;
    state.sessions.set(session.invite_id, session);
    if (state.watching !== inviteId) {
      state.watching = inviteId;
      $('events').replaceChildren();
      loadTimeline(inviteId);
    }
    renderSessions();
    $('watch').hidden = false;
    $('watch-title').textContent = `${session.applicant_name} — ${session.test_title || ''}`;
    $('watch-meta').textContent =
      `${session.applicant_email} · started ${clockTime(session.started_at)} · deadline ${clockTime(session.deadline)}`;
    $('peer-status').textContent =
      answer.candidates && answer.candidates.length
        ? "Connecting to the candidate's camera…"
        : 'The candidate is not connected.';
    setControls(true);
    logEvent('info', again ? 'Watching again after a reconnection.' : 'Watching.');
  }

  /** Earlier events of the attempt, from the REST timeline when it is available (docs/proctoring.md, REST). */
  async function loadTimeline(inviteId) {
    const res = await api('GET', `/api/v1/proctoring/sessions/${encodeURIComponent(inviteId)}`, undefined, auth.access);
    if (res.status !== 200 || !res.body || !Array.isArray(res.body.timeline) || state.watching !== inviteId) return;
    const shown = res.body.timeline.filter((e) => /^(integrity\.|proctor\.(message|flag)|terminated)/.test(e.type));
    for (const e of shown.reverse()) {
      const data = e.data || {};
      const text = data.text || data.reason || data.detail || '';
      logEvent(
        e.type.startsWith('integrity.') ? 'integrity' : 'history',
        `${e.type}${text ? `: ${text}` : ''}`,
        e.at || e.created_at,
        true,
      );
    }
  }

  /** Leaves and joins the watcher room again: the server then sends `proctor:joined` to every candidate peer. */
  async function rejoin(inviteId) {
    await emitAck(state.socket, 'session:unwatch', { invite_id: inviteId });
    if (state.watching === inviteId) await watch(inviteId, true);
  }

  function stopWatching(tellServer) {
    const inviteId = state.watching;
    state.watching = null;
    closePeers();
    $('watch').hidden = true;
    if (tellServer && inviteId && state.socket) emitAck(state.socket, 'session:unwatch', { invite_id: inviteId });
    renderSessions();
  }

  function setControls(enabled) {
    for (const id of ['message-send', 'flag-send', 'terminate-send']) $(id).disabled = !enabled;
  }

  /** Appends a line to the event list (newest first); `old` lines (the timeline) go to the bottom. */
  function logEvent(kind, text, at, old) {
    const item = el('li', { className: kind }, `${clockTime(at)} `, text);
    if (old) $('events').append(item);
    else $('events').prepend(item);
  }

  async function sendMessage(event) {
    event.preventDefault();
    const text = $('message-text').value.trim();
    if (!text || !state.watching) return;
    const answer = await emitAck(state.socket, 'proctor:message', { invite_id: state.watching, text });
    if (answer.ok) $('message-text').value = '';
    else status(`Message not sent (${answer.error.code}).`, 'error');
  }

  async function sendFlag(event) {
    event.preventDefault();
    const reason = $('flag-reason').value.trim();
    if (!reason || !state.watching) return;
    const severity = $('flag-severity').value;
    const answer = await emitAck(state.socket, 'proctor:flag', { invite_id: state.watching, reason, severity });
    if (answer.ok) $('flag-reason').value = '';
    else status(`Flag not recorded (${answer.error.code}).`, 'error');
  }

  async function terminate(event) {
    event.preventDefault();
    const reason = $('terminate-reason').value.trim();
    if (!reason || !state.watching) return;
    if (!window.confirm('End this attempt now? The saved answers are scored and kept.')) return;
    const answer = await emitAck(state.socket, 'proctor:terminate', { invite_id: state.watching, reason });
    if (answer.ok) {
      $('terminate-reason').value = '';
      status('The attempt was terminated.', 'ok');
    } else status(`Not terminated (${answer.error.code}).`, 'error');
  }

  // ---- WebRTC: one answering connection per candidate peer --------------------------------------------------

  async function onSignal(message) {
    const { from, type } = message;
    try {
      if (type === 'offer') {
        // a new offer (first contact, a renegotiation or the candidate's reload) replaces that peer's connection
        closePeer(from);
        const peer = createPeer(from);
        await peer.pc.setRemoteDescription({ type: 'offer', sdp: message.sdp });
        for (const candidate of peer.pending.splice(0)) await peer.pc.addIceCandidate(candidate);
        const answer = await peer.pc.createAnswer();
        await peer.pc.setLocalDescription(answer);
        const ack = await emitAck(state.socket, 'signal', { to: from, type: 'answer', sdp: answer.sdp });
        if (!ack.ok) console.warn('answer not relayed', ack.error);
      } else if (type === 'ice-candidate') {
        const peer = state.peers.get(from);
        if (!peer || !message.candidate) return;
        if (peer.pc.remoteDescription) await peer.pc.addIceCandidate(message.candidate);
        else peer.pending.push(message.candidate);
      }
    } catch (error) {
      console.warn('signal failed', type, error);
      $('peer-status').textContent = `Video connection failed: ${error && error.message}`;
    }
  }

  function createPeer(peerId) {
    const pc = new RTCPeerConnection({ iceServers: state.iceServers });
    const peer = { pc, pending: [] };
    state.peers.set(peerId, peer);
    pc.onicecandidate = (event) => {
      const candidate = event.candidate ? event.candidate.toJSON() : null;
      emitAck(state.socket, 'signal', { to: peerId, type: 'ice-candidate', candidate });
    };
    pc.ontrack = (event) => {
      const video = $('remote');
      video.srcObject = event.streams && event.streams[0] ? event.streams[0] : new MediaStream([event.track]);
      video.play().catch(() => undefined);
    };
    pc.onconnectionstatechange = () => {
      const labels = { connected: 'Live.', connecting: 'Connecting…', failed: 'Video connection failed.' };
      if (labels[pc.connectionState]) $('peer-status').textContent = labels[pc.connectionState];
      if (pc.connectionState === 'disconnected') $('peer-status').textContent = 'Video interrupted…';
    };
    return peer;
  }

  function closePeer(peerId) {
    const peer = state.peers.get(peerId);
    if (!peer) return;
    state.peers.delete(peerId);
    peer.pc.close();
    if (state.peers.size === 0) {
      $('remote').srcObject = null;
      $('peer-status').textContent = 'The candidate is not connected.';
    }
  }

  function closePeers() {
    for (const peerId of [...state.peers.keys()]) closePeer(peerId);
  }

  // ---- wiring -----------------------------------------------------------------------------------------------

  $('login-form').addEventListener('submit', login);
  $('logout').addEventListener('click', () => logout(true));
  $('message-form').addEventListener('submit', sendMessage);
  $('flag-form').addEventListener('submit', sendFlag);
  $('terminate-form').addEventListener('submit', terminate);
  $('unwatch').addEventListener('click', () => stopWatching(true));
  if (typeof window.io !== 'function') status('The proctoring client failed to load.', 'error');
})();
