// Intake desk: Ctrl+Enter registers, Alt+S saves a draft (accesskey), "add row" clones an empty
// formset row. No inline scripts anywhere (CSP script-src 'self').
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (form) {
    form.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        var primary = form.querySelector("[data-primary]");
        if (typeof form.requestSubmit === "function") { form.requestSubmit(primary); } else { primary.click(); }
      }
    });
    // A second click while the first submission is on its way would only be answered with the
    // same alert (idempotency key); greying the buttons tells the clerk it is in progress.
    form.addEventListener("submit", function () {
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  }
  document.querySelectorAll("button.add-row").forEach(function (button) {
    button.addEventListener("click", function () {
      var prefix = button.getAttribute("data-prefix");
      var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
      var template = document.getElementById(button.getAttribute("data-template"));
      var target = document.getElementById(button.getAttribute("data-target"));
      if (!total || !template || !target) { return; }
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__num__/g, String(index + 1));
      var holder = document.createElement(target.tagName === "TBODY" ? "tbody" : "div");
      holder.innerHTML = html;
      var added = holder.firstElementChild;
      target.appendChild(added);
      total.value = String(index + 1);
      if (window.htmx) { window.htmx.process(added); }
      var first = added.querySelector("input:not([type=hidden]), select");
      if (first) { first.focus(); }
    });
  });
  var print = document.getElementById("print-receipt");
  if (print) {
    document.addEventListener("keydown", function (event) {
      if (event.key === "p" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); print.click(); }
    });
  }
})();
