// The kiosk goes back to its start screen after idle time, so that the next citizen never sees
// what the previous one typed or looked up (the start screen also drops the query cookies). It
// warns first and the citizen can ask for more time, as often as needed; in large-type mode
// (适老化) both times are doubled. Typing counts as activity, so a long account never times out
// while it is being written.
(function () {
  "use strict";
  var body = document.body;
  var base = parseInt(body.getAttribute("data-idle-seconds") || "90", 10);
  var home = body.getAttribute("data-home-url") || "/kiosk/";
  var overlay = document.getElementById("idle-overlay");
  var count = document.getElementById("idle-count");
  var stay = document.getElementById("idle-stay");
  var timer = null, ticker = null, left = 0, returnFocus = null;
  var atHome = window.location.pathname === home;

  // Read at every reset: the large-type switch (display.js) may have changed since the last one.
  function factor() { return body.classList.contains("large-type") ? 2 : 1; }
  function idle() { return base * factor(); }
  function warn() { return 30 * factor(); }

  Array.prototype.forEach.call(document.querySelectorAll(".idle-seconds"), function (el) {
    el.textContent = String(idle());
  });

  function goHome() {
    // The visit is over: the next citizen starts from the usual type size.
    document.cookie = "shoulian_large=; Max-Age=0; path=/; SameSite=Lax";
    window.location.replace(home);
  }

  function showWarning() {
    if (!overlay) { goHome(); return; }
    left = warn();
    count.textContent = String(left);
    returnFocus = document.activeElement;
    overlay.hidden = false;
    // An alertdialog: the screen reader reads the question, the button has the focus.
    stay.focus();
    ticker = setInterval(function () {
      left -= 1;
      count.textContent = String(left);
      if (left <= 0) { clearInterval(ticker); goHome(); }
    }, 1000);
  }

  function reset() {
    var wasShown = overlay && !overlay.hidden;
    clearTimeout(timer);
    clearInterval(ticker);
    if (overlay) { overlay.hidden = true; }
    if (wasShown && returnFocus && returnFocus.focus) { returnFocus.focus(); }
    // The start screen itself holds nothing; reloading it keeps the page fresh.
    timer = setTimeout(atHome ? goHome : showWarning, Math.max(idle() - (atHome ? 0 : warn()), 5) * 1000);
  }

  ["pointerdown", "keydown", "touchstart", "input"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      // While the warning shows, only "继续使用" (or Escape) extends the time: a stray touch on
      // the dimmed page must not hide the question without an answer.
      if (overlay && !overlay.hidden && event.target !== stay && event.key !== "Escape") { return; }
      reset();
    }, { passive: true });
  });
  if (stay) { stay.addEventListener("click", reset); }
  // A submit shows the next page; a second tap must not send it twice (the idempotency key
  // would answer the same, but the citizen should see that something is happening).
  Array.prototype.forEach.call(document.querySelectorAll("form"), function (form) {
    if (form.id === "type-switch") { return; }
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (b) {
        setTimeout(function () { b.disabled = true; }, 0);
      });
    });
  });
  reset();
})();
