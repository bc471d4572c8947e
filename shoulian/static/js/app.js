// Idle screens go back to the login page after the server-side idle timeout (A5): the server has
// already ended the session; this only stops police data staying on an unattended screen.
(function () {
  "use strict";
  var seconds = parseInt(document.body.getAttribute("data-idle-seconds") || "0", 10);
  if (!seconds || !document.querySelector(".whoami")) { return; }
  var timer;
  function reset() {
    clearTimeout(timer);
    timer = setTimeout(function () { window.location.reload(); }, (seconds + 5) * 1000);
  }
  ["click", "keydown", "scroll", "touchstart"].forEach(function (name) {
    document.addEventListener(name, reset, { passive: true });
  });
  reset();
})();
