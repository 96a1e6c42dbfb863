// Suggests a break after the stage's longest screen session of playing in one sitting
// (data-break-after-minutes on the video, from the school's study-time policy). Counts only
// time the player was playing; dismissing the message starts a new sitting. Advice only: the
// video keeps playing, nothing is reported to the server.
(function () {
  "use strict";
  var video = document.getElementById("progress-video");
  var box = document.getElementById("screen-break");
  if (!video || !box || !video.dataset.breakAfterMinutes) { return; }
  var limitMs = Number(video.dataset.breakAfterMinutes) * 60000;
  if (!(limitMs > 0)) { return; }
  var playedMs = 0;       // played in this sitting before the current run
  var playingSince = null; // Date.now() when the current run started

  function playedSoFar() {
    return playedMs + (playingSince === null ? 0 : Date.now() - playingSince);
  }

  function stop() {
    if (playingSince !== null) { playedMs += Date.now() - playingSince; playingSince = null; }
  }

  function check() {
    if (box.hidden && playedSoFar() >= limitMs) { box.hidden = false; }
  }

  video.addEventListener("playing", function () { if (playingSince === null) { playingSince = Date.now(); } });
  ["pause", "ended", "waiting"].forEach(function (name) { video.addEventListener(name, stop); });
  document.getElementById("screen-break-dismiss").addEventListener("click", function () {
    box.hidden = true;
    playedMs = 0;
    playingSince = video.paused ? null : Date.now();
  });
  setInterval(check, 5000);
})();
