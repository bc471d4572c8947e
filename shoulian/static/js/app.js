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

// A form sent back with errors: say so (a live region, read at once by a screen reader) and put
// the focus on the first field in error, whose label and error message (aria-describedby) are read
// with it. Errors win over a form's autofocus.
(function () {
  "use strict";
  var invalid = document.querySelectorAll("main [aria-invalid=true]");
  if (!invalid.length) { return; }
  var live = document.createElement("div");
  live.className = "visually-hidden";
  live.setAttribute("role", "alert");
  document.querySelector("main").appendChild(live);
  window.setTimeout(function () {
    live.textContent = document.documentElement.lang === "en"
      ? invalid.length + " field(s) need correcting; the first one has the focus."
      : "有 " + invalid.length + " 处需要修改，光标已在第一处。";
  }, 300);
  invalid[0].focus();
})();
