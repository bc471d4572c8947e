// The supervision platform: draws the charts with ECharts (served from node_modules, no CDN) and
// refreshes every figure from the JSON endpoint every 5 s without reloading. Every chart segment
// opens the list behind it (the item's url). No inline script: the first data comes from the
// json_script block, which the CSP does not execute.
(function () {
  "use strict";
  var root = document.querySelector(".dash");
  var seed = document.getElementById("dash-data");
  if (!root || !seed) { return; }

  function start() {
    if (!window.echarts) { return; }
    var dark = root.getAttribute("data-theme") === "dark";
    var url = root.getAttribute("data-url");
    var data = JSON.parse(seed.textContent);
    var palette = dark
      ? { text: "#dfe8f5", axis: "#6b7d96", grid: "#24324a", ok: "#3fb27f", near: "#f0b429", overdue: "#ef4e4e", none: "#8796ad" }
      : { text: "#1f2933", axis: "#7b8794", grid: "#e4e7eb", ok: "#2f8a5f", near: "#c27c0e", overdue: "#c81e1e", none: "#7b8794" };
    var periodColors = dark ? ["#5fa8ff", "#35c6d4", "#2b6cb0"] : ["#1c64d8", "#0e9aa7", "#163e7a"];
    // Large type on the wall, scaled to the screen (18 px at 1920, 13 px at 1366).
    var font = dark ? Math.max(12, Math.min(18, Math.round(window.innerWidth / 106))) : 12;
    var charts = {};

    function get(obj, path) {
      return path.split(".").reduce(function (o, k) { return o == null ? o : o[k]; }, obj);
    }

    function base() {
      return {
        backgroundColor: "transparent",
        textStyle: { color: palette.text, fontSize: font, fontFamily: "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif" },
        aria: { enabled: true, decal: { show: true } },
        animation: false,
        tooltip: { trigger: "item", confine: true },
        legend: { textStyle: { color: palette.text, fontSize: font }, top: 0, itemWidth: font, itemHeight: font },
        grid: { left: 8, right: 16, top: font * 2.4, bottom: 8, containLabel: true }
      };
    }

    function axisStyle(extra) {
      var a = { axisLabel: { color: palette.text, fontSize: font }, axisLine: { lineStyle: { color: palette.axis } }, splitLine: { lineStyle: { color: palette.grid } } };
      for (var k in extra) { a[k] = extra[k]; }
      return a;
    }

    function periodSeries(rows, labels) {
      return ["today", "week", "month"].map(function (p, i) {
        return {
          name: labels[p], type: "bar", barGap: "10%", color: periodColors[i],
          label: { show: dark && p === "month", position: "right", color: palette.text, fontSize: font - 2 },
          data: rows.map(function (r) { return { value: r[p], url: r.urls && r.urls[p] }; })
        };
      });
    }

    function options(d) {
      var labels = { today: d.periods.today.label, week: d.periods.week.label, month: d.periods.month.label };
      var channels = d.by_channel.slice().reverse();
      var o = {};
      o.channel = Object.assign(base(), {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
        xAxis: axisStyle({ type: "value", minInterval: 1 }),
        yAxis: axisStyle({ type: "category", data: channels.map(function (r) { return r.label; }) }),
        series: periodSeries(channels, labels)
      });
      var groups = d.by_group.filter(function (r) { return r.month > 0; });
      o.group = Object.assign(base(), {
        legend: { show: false },
        series: [{
          type: "pie", radius: ["38%", "68%"], center: ["50%", "54%"],
          label: { color: palette.text, fontSize: font, formatter: "{b}\n{c}" },
          data: groups.map(function (r) { return { name: r.label, value: r.month, url: r.urls && r.urls.month }; })
        }]
      });
      var bands = [["ok", "✓ 期限内"], ["near", "⚠ 临期"], ["overdue", "✖ 超期"], ["none", "无法定期限"]];
      o.nodes = Object.assign(base(), {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
        xAxis: axisStyle({ type: "category", data: d.nodes.map(function (n) { return n.label; }) }),
        yAxis: axisStyle({ type: "value", minInterval: 1 }),
        series: bands.map(function (b) {
          return {
            name: b[1], type: "bar", stack: "band", color: palette[b[0]],
            label: { show: true, color: "#fff", fontSize: font - 2, formatter: function (p) { return p.value ? p.value : ""; } },
            data: d.nodes.map(function (n) { return { value: n[b[0]], url: n.urls && n.urls[b[0]] }; })
          };
        })
      });
      var units = d.by_unit.slice(0, dark ? 10 : 15).reverse();
      o.unit = Object.assign(base(), {
        legend: { show: false },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
        xAxis: axisStyle({ type: "value", minInterval: 1 }),
        yAxis: axisStyle({ type: "category", data: units.map(function (r) { return r.label; }) }),
        series: [{
          name: labels.month, type: "bar", color: periodColors[2],
          label: { show: true, position: "right", color: palette.text, fontSize: font - 2 },
          data: units.map(function (r) { return { value: r.month, url: r.urls && r.urls.month }; })
        }]
      });
      return o;
    }

    function draw(d) {
      var o = options(d);
      ["channel", "group", "nodes", "unit"].forEach(function (name) {
        var el = document.getElementById("chart-" + name);
        if (!el) { return; }
        if (!charts[name]) {
          charts[name] = window.echarts.init(el, dark ? "dark" : null, { renderer: "canvas" });
          charts[name].on("click", function (p) {
            if (p.data && p.data.url) { window.location.href = p.data.url; }
          });
        }
        charts[name].setOption(o[name], { notMerge: false, lazyUpdate: true });
      });
    }

    function fill(d) {
      document.querySelectorAll("[data-fig]").forEach(function (el) {
        var path = el.getAttribute("data-fig");
        if (path.slice(-5) === "-text") { return; }
        var v = get(d, path);
        var text = v == null ? "—" : String(v);
        if (el.textContent !== text) { el.textContent = text; }
      });
      document.querySelectorAll("[data-href]").forEach(function (el) {
        var v = get(d, el.getAttribute("data-href"));
        if (v) { el.setAttribute("href", v); }
      });
    }

    function refresh() {
      var xhr = new XMLHttpRequest();
      xhr.open("GET", url);
      xhr.setRequestHeader("Accept", "application/json");
      // Polling does not keep an unattended screen's session alive (accounts.middleware, A5).
      xhr.setRequestHeader("HX-Trigger-Name", "poll");
      xhr.onload = function () {
        var type = xhr.getResponseHeader("Content-Type") || "";
        if (xhr.status !== 200 || type.indexOf("application/json") !== 0) {
          // Signed out (idle timeout): show the login page instead of stale figures.
          window.location.reload();
          return;
        }
        data = JSON.parse(xhr.responseText);
        fill(data);
        draw(data);
        root.setAttribute("data-refreshed", data.generated_at);
      };
      xhr.send();
    }

    draw(data);
    window.addEventListener("resize", function () {
      Object.keys(charts).forEach(function (k) { charts[k].resize(); });
    });
    window.setInterval(refresh, 5000);
  }

  // The figures are in the page as the server rendered them; ECharts (about 1 MB of script) is
  // fetched only after the first paint, so the largest paint never waits for it (LCP), and the
  // charts then fill boxes of fixed size (no layout shift).
  if (window.echarts) { start(); return; }
  window.requestAnimationFrame(function () {
    window.setTimeout(function () {
      var script = document.createElement("script");
      script.src = root.getAttribute("data-echarts");
      script.onload = start;
      document.head.appendChild(script);
    }, 0);
  });
})();
