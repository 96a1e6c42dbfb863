// Reports which parts of an uploaded video were played: [start, end] second ranges since the
// last report, every 15 s while playing and on pause, end and leaving the page. No timers of
// attention, no tab-focus tracking: only what the player played.
(function () {
  "use strict";
  var video = document.getElementById("progress-video");
  var configNode = document.getElementById("progress-config");
  if (!video || !configNode) { return; }
  var config = JSON.parse(configNode.textContent);
  var csrf = document.querySelector('meta[name="csrf-token"]');
  var status = document.getElementById("progress-status");
  var pending = [];      // closed ranges not yet reported
  var rangeStart = null; // start of the range being played
  var last = null;       // last position seen while playing

  function closeRange() {
    if (rangeStart !== null && last !== null && last > rangeStart) {
      pending.push([Math.round(rangeStart * 10) / 10, Math.round(last * 10) / 10]);
    }
    rangeStart = null;
  }

  function onTime() {
    var now = video.currentTime;
    if (video.paused) { return; }
    // A jump of more than two seconds is a seek: the skipped part was not played.
    if (rangeStart === null || last === null || now < last || now - last > 2) {
      closeRange();
      rangeStart = now;
    }
    last = now;
  }

  function send(final) {
    closeRange();
    if (!video.paused && last !== null) { rangeStart = last; }
    if (!pending.length) { return; }
    var body = JSON.stringify({ ranges: pending, duration: isFinite(video.duration) ? video.duration : null, course: config.course });
    pending = [];
    fetch(config.url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!final,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf ? csrf.content : "" },
      body: body
    }).then(function (answer) { return answer.json(); }).then(function (data) {
      if (status && data && data.completed) { status.textContent = status.dataset.completed || "✓"; }
    }).catch(function () { /* the next report carries on; ranges of a failed one are lost */ });
  }

  video.addEventListener("timeupdate", onTime);
  video.addEventListener("seeking", closeRange);
  video.addEventListener("pause", function () { send(false); });
  video.addEventListener("ended", function () { send(false); });
  window.addEventListener("pagehide", function () { send(true); });
  setInterval(function () { if (!video.paused) { send(false); } }, 15000);
})();
