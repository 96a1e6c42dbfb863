// The teacher's console of a live lesson (console.html), on the connection code of live.js.
// Who is here and who is missing against the roster, the hand queue, chat moderation,
// check-in with its rotating code, random roll call, quick polls, mute, end lesson.
(function () {
  "use strict";
  const live = window.KexuLive;

  function button(text, className, onClick) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = "btn btn-sm " + className;
    element.textContent = text;
    element.dataset.liveAction = "console";
    element.addEventListener("click", onClick);
    return element;
  }

  function personRow(text, controls, badge) {
    const item = document.createElement("li");
    item.className = "list-group-item d-flex justify-content-between align-items-center gap-2 px-2 py-1";
    const name = document.createElement("span");
    name.className = "text-truncate";
    name.textContent = text;
    if (badge) {
      const mark = document.createElement("span");
      mark.className = "badge text-bg-warning ms-1";
      mark.dataset.testid = "muted-badge";
      mark.textContent = badge;
      name.appendChild(mark);
    }
    const tools = document.createElement("span");
    tools.className = "d-flex gap-1 flex-shrink-0";
    controls.forEach((control) => tools.appendChild(control));
    item.append(name, tools);
    return item;
  }

  function idOf(person) {
    return person.user_id !== undefined ? person.user_id : person.id;
  }

  function startConsole(config) {
    const s = config.strings;
    const room = { roster: [], present: new Map(), muted: new Set(), mutedAll: false, polls: {}, closed: false };
    let socket = null;

    const renderPeople = () => {
      const here = live.byId("present-list");
      const missing = live.byId("missing-list");
      here.replaceChildren();
      missing.replaceChildren();
      const rosterIds = new Set(room.roster.map(idOf));
      const mutedControl = (id) =>
        button(room.muted.has(id) ? s.unmute : s.mute, "btn-outline-secondary", () =>
          socket.ask("mute", { user_id: id, muted: !room.muted.has(id) }),
        );
      room.roster.forEach((person) => {
        const id = idOf(person);
        const badge = room.muted.has(id) ? s.muted : null;
        if (room.present.has(id)) {
          const row = personRow(
            person.name,
            [mutedControl(id), button(s.callOn, "btn-outline-primary", () => socket.ask("call_on", { user_id: id }))],
            badge,
          );
          row.dataset.userId = id;
          here.appendChild(row);
        } else {
          const row = personRow(person.name, [], badge);
          row.dataset.userId = id;
          missing.appendChild(row);
        }
      });
      // People in the room who are not on the roster: the teachers and observers.
      room.present.forEach((name, id) => {
        if (!rosterIds.has(id)) here.appendChild(personRow(name + " · " + s.staff, []));
      });
      const presentStudents = room.roster.filter((p) => room.present.has(idOf(p))).length;
      live.byId("present-count").textContent = presentStudents;
      live.byId("missing-count").textContent = room.roster.length - presentStudents;
      live.byId("roster-count").textContent = room.roster.length;
    };

    const renderHands = (queue) => {
      const list = live.byId("hand-list");
      list.replaceChildren();
      (queue || []).forEach((hand) => {
        const id = idOf(hand);
        const row = personRow(hand.name + " · " + live.clockTime(config, hand.raised_at), [
          button(s.callOn, "btn-primary", () => socket.ask("call_on", { user_id: id })),
        ]);
        row.dataset.userId = id;
        list.appendChild(row);
      });
      live.byId("hand-count").textContent = (queue || []).length;
    };

    const renderTally = (poll, tally) => {
      const card = live.byId("poll-live");
      live.show(card, true);
      card.dataset.pollId = poll.id;
      live.byId("poll-live-question").textContent = poll.question;
      const counts = (tally && (tally.counts || tally.tally)) || poll.tally || [];
      const list = live.byId("poll-tally");
      list.replaceChildren();
      const total = counts.reduce((sum, n) => sum + (n || 0), 0);
      poll.options.forEach((text, index) => {
        const item = document.createElement("li");
        item.className = "mb-1";
        const count = counts[index] || 0;
        item.textContent = text + ": " + count;
        const bar = document.createElement("progress");
        bar.className = "w-100 d-block";
        bar.max = Math.max(total, 1);
        bar.value = count;
        item.appendChild(bar);
        list.appendChild(item);
      });
      const answered = tally && tally.answers !== undefined ? tally.answers : total;
      live.byId("poll-answers").textContent = live.fmt(s.answers, { count: answered });
      live.byId("poll-close-buttons").querySelectorAll("button").forEach((b) => {
        b.disabled = poll.open === false || room.closed;
      });
    };

    const setMuteAll = (muted) => {
      room.mutedAll = muted;
      const toggle = live.byId("mute-all-button");
      if (!toggle) return;
      toggle.textContent = muted ? s.unmuteAll : s.muteAll;
      toggle.setAttribute("aria-pressed", muted ? "true" : "false");
    };

    const setCheckin = (event) => {
      const panel = live.byId("checkin-panel");
      const open = Boolean(event && event.open !== false && (event.code || event.ends_at || event.window_ends_at));
      live.show(panel, open);
      if (event && event.code) live.byId("checkin-code").textContent = event.code;
      const endsAt = event && (event.window_ends_at || event.ends_at);
      if (endsAt) live.byId("checkin-ends").textContent = live.fmt(s.checkinUntil, { time: live.clockTime(config, endsAt) });
      if (!open) live.byId("checkin-code").textContent = "";
    };

    const onState = (state) => {
      room.roster = state.roster || [];
      room.present = new Map((state.present || []).map((p) => [idOf(p), p.name]));
      room.muted = new Set(state.muted || []); // per-student mutes, also after a reload
      room.closed = Boolean(state.closed);
      setMuteAll(Boolean(state.muted_all));
      renderPeople();
      const hands = state.hands && state.hands.queue ? state.hands.queue : state.hands;
      renderHands(hands || []);
      live.byId("confused-count").textContent = state.confused_count || 0;
      live.byId("checked-in-count").textContent = state.checked_in_count || (state.checkin && state.checkin.count) || 0;
      const chatList = live.byId("chat-list");
      chatList.replaceChildren();
      (state.chat || []).forEach((m) => live.appendChat(config, chatList, m, deleteMessage));
      setCheckin(state.checkin);
      (state.polls || []).forEach((poll) => {
        room.polls[poll.id] = poll;
        renderTally(poll, poll.tally);
      });
      live.setReadOnly(room.closed);
    };

    const deleteMessage = (message) => socket.ask("chat_delete", { message_id: message.id });
    socket = live.connect(config, onState);

    // Presence changes arrive in batches: {count, changes: [{user_id, name, role, present}]}.
    socket.on("presence", (event) => {
      (event.changes || []).forEach((change) => {
        if (change.present) room.present.set(change.user_id, change.name);
        else room.present.delete(change.user_id);
      });
      renderPeople();
    });
    socket.on("chat", (m) => live.appendChat(config, live.byId("chat-list"), m, deleteMessage));
    socket.on("chat_deleted", (event) => live.removeChat(live.byId("chat-list"), event.id));
    socket.on("muted", (event) => {
      if (event.user_id === null || event.user_id === undefined) {
        setMuteAll(event.muted);
      } else if (event.muted) {
        room.muted.add(event.user_id);
      } else {
        room.muted.delete(event.user_id);
      }
      renderPeople();
    });
    socket.on("hands", (event) => renderHands(event.queue));
    socket.on("called_on", (event) => live.flash(config, live.fmt(s.calledOn, event), "primary"));
    socket.on("rollcall", (event) => {
      live.byId("rollcall-result").textContent = event.name;
      live.flash(config, live.fmt(s.picked, event), "primary");
    });
    socket.on("confused", (event) => {
      live.byId("confused-count").textContent = event.count;
    });
    socket.on("checkin_code", setCheckin);
    socket.on("checkin_window", setCheckin);
    socket.on("checked_in", (event) => {
      live.byId("checked-in-count").textContent = event.count;
    });
    socket.on("poll", (poll) => {
      room.polls[poll.id] = Object.assign(room.polls[poll.id] || {}, poll);
      renderTally(room.polls[poll.id], null);
    });
    socket.on("poll_tally", (event) => {
      const poll = room.polls[event.poll_id || event.id];
      if (poll) renderTally(poll, event);
    });
    socket.on("reminder", (event) => {
      const text = event.kind === "policy_limit" ? s.reminderPolicy : s.reminderEnd;
      live.flash(config, live.fmt(text, { time: live.clockTime(config, event.at) }), "warning");
    });
    socket.on("ended", () => {
      room.closed = true;
      live.setReadOnly(true);
      live.show(live.byId("checkin-panel"), false);
    });

    // Observers (academic affairs) get the console without the teacher's controls.
    const on = (id, handler, event) => {
      const element = live.byId(id);
      if (element) element.addEventListener(event || "click", handler);
    };
    on("checkin-button", () => {
      socket.ask("checkin_open", { seconds: Number(live.byId("checkin-seconds").value) }, (answer) => setCheckin(answer));
    });
    on("rollcall-button", () => socket.ask("rollcall", {}));
    on("mute-all-button", () => socket.ask("mute", { user_id: null, muted: !room.mutedAll }));
    on("end-button", () => {
      if (window.confirm(s.confirmEnd)) socket.ask("end", {});
    });
    on(
      "poll-open-form",
      (event) => {
        event.preventDefault();
        const form = event.target;
        const options = form.options.value.split("\n").map((o) => o.trim()).filter(Boolean);
        const seconds = Number(form.seconds.value) || null;
        const payload = { question: form.question.value.trim(), options: options, multiple: form.multiple.checked, seconds: seconds };
        socket.ask("poll_open", payload, () => form.reset());
      },
      "submit",
    );
    live.byId("poll-close-buttons").querySelectorAll("button").forEach((b) =>
      b.addEventListener("click", () => {
        const pollId = Number(live.byId("poll-live").dataset.pollId);
        socket.ask("poll_close", { poll_id: pollId, reveal: b.dataset.reveal === "1" });
      }),
    );
    live.bindChatForm(socket, live.byId("chat-form"));
  }

  document.addEventListener("DOMContentLoaded", () => {
    const config = live.readConfig();
    if (config && config.page === "console" && config.open) startConsole(config);
  });
})();
