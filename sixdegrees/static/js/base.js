/* Shared by every page: a small fetch helper, local times, and keeping typed input across a
   language switch (inputs go to sessionStorage before the switch and come back after). */
(function () {
  "use strict";

  var STORE_KEY = "sixdegrees:form:";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  /* fetch JSON; resolves {ok, status, data, ms}; rejects only on network failure. */
  function requestJSON(method, url, body) {
    var options = {
      method: method,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    var started = performance.now();
    return fetch(url, options).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try {
          data = text ? JSON.parse(text) : null;
        } catch (e) {
          data = null;
        }
        return {
          ok: response.ok,
          status: response.status,
          data: data,
          text: text,
          ms: performance.now() - started,
        };
      });
    });
  }

  function readStrings(id) {
    var node = document.getElementById(id);
    if (!node) return {};
    try {
      return JSON.parse(node.textContent);
    } catch (e) {
      return {};
    }
  }

  /* "%(name)s" placeholders, as in the server's catalogue. */
  function format(template, values) {
    return String(template).replace(/%\((\w+)\)[sd]/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match;
    });
  }

  function localiseTimes(root) {
    var lang = document.documentElement.lang || "en";
    var formatter;
    try {
      formatter = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });
    } catch (e) {
      return;
    }
    (root || document).querySelectorAll("time[data-local]").forEach(function (node) {
      var when = new Date(node.getAttribute("datetime"));
      if (!isNaN(when.getTime())) node.textContent = formatter.format(when);
    });
  }

  function rememberableForms() {
    return Array.prototype.slice.call(document.querySelectorAll("form[data-remember]"));
  }

  function saveForms() {
    rememberableForms().forEach(function (form) {
      var values = {};
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.type === "hidden" || el.type === "password" || el.type === "submit") return;
        if (el.type === "checkbox" || el.type === "radio") values[el.name] = el.checked;
        else values[el.name] = el.value;
      });
      try {
        sessionStorage.setItem(STORE_KEY + form.getAttribute("data-remember"), JSON.stringify(values));
      } catch (e) {
        /* private mode: nothing to keep */
      }
    });
  }

  function restoreForms() {
    rememberableForms().forEach(function (form) {
      var key = STORE_KEY + form.getAttribute("data-remember");
      var saved;
      try {
        saved = JSON.parse(sessionStorage.getItem(key) || "null");
        sessionStorage.removeItem(key);
      } catch (e) {
        saved = null;
      }
      if (!saved) return;
      Object.keys(saved).forEach(function (name) {
        var el = form.elements.namedItem(name);
        if (!el || el.type === "hidden") return;
        if (el.type === "checkbox" || el.type === "radio") el.checked = !!saved[name];
        else if (!el.value) el.value = saved[name];
        el.dispatchEvent(new Event("input", { bubbles: true }));
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    restoreForms();
    localiseTimes(document);
    document.querySelectorAll("form[data-lang-switch]").forEach(function (form) {
      form.addEventListener("submit", saveForms);
    });
  });

  window.SixDegrees = {
    csrfToken: csrfToken,
    requestJSON: requestJSON,
    readStrings: readStrings,
    format: format,
    localiseTimes: localiseTimes,
  };
})();
