// The live room: the student's page (room.html) and the shared connection code the teacher's
// console (live-console.js) builds on. No inline scripts (the CSP forbids them): the page hands
// over the session id, the socket address and its translated strings in a JSON block
// (<script type="application/json" id="live-config">), which the browser never executes.
(function () {
  "use strict";

  function readConfig() {
    const block = document.getElementById("live-config");
    return block ? JSON.parse(block.textContent) : null;
  }

  // "{count} here" + {count: 3} -> "3 here". Translated strings keep their placeholders.
  function fmt(template, values) {
    return String(template).replace(/\{(\w+)\}/g, (match, key) => (key in values ? values[key] : match));
  }

  function byId(id) {
    return document.getElementById(id);
  }

  function show(element, visible) {
    if (element) element.classList.toggle("d-none", !visible);
  }

  function clockTime(config, iso) {
    if (!iso) return "";
    const options = { hour: "2-digit", minute: "2-digit", timeZone: config.timezone };
    try {
      return new Intl.DateTimeFormat(config.locale, options).format(new Date(iso));
    } catch (error) {
      return new Date(iso).toLocaleTimeString();
    }
  }

  // The waiting page: count down to the moment the room opens, then load the room.
  function startCountdown(element) {
    const opensAt = Date.parse(element.dataset.opensAt);
    const template = element.dataset.template;
    const tick = () => {
      const left = Math.max(0, Math.round((opensAt - Date.now()) / 1000));
      const hours = Math.floor(left / 3600);
      const minutes = String(Math.floor((left % 3600) / 60)).padStart(2, "0");
      const seconds = String(left % 60).padStart(2, "0");
      element.textContent = fmt(template, { time: (hours ? hours + ":" : "") + minutes + ":" + seconds });
      if (left === 0) {
        clearInterval(timer);
        window.location.reload();
      }
    };
    const timer = setInterval(tick, 1000);
    tick();
  }

  // One chat line. text_html was sanitized by the server (the one bleach configuration).
  function chatLine(config, message, onDelete) {
    const item = document.createElement("li");
    item.className = "list-group-item px-2 py-1 text-break";
    item.dataset.messageId = message.id;
    item.dataset.testid = "chat-message";
    const head = document.createElement("div");
    head.className = "small text-body-secondary d-flex justify-content-between gap-2";
    const who = document.createElement("span");
    who.textContent = message.name + " · " + clockTime(config, message.at);
    head.appendChild(who);
    if (onDelete) {
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "btn btn-link btn-sm p-0 text-danger";
      remove.textContent = config.strings.delete;
      remove.addEventListener("click", () => onDelete(message));
      head.appendChild(remove);
    }
    const body = document.createElement("div");
    body.className = "chat-text";
    body.innerHTML = message.text_html;
    item.append(head, body);
    return item;
  }

  function appendChat(config, list, message, onDelete) {
    if (!list || list.querySelector('[data-message-id="' + message.id + '"]')) return;
    list.appendChild(chatLine(config, message, onDelete));
    list.scrollTop = list.scrollHeight;
  }

  function removeChat(list, messageId) {
    const item = list && list.querySelector('[data-message-id="' + messageId + '"]');
    if (item) item.remove();
  }

  function flash(config, text, kind) {
    const area = byId("live-notice");
    if (!area) return;
    area.className = "alert alert-" + (kind || "info") + " py-2";
    area.textContent = text;
    show(area, true);
  }

  // Connect, join on every (re)connect, keep a heartbeat. `onState` gets the join answer; the
  // server keeps a dropped student's presence interval open for a grace period, so a reconnect
  // here continues it rather than starting over.
  function connect(config, onState) {
    const status = byId("live-connection");
    const socket = io(config.socketUrl + "/live", { path: config.socketPath, transports: config.transports });
    let heartbeat = null;
    const setStatus = (text, kind) => {
      if (!status) return;
      status.textContent = text;
      status.className = "badge text-bg-" + kind;
      status.dataset.state = kind === "success" ? "connected" : "offline";
    };
    socket.on("connect", () => {
      socket.emit("join", { session_id: config.sessionId }, (answer) => {
        if (!answer || !answer.ok) {
          setStatus(config.strings.refused, "danger");
          flash(config, (answer && answer.message) || config.strings.refused, "danger");
          return;
        }
        setStatus(config.strings.connected, "success");
        onState(answer.state || answer);
      });
      clearInterval(heartbeat);
      heartbeat = setInterval(() => socket.emit("heartbeat", { session_id: config.sessionId }), config.heartbeatSeconds * 1000);
    });
    socket.on("disconnect", () => {
      clearInterval(heartbeat);
      setStatus(config.strings.reconnecting, "warning");
    });
    socket.on("connect_error", () => setStatus(config.strings.reconnecting, "warning"));
    // Emit with an acknowledgement; a refusal shows its translated message.
    socket.ask = (event, payload, onOk) => {
      socket.emit(event, Object.assign({ session_id: config.sessionId }, payload || {}), (answer) => {
        if (answer && answer.ok) {
          if (onOk) onOk(answer);
        } else {
          flash(config, (answer && answer.message) || config.strings.failed, "warning");
        }
      });
    };
    return socket;
  }

  function bindChatForm(socket, form) {
    if (!form) return;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const input = form.querySelector("input[name=text]");
      const text = input.value.trim();
      if (!text) return;
      socket.ask("chat", { text: text }, () => {
        input.value = "";
      });
    });
  }

  // Everything that stops working when the lesson ends or the student is muted.
  function setReadOnly(closed) {
    document.querySelectorAll("[data-live-action]").forEach((control) => {
      control.disabled = closed;
    });
    show(byId("live-ended"), closed);
  }

  function renderPoll(config, socket, poll, tally) {
    const card = byId("poll-card");
    if (!card || !poll) return;
    show(card, true);
    card.dataset.pollId = poll.id;
    byId("poll-question").textContent = poll.question;
    const form = byId("poll-form");
    const options = byId("poll-options");
    if (options.dataset.pollId !== String(poll.id)) {
      options.dataset.pollId = poll.id;
      options.replaceChildren();
      poll.options.forEach((text, index) => {
        const wrap = document.createElement("div");
        wrap.className = "form-check";
        const input = document.createElement("input");
        input.className = "form-check-input";
        input.type = poll.multiple ? "checkbox" : "radio";
        input.name = "choice";
        input.value = index;
        input.id = "poll-" + poll.id + "-" + index;
        input.dataset.liveAction = "poll";
        const label = document.createElement("label");
        label.className = "form-check-label";
        label.htmlFor = input.id;
        label.textContent = text;
        wrap.append(input, label);
        options.appendChild(wrap);
      });
      byId("poll-status").textContent = "";
    }
    const open = poll.open !== false;
    form.querySelectorAll("input, button").forEach((control) => {
      control.disabled = !open;
    });
    if (!open) byId("poll-status").textContent = config.strings.pollClosed;
    const results = byId("poll-results");
    show(results, Boolean(tally));
    if (tally) {
      results.replaceChildren();
      const counts = tally.counts || tally;
      poll.options.forEach((text, index) => {
        const row = document.createElement("li");
        row.textContent = text + ": " + (counts[index] || 0);
        results.appendChild(row);
      });
    }
  }

  function startRoom(config) {
    const chatList = byId("chat-list");
    const presence = byId("presence-count");
    const handButton = byId("hand-button");
    let handRaised = false;
    let myId = null;
    const polls = {};

    const setHand = (raised) => {
      handRaised = raised;
      handButton.textContent = raised ? config.strings.lowerHand : config.strings.raiseHand;
      handButton.setAttribute("aria-pressed", raised ? "true" : "false");
    };
    const setCount = (count) => {
      presence.textContent = fmt(config.strings.here, { count: count });
    };
    const setCheckin = (window_) => {
      const open = Boolean(window_ && window_.open !== false && window_.ends_at);
      show(byId("checkin-card"), open);
    };
    const setMuted = (muted) => {
      show(byId("muted-notice"), muted);
      document.querySelectorAll("#chat-form input, #chat-form button").forEach((c) => {
        c.disabled = muted;
      });
    };

    const socket = connect(config, (state) => {
      myId = state.me ? state.me.user_id : null;
      setCount(state.present ? state.present.length : 0);
      chatList.replaceChildren();
      (state.chat || []).forEach((message) => appendChat(config, chatList, message));
      setHand(Boolean(state.hand && state.hand.raised));
      setCheckin(state.checkin);
      if (state.me && state.me.checked_in) byId("checkin-status").textContent = config.strings.checkedIn;
      (state.polls || []).forEach((poll) => {
        polls[poll.id] = poll;
        renderPoll(config, socket, poll, poll.tally);
        (poll.my_choices || []).forEach((index) => {
          const input = byId("poll-" + poll.id + "-" + index);
          if (input) input.checked = true;
        });
      });
      setReadOnly(Boolean(state.closed));
      setMuted(Boolean(state.me && state.me.muted));
    });

    socket.on("presence", (event) => setCount(event.count));
    socket.on("chat", (message) => appendChat(config, chatList, message));
    socket.on("chat_deleted", (event) => removeChat(chatList, event.id));
    socket.on("muted", (event) => {
      if (event.user_id === null || event.user_id === undefined || event.user_id === myId) setMuted(event.muted);
    });
    socket.on("hand", (event) => setHand(Boolean(event.raised)));
    socket.on("called_on", (event) => {
      if (event.user_id === myId) setHand(false);
      flash(config, fmt(event.user_id === myId ? config.strings.youCalledOn : config.strings.calledOn, event), "primary");
    });
    socket.on("rollcall", (event) => {
      flash(config, fmt(event.user_id === myId ? config.strings.youPicked : config.strings.picked, event), "primary");
    });
    socket.on("checkin_window", setCheckin);
    socket.on("poll", (poll) => {
      polls[poll.id] = poll;
      renderPoll(config, socket, poll, null);
    });
    socket.on("poll_tally", (event) => {
      const poll = polls[event.poll_id || event.id];
      if (poll) renderPoll(config, socket, poll, event);
    });
    socket.on("ended", () => setReadOnly(true));

    // The answer says how the hand ended up (the `hand` event may arrive before it).
    handButton.addEventListener("click", () => socket.ask("hand", { raised: !handRaised }, (answer) => setHand(Boolean(answer.raised))));
    byId("confused-button").addEventListener("click", () =>
      socket.ask("confused", {}, () => flash(config, config.strings.confusedSent, "info")),
    );
    byId("checkin-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const code = byId("checkin-code").value.trim();
      socket.ask("checkin", { code: code }, () => {
        byId("checkin-status").textContent = config.strings.checkedIn;
        show(byId("checkin-card"), false);
      });
    });
    byId("poll-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const pollId = Number(byId("poll-card").dataset.pollId);
      const choices = Array.from(event.target.querySelectorAll("input[name=choice]:checked")).map((i) => Number(i.value));
      socket.ask("poll_answer", { poll_id: pollId, choices: choices }, () => {
        byId("poll-status").textContent = config.strings.answered;
      });
    });
    bindChatForm(socket, byId("chat-form"));
  }

  window.KexuLive = { readConfig, fmt, byId, show, clockTime, connect, appendChat, removeChat, flash, bindChatForm, setReadOnly };

  document.addEventListener("DOMContentLoaded", () => {
    const countdown = byId("live-countdown");
    if (countdown) startCountdown(countdown);
    const config = readConfig();
    if (config && config.page === "room" && config.open) startRoom(config);
  });
})();
