// The candidate's page (/take/{token}): open the invitation, start, answer (autosaved), submit, with a countdown from
// the server's clock; while the attempt runs, the camera is offered to the proctors watching it (WebRTC offerer) and
// integrity events are reported. Wire contract: docs/proctoring.md. The token is read from this page's URL only.
'use strict';

(function () {
  const { el, api, emitAck, clockTime, duration, status } = window.Traj;
  const $ = (id) => document.getElementById(id);

  const token = (() => {
    try {
      return decodeURIComponent(location.pathname.split('/')[2] || '');
    } catch {
      return ''; // a malformed link
    }
  })();
  const enc = encodeURIComponent(token);
  const AUTOSAVE_DEBOUNCE_MS = 800;
  const AUTOSAVE_EVERY_MS = 5000;

  const state = {
    view: null, // the take-test answer
    deadline: null, // ms since epoch, server clock
    clockOffset: 0, // server time - local time, ms
    timer: null,
    autosave: null,
    debounce: null,
    dirty: new Set(), // question ids changed since the last acknowledged save
    touched: new Set(), // question ids with a saved answer or changed on this page (the others stay unanswered)
    saving: false,
    finished: false,
    socket: null,
    iceServers: [],
    camera: null, // Promise<MediaStream | null>
    stream: null,
    peers: new Map(), // proctor peer_id -> { pc, pending: RTCIceCandidateInit[] }
  };

  const MESSAGES = {
    INVITATION_NOT_FOUND: 'This link is not valid.',
    INVITATION_EXPIRED: 'This invitation has expired.',
    ATTEMPT_ALREADY_SUBMITTED: 'This test has already been submitted.',
    ATTEMPT_DEADLINE_PASSED: 'The time for this test is over.',
    OUTSIDE_SCHEDULE_WINDOW: null, // the server's own detail says when
    RATE_LIMITED: 'Too many requests; wait a moment and reload the page.',
  };

  function problem(res) {
    const body = res.body || {};
    return MESSAGES[body.code] || body.detail || `Something went wrong (${res.status}).`;
  }

  // ---- loading and starting ---------------------------------------------------------------------------------

  async function load() {
    if (!token) return finish('This link is not valid.', '');
    status('Loading…');
    const res = await api('GET', `/api/take-test/${enc}`);
    if (res.status !== 200) return finish('Cannot open the test', problem(res));
    status('');
    state.view = res.body;
    syncClock(res.body.server_time, res.body.deadline);
    const test = res.body.test;
    document.title = `${test.title} — Trajectorie`;
    $('title').textContent = test.title;
    if (!res.body.started_at) {
      $('intro-title').textContent = test.title;
      $('intro-description').textContent = test.description || '';
      $('intro-meta').textContent =
        `${test.question_count} questions · ${Math.round(res.body.remaining_time_seconds / 60)} minutes`;
      $('intro').hidden = false;
      return;
    }
    showTest();
  }

  async function start() {
    $('start').disabled = true;
    status('Starting…');
    const res = await api('POST', `/api/start-test/${enc}`);
    if (res.status !== 200 && res.status !== 201) {
      $('start').disabled = false;
      status(problem(res), 'error');
      return;
    }
    // the questions and the saved answers as the server now has them
    const view = await api('GET', `/api/take-test/${enc}`);
    if (view.status !== 200) return finish('Cannot open the test', problem(view));
    state.view = view.body;
    status('');
    $('intro').hidden = true;
    showTest();
  }

  function showTest() {
    syncClock(state.view.server_time, state.view.deadline);
    renderQuestions(state.view.test.questions, state.view.saved_answers || []);
    $('test').hidden = false;
    state.timer = setInterval(tick, 500);
    tick();
    state.autosave = setInterval(() => save(), AUTOSAVE_EVERY_MS);
    startProctoring();
  }

  function syncClock(serverTime, deadline) {
    if (serverTime) state.clockOffset = new Date(serverTime).getTime() - Date.now();
    if (deadline) state.deadline = new Date(deadline).getTime();
  }

  function tick() {
    if (!state.deadline || state.finished) return;
    const left = (state.deadline - (Date.now() + state.clockOffset)) / 1000;
    $('timer').textContent = duration(left);
    $('timer').className = left < 60 ? 'low' : '';
    if (left <= 0) {
      // hand in what is on the page; the server's sweep ends the attempt anyway (grace period)
      submit(null, true);
    }
  }

  // ---- questions and answers --------------------------------------------------------------------------------

  function renderQuestions(questions, saved) {
    const savedById = new Map(saved.map((a) => [a.question_id, a.answer]));
    for (const id of savedById.keys()) state.touched.add(id);
    const box = $('questions');
    box.replaceChildren();
    questions.forEach((q, index) => {
      const value = savedById.get(q.id);
      const block = el('fieldset', { className: 'question card', dataset: { questionId: q.id, type: q.type } });
      block.append(el('legend', { className: 'prompt' }, `${index + 1}. ${q.question}`));
      block.append(el('div', { className: 'muted' }, `${q.points} point${q.points === 1 ? '' : 's'}`));
      if (q.type === 'multiple_choice' || q.type === 'multi_select') {
        const kind = q.type === 'multiple_choice' ? 'radio' : 'checkbox';
        const chosen = new Set(Array.isArray(value) ? value : value !== undefined ? [value] : []);
        (q.options || []).forEach((option) => {
          const input = el('input', { type: kind, name: `q-${q.id}`, value: option, checked: chosen.has(option) });
          input.addEventListener('change', () => changed(q.id));
          block.append(el('label', {}, input, option));
        });
      } else {
        const area = el('textarea', {
          name: `q-${q.id}`,
          className: q.type === 'coding' ? 'code' : '',
          spellcheck: q.type !== 'coding',
          maxLength: 100000,
          value: typeof value === 'string' ? value : '',
        });
        if (q.type === 'coding' && q.expected_language) {
          block.append(el('div', { className: 'muted' }, `Language: ${q.expected_language}`));
        }
        area.addEventListener('input', () => changed(q.id));
        block.append(area);
      }
      box.append(block);
    });
  }

  /** The answer on the page for one question, or undefined when it has none. */
  function answerOf(questionId) {
    const block = document.querySelector(`fieldset[data-question-id="${CSS.escape(questionId)}"]`);
    if (!block) return undefined;
    const type = block.dataset.type;
    if (type === 'multiple_choice') {
      const checked = block.querySelector('input:checked');
      return checked ? checked.value : undefined;
    }
    if (type === 'multi_select') return [...block.querySelectorAll('input:checked')].map((i) => i.value);
    return block.querySelector('textarea').value;
  }

  /** What the submit sends: every question answered or touched (a cleared answer replaces the saved one). */
  function allAnswers() {
    return state.view.test.questions
      .filter((q) => state.touched.has(q.id))
      .map((q) => ({ question_id: q.id, answer: answerOf(q.id) }))
      .filter((a) => a.answer !== undefined);
  }

  function changed(questionId) {
    state.dirty.add(questionId);
    state.touched.add(questionId);
    $('save-state').textContent = 'Unsaved changes…';
    clearTimeout(state.debounce);
    state.debounce = setTimeout(() => save(), AUTOSAVE_DEBOUNCE_MS);
  }

  /** Sends the changed answers; on failure they stay marked and go with the next save. */
  async function save(leaving) {
    if ((state.saving && !leaving) || state.finished || state.dirty.size === 0) return;
    state.saving = true;
    const ids = [...state.dirty];
    state.dirty.clear();
    const answers = ids.map((id) => ({ question_id: id, answer: answerOf(id) })).filter((a) => a.answer !== undefined);
    const res = await api('PUT', `/api/take-test/${enc}/answers`, { answers }, null, null, leaving);
    state.saving = false;
    if (res.status === 200) {
      syncClock(res.body.server_time, res.body.deadline);
      $('save-state').textContent = `Saved at ${clockTime(res.body.server_time)}`;
      return;
    }
    for (const id of ids) state.dirty.add(id);
    if (res.status === 404 || res.status === 409 || res.status === 410) {
      // the attempt ended (submitted elsewhere, terminated, time over) or the link went: see where it stands
      $('save-state').textContent = `Not saved (${problem(res)}).`;
      checkStillRunning();
      return;
    }
    $('save-state').textContent = `Not saved (${problem(res)}); retrying…`;
  }

  async function submit(event, timeUp) {
    if (event) event.preventDefault();
    if (state.finished) return;
    if (!timeUp && !window.confirm('Submit your answers? You cannot change them afterwards.')) return;
    state.finished = true;
    clearTimeout(state.debounce);
    $('submit').disabled = true;
    status('Submitting…');
    const key = `submit-${crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2)}`;
    let res;
    for (let tries = 0; tries < 3; tries++) {
      res = await api('POST', `/api/submit-test/${enc}`, { answers: allAnswers() }, null, { 'Idempotency-Key': key });
      if (res.status !== 0 && res.status < 500) break;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    if (res.status === 200 || res.status === 201) {
      finish('Thank you', 'Your answers have been submitted. You may close this page.');
    } else if (timeUp) {
      finish('The time is over', 'Your saved answers have been handed in.');
    } else if (res.status === 404 || res.status === 409 || res.status === 410) {
      finish('The test has ended', problem(res));
    } else {
      state.finished = false;
      $('submit').disabled = false;
      status(problem(res), 'error');
    }
  }

  /** Ends the page: stops timers, camera and socket, and shows a closing message. */
  function finish(title, text) {
    state.finished = true;
    clearInterval(state.timer);
    clearInterval(state.autosave);
    clearTimeout(state.debounce);
    stopProctoring();
    $('intro').hidden = true;
    $('test').hidden = true;
    $('done').hidden = false;
    $('done-title').textContent = title;
    $('done-text').textContent = text;
    status('');
  }

  // ---- proctoring -------------------------------------------------------------------------------------------

  function startProctoring() {
    state.camera = navigator.mediaDevices
      .getUserMedia({ video: true, audio: false })
      .then((stream) => {
        state.stream = stream;
        $('preview').srcObject = stream;
        $('camera-state').textContent = 'Your camera is on.';
        const [track] = stream.getVideoTracks();
        if (track) track.addEventListener('ended', () => report('camera_off', 'the camera track ended'));
        return stream;
      })
      .catch((error) => {
        $('camera-state').textContent = 'The camera is not available; the proctor is told.';
        report('camera_off', `getUserMedia: ${error && error.name}`);
        return null;
      });

    const socket = window.io('/proctoring', { auth: { invite_token: token }, reconnectionDelayMax: 10000 });
    state.socket = socket;
    socket.on('ready', (ready) => {
      state.iceServers = ready.ice_servers || [];
      if (ready.deadline) state.deadline = new Date(ready.deadline).getTime();
    });
    socket.on('connect_error', (error) => {
      const code = error && error.message;
      if (code === 'ATTEMPT_NOT_IN_PROGRESS') {
        socket.disconnect();
        checkStillRunning();
        return;
      }
      $('camera-state').textContent = `Proctoring connection failed (${code || 'error'}); retrying…`;
      // a refusal by the server's middleware is not retried by Socket.IO itself (rate limit, outage)
      if (!socket.active) setTimeout(() => state.socket === socket && !state.finished && socket.connect(), 5000);
    });
    socket.on('disconnect', (reason) => {
      closePeers();
      // the server closed this socket (the attempt ended elsewhere, or it was dropped): see where the attempt stands
      if (reason === 'io server disconnect' && !state.finished) checkStillRunning();
    });
    socket.on('proctor:joined', ({ peer_id }) => offerTo(peer_id));
    socket.on('proctor:left', ({ peer_id }) => closePeer(peer_id));
    socket.on('signal', onSignal);
    socket.on('proctor:message', (message) => {
      const from = message.from && message.from.name ? message.from.name : 'Proctor';
      $('messages').prepend(el('li', {}, `${clockTime(message.at)} ${from}: `, message.text));
      $('notice').textContent = `Message from ${from}: ${message.text}`;
      $('notice').className = 'banner';
      $('notice').hidden = false;
    });
    socket.on('attempt:terminated', ({ reason }) => {
      finish('Your test was ended by the proctor', reason ? `Reason: ${reason}` : '');
    });
    socket.on('attempt:deadline', () => finish('The time is over', 'Your saved answers have been handed in.'));
  }

  /** After the server refused or closed the socket: end the page if the attempt is over, else connect again. */
  async function checkStillRunning() {
    const res = await api('GET', `/api/take-test/${enc}`);
    if (state.finished) return;
    if (res.status === 0 || res.status === 429 || res.status >= 500) {
      setTimeout(checkStillRunning, 5000); // unreachable or busy: ask again
      return;
    }
    if (res.status !== 200 || !res.body.started_at) {
      finish('The test has ended', problem(res));
      return;
    }
    syncClock(res.body.server_time, res.body.deadline);
    setTimeout(() => state.socket && !state.finished && state.socket.connect(), 3000);
  }

  function stopProctoring() {
    closePeers();
    if (state.socket) state.socket.disconnect();
    state.socket = null;
    if (state.stream) for (const track of state.stream.getTracks()) track.stop();
    state.stream = null;
    const preview = $('preview');
    if (preview) preview.srcObject = null;
  }

  /** An integrity event (docs/proctoring.md `integrity:event`); queued by Socket.IO while disconnected. */
  function report(type, detail) {
    if (!state.socket || state.finished) return;
    const payload = detail ? { type, detail: String(detail).slice(0, 500) } : { type };
    emitAck(state.socket, 'integrity:event', payload).then((answer) => {
      if (!answer.ok) console.warn('integrity event refused', type, answer.error);
    });
  }

  async function offerTo(peerId) {
    const stream = await state.camera;
    closePeer(peerId); // a proctor watching again gets a fresh connection
    const pc = new RTCPeerConnection({ iceServers: state.iceServers });
    const peer = { pc, pending: [] };
    state.peers.set(peerId, peer);
    pc.onicecandidate = (event) => {
      const candidate = event.candidate ? event.candidate.toJSON() : null;
      if (state.socket) emitAck(state.socket, 'signal', { to: peerId, type: 'ice-candidate', candidate });
    };
    if (stream) for (const track of stream.getVideoTracks()) pc.addTrack(track, stream);
    else pc.addTransceiver('video', { direction: 'sendonly' });
    try {
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      const ack = await emitAck(state.socket, 'signal', { to: peerId, type: 'offer', sdp: offer.sdp });
      if (!ack.ok) console.warn('offer not relayed', ack.error);
    } catch (error) {
      console.warn('offer failed', error);
    }
  }

  async function onSignal(message) {
    const peer = state.peers.get(message.from);
    if (!peer) return;
    try {
      if (message.type === 'answer') {
        await peer.pc.setRemoteDescription({ type: 'answer', sdp: message.sdp });
        for (const candidate of peer.pending.splice(0)) await peer.pc.addIceCandidate(candidate);
      } else if (message.type === 'ice-candidate' && message.candidate) {
        if (peer.pc.remoteDescription) await peer.pc.addIceCandidate(message.candidate);
        else peer.pending.push(message.candidate);
      }
    } catch (error) {
      console.warn('signal failed', message.type, error);
    }
  }

  function closePeer(peerId) {
    const peer = state.peers.get(peerId);
    if (!peer) return;
    state.peers.delete(peerId);
    peer.pc.close();
  }

  function closePeers() {
    for (const peerId of [...state.peers.keys()]) closePeer(peerId);
  }

  // ---- integrity events -------------------------------------------------------------------------------------

  document.addEventListener('visibilitychange', () => report(document.hidden ? 'tab_hidden' : 'tab_visible'));
  window.addEventListener('blur', () => report('focus_lost'));
  window.addEventListener('focus', () => report('focus_gained'));
  document.addEventListener('fullscreenchange', () =>
    report(document.fullscreenElement ? 'fullscreen_enter' : 'fullscreen_exit'),
  );
  document.addEventListener('copy', () => report('copy'));
  document.addEventListener('paste', () => report('paste'));
  document.addEventListener('contextmenu', () => report('context_menu'));

  $('start').addEventListener('click', start);
  $('answers').addEventListener('submit', (event) => submit(event, false));
  window.addEventListener('beforeunload', () => {
    if (state.dirty.size && !state.finished) save(true);
  });
  load();
})();
