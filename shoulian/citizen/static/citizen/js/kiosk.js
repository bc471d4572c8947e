// The kiosk goes back to its start screen after idle time, so that the next citizen never sees
// what the previous one typed or looked up (the start screen also drops the query cookies).
(function () {
  "use strict";
  var body = document.body;
  var idle = parseInt(body.getAttribute("data-idle-seconds") || "90", 10);
  var home = body.getAttribute("data-home-url") || "/kiosk/";
  var warn = 15;
  var overlay = document.getElementById("idle-overlay");
  var count = document.getElementById("idle-count");
  var stay = document.getElementById("idle-stay");
  var timer = null, ticker = null, left = warn;
  var atHome = window.location.pathname === home;

  function goHome() { window.location.replace(home); }

  function showWarning() {
    if (!overlay) { goHome(); return; }
    left = warn;
    count.textContent = String(left);
    overlay.hidden = false;
    ticker = setInterval(function () {
      left -= 1;
      count.textContent = String(left);
      if (left <= 0) { clearInterval(ticker); goHome(); }
    }, 1000);
  }

  function reset() {
    clearTimeout(timer);
    clearInterval(ticker);
    if (overlay) { overlay.hidden = true; }
    // The start screen itself holds nothing; reloading it keeps the page fresh.
    timer = setTimeout(atHome ? goHome : showWarning, Math.max(idle - (atHome ? 0 : warn), 5) * 1000);
  }

  ["pointerdown", "keydown", "touchstart", "input"].forEach(function (name) {
    document.addEventListener(name, reset, { passive: true });
  });
  if (stay) { stay.addEventListener("click", reset); }
  // A submit shows the next page; a second tap must not send it twice (the idempotency key
  // would answer the same, but the citizen should see that something is happening).
  Array.prototype.forEach.call(document.querySelectorAll("form"), function (form) {
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (b) {
        setTimeout(function () { b.disabled = true; }, 0);
      });
    });
  });
  reset();
})();
