// The public pages' large-type switch (适老化), in place: the page grows at once and nothing typed
// is lost. Without JavaScript the same button posts to the server, which sets the same cookie.
// It also moves the focus to the first field in error after a submit, so a screen reader reads
// that field's label and its error (the error list is tied to it with aria-describedby).
(function () {
  "use strict";
  var body = document.body;
  var form = document.getElementById("type-switch");
  if (form) {
    var button = form.querySelector("button[name=large]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var on = !body.classList.contains("large-type");
      var kiosk = body.classList.contains("kiosk");
      // On a phone the choice is kept on the device for a year; on the kiosk for this visit.
      document.cookie = "shoulian_large=" + (on ? "1" : "") + "; path=/; SameSite=Lax" +
        (on ? (kiosk ? "" : "; Max-Age=31536000") : "; Max-Age=0") +
        (window.location.protocol === "https:" ? "; Secure" : "");
      body.classList.toggle("large-type", on);
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.value = on ? "0" : "1";
      if (kiosk) {
        // The kiosk's idle time doubles in large-type mode (kiosk.js reads it at its next reset).
        var idle = parseInt(body.getAttribute("data-idle-seconds") || "90", 10) * (on ? 2 : 1);
        Array.prototype.forEach.call(document.querySelectorAll(".idle-seconds"), function (el) {
          el.textContent = String(idle);
        });
      }
    });
  }
  var invalid = document.querySelectorAll("main [aria-invalid=true]");
  if (invalid.length) {
    var live = document.createElement("div");
    live.className = "visually-hidden";
    live.setAttribute("role", "alert");
    document.querySelector("main").appendChild(live);
    window.setTimeout(function () {
      live.textContent = "有 " + invalid.length + " 处需要修改，请看红色提示。";
    }, 300);
    invalid[0].focus();
  }
})();
