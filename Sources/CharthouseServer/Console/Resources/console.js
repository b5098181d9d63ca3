// Charthouse console: small enhancements over server-rendered pages. Everything works without it.
"use strict";
(function () {
  // Credentials appear only while "No authentication" is off, as the product description says.
  function bindCredentials() {
    var box = document.getElementById("noAuthentication");
    var credentials = document.getElementById("credentials");
    if (!box || !credentials) return;
    var apply = function () { credentials.hidden = box.checked; };
    box.addEventListener("change", apply);
    apply();
  }

  function clearErrors(form) {
    form.querySelectorAll(".field-error, #form-error").forEach(function (node) { node.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (node) { node.removeAttribute("aria-invalid"); });
    var general = document.getElementById("form-error");
    if (general) general.textContent = "";
  }

  function showErrors(errors) {
    var focused = false;
    Object.keys(errors).forEach(function (field) {
      var target = document.getElementById(field + "-error") || document.getElementById("form-error");
      if (target) target.textContent = errors[field];
      var input = document.getElementById(field);
      if (input) {
        input.setAttribute("aria-invalid", "true");
        if (!focused) { input.focus(); focused = true; }
      }
    });
  }

  // Forms marked data-live post in the background: the server's message appears beside its
  // field and everything typed stays; on success the browser goes where the server says.
  function bindLiveForms() {
    document.querySelectorAll("form#registry-form, form[data-live]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var button = form.querySelector("button[type=submit]");
        button.disabled = true;
        clearErrors(form);
        fetch(form.action, {
          method: "POST",
          headers: { "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams(new FormData(form)),
          credentials: "same-origin"
        }).then(function (response) {
          return response.json().then(function (data) { return { ok: response.ok, data: data }; });
        }).then(function (result) {
          if (result.ok && result.data.location) { window.location.assign(result.data.location); return; }
          showErrors(result.data.errors || { form: "The server refused the form." });
          var detail = result.data.detail;
          var area = detail && detail.line && document.getElementById(detail.field);
          if (area && area.tagName === "TEXTAREA") caretToLine(area, parseInt(detail.line, 10));
          button.disabled = false;
        }).catch(function () {
          showErrors({ form: "The server could not be reached. Try again." });
          button.disabled = false;
        });
      });
    });
  }

  // A registry's page follows its sync until it ends, filling in the state and the counts.
  function followSync() {
    var section = document.getElementById("sync");
    if (!section || section.getAttribute("data-syncing") !== "true") return;
    var url = section.getAttribute("data-state-url");
    var tick = function () {
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (row) {
          ["state", "charts", "versions", "lastSync", "lastError"].forEach(function (key) {
            var node = section.querySelector("[data-field=" + key + "]");
            if (!node) return;
            node.textContent = row[key] === undefined || row[key] === null ? (key === "lastError" ? "" : "-") : row[key];
            if (key === "state") node.className = "state state-" + row.state;
          });
          section.setAttribute("data-syncing", row.syncing ? "true" : "false");
          if (row.syncing) setTimeout(tick, 1000);
        })
        .catch(function () { setTimeout(tick, 3000); });
    };
    setTimeout(tick, 500);
  }

  // The catalog's results follow the typing: the server renders them, the page swaps them in.
  function bindSearch() {
    var input = document.getElementById("catalog-search");
    var results = document.getElementById("results");
    if (!input || !results) return;
    var timer = null;
    var latest = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var ticket = ++latest;
        var query = encodeURIComponent(input.value);
        fetch("/catalog?partial=1&q=" + query, { credentials: "same-origin" })
          .then(function (response) { return response.text(); })
          .then(function (html) {
            if (ticket !== latest) return;  // a newer search is on its way
            var parsed = new DOMParser().parseFromString(html, "text/html");
            results.replaceChildren.apply(results, Array.prototype.map.call(parsed.body.childNodes, function (node) {
              return document.importNode(node, true);
            }));
            history.replaceState(null, "", "/catalog?q=" + query);
          });
      }, 200);
    });
  }

  // A select marked data-submit-on-change submits its form (the Repository menu).
  function bindAutoSubmit() {
    document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }

  // Picking a chart fills the version list from the catalog.
  function bindVersions() {
    var chart = document.querySelector("input[data-versions-url]");
    var versions = document.querySelector("select#version");
    if (!chart || !versions) return;
    var load = function () {
      if (!chart.value) return;
      fetch(chart.getAttribute("data-versions-url") + encodeURIComponent(chart.value) + "/versions.json",
            { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { versions: [] }; })
        .then(function (data) {
          var chosen = versions.value;
          while (versions.options.length > 1) versions.remove(1);
          data.versions.forEach(function (version) {
            var option = document.createElement("option");
            option.value = version;
            option.textContent = version;
            option.selected = version === chosen;
            versions.appendChild(option);
          });
        });
    };
    chart.addEventListener("change", load);
  }

  // A file chosen for a textarea (data-fills) is read into it.
  function bindFileFill() {
    document.querySelectorAll("input[type=file][data-fills]").forEach(function (input) {
      input.addEventListener("change", function () {
        var target = document.getElementById(input.getAttribute("data-fills"));
        if (!target || !input.files.length) return;
        input.files[0].text().then(function (text) { target.value = text; });
      });
    });
  }

  // The caret goes to the line a YAML error names.
  function caretToLine(textarea, line) {
    var lines = textarea.value.split("\n");
    var offset = 0;
    for (var index = 0; index < Math.min(line - 1, lines.length); index++) offset += lines[index].length + 1;
    textarea.focus();
    textarea.setSelectionRange(offset, offset + (lines[line - 1] || "").length);
  }

  function markErrorLines() {
    document.querySelectorAll("textarea[data-error-line]").forEach(function (textarea) {
      caretToLine(textarea, parseInt(textarea.getAttribute("data-error-line"), 10));
    });
  }

  // The kubeconfig fields show only for a cluster reached with its kubeconfig.
  function bindClusterMode() {
    var agent = document.getElementById("mode-agent");
    var direct = document.getElementById("mode-direct");
    var fields = document.getElementById("kubeconfig-fields");
    if (!agent || !direct || !fields) return;
    var apply = function () { fields.hidden = agent.checked; };
    agent.addEventListener("change", apply);
    direct.addEventListener("change", apply);
    apply();
  }

  // A part marked data-refresh-url (a cluster's discovery, deployment and releases) follows the
  // work under way: the server renders it again and the page swaps it in, keeping the focus,
  // until the server says nothing runs (data-busy="false"). The pause grows while work lasts.
  function followLive() {
    var delay = 1000;
    var tick = function () {
      var live = document.getElementById("live");
      if (!live || live.getAttribute("data-busy") !== "true") return;
      fetch(live.getAttribute("data-refresh-url"), { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.text();
        })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("live");
          if (!fresh) return;
          var focused = document.activeElement && live.contains(document.activeElement) ? document.activeElement.id : "";
          var node = document.importNode(fresh, true);
          live.replaceWith(node);
          if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
          delay = Math.min(delay + 500, 5000);
          setTimeout(tick, delay);
        })
        .catch(function () { setTimeout(tick, 5000); });
    };
    setTimeout(tick, delay);
  }

  document.addEventListener("DOMContentLoaded", function () {
    followLive();
    bindCredentials();
    bindLiveForms();
    followSync();
    bindSearch();
    bindAutoSubmit();
    bindVersions();
    bindFileFill();
    markErrorLines();
    bindClusterMode();
  });
})();
