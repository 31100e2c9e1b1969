/* Intake (templates/web/intake.html): live counters, the 0/6 → 6/6 progress bar, submit only
   when valid, field errors from the server next to their fields, and retry on network failure.
   Without JavaScript the same form posts to /intake and the server does all of this. */
(function () {
  "use strict";

  var SD = window.SixDegrees;

  function init() {
    var form = document.querySelector("form[data-intake]");
    if (!form) return;
    var strings = SD.readStrings("intake-strings");
    var submit = form.querySelector("[data-submit]");
    var submitLabel = submit.textContent;
    var status = form.querySelector("[data-status]");
    var progress = form.querySelector("[data-progress]");
    var progressLabel = form.querySelector("[data-progress-label]");
    var retryBox = form.querySelector("[data-retry-box]");
    var retryMessage = form.querySelector("[data-retry-message]");
    var retryButton = form.querySelector("[data-retry]");
    var fields = Array.prototype.slice.call(form.querySelectorAll("[data-field]")).map(function (wrap) {
      return {
        name: wrap.getAttribute("data-field"),
        wrap: wrap,
        input: wrap.querySelector("input, textarea"),
        label: wrap.querySelector("label").textContent.trim(),
        counter: wrap.querySelector("[data-counter]"),
        error: wrap.querySelector("[data-error]"),
        touched: false,
      };
    });
    var busy = false;

    form.noValidate = true; // our own messages, in the page's language

    function problem(field) {
      var value = field.input.value.trim();
      if (!value) return SD.format(strings.required, { field: field.label });
      if (field.input.type === "email" && !field.input.checkValidity()) return strings.email;
      return "";
    }

    function showError(field, message) {
      field.error.textContent = message || "";
      field.error.hidden = !message;
      field.wrap.classList.toggle("field--invalid", !!message);
      if (message) field.input.setAttribute("aria-invalid", "true");
      else field.input.removeAttribute("aria-invalid");
    }

    function updateCounter(field) {
      var max = parseInt(field.input.getAttribute("maxlength"), 10);
      var length = field.input.value.length;
      field.counter.textContent = length + "/" + max;
      field.counter.classList.toggle("counter--near", length >= max * 0.9 && length < max);
      field.counter.classList.toggle("counter--full", length >= max);
    }

    function refresh() {
      var done = 0;
      fields.forEach(function (field) {
        updateCounter(field);
        if (!problem(field)) done += 1;
      });
      progress.value = done;
      progressLabel.textContent = SD.format(strings.progress, { done: done, total: fields.length });
      submit.disabled = busy || done !== fields.length;
      return done === fields.length;
    }

    fields.forEach(function (field) {
      field.input.addEventListener("input", function () {
        if (field.touched || !field.error.hidden) showError(field, problem(field));
        refresh();
      });
      field.input.addEventListener("blur", function () {
        field.touched = true;
        showError(field, problem(field));
      });
    });

    function setBusy(on) {
      busy = on;
      form.setAttribute("aria-busy", on ? "true" : "false");
      submit.textContent = on ? strings.analyzing : submitLabel;
      status.textContent = on ? strings.analyzing : "";
      status.classList.toggle("is-busy", on);
      refresh();
    }

    function payload() {
      var data = {};
      fields.forEach(function (field) {
        data[field.name] = field.input.value;
      });
      return data;
    }

    function showRetry(message) {
      retryMessage.textContent = message;
      retryBox.hidden = false;
      retryButton.focus();
    }

    function send() {
      retryBox.hidden = true;
      setBusy(true);
      SD.requestJSON("POST", form.getAttribute("data-api"), payload())
        .then(function (result) {
          var data = result.data || {};
          if (result.ok && data.success) {
            status.textContent = strings.created;
            try {
              sessionStorage.removeItem("sixdegrees:form:intake");
            } catch (e) {
              /* nothing kept */
            }
            window.location.assign(data.dashboard_url || "/dashboard?campaign=" + encodeURIComponent(data.campaign_id));
            return;
          }
          setBusy(false);
          if (result.status === 400 && data.fields && Object.keys(data.fields).length) {
            var first = null;
            fields.forEach(function (field) {
              var message = data.fields[field.name] || "";
              showError(field, message);
              if (message && !first) first = field;
            });
            status.textContent = data.error || strings.check;
            if (first) first.input.focus();
            return;
          }
          if (result.status >= 500 || !data.error) {
            showRetry(strings.server);
            return;
          }
          showRetry(data.error);
        })
        .catch(function () {
          setBusy(false);
          showRetry(strings.network);
        });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) return;
      if (!refresh()) {
        var first = null;
        fields.forEach(function (field) {
          field.touched = true;
          var message = problem(field);
          showError(field, message);
          if (message && !first) first = field;
        });
        if (first) first.input.focus();
        return;
      }
      send();
    });

    retryButton.addEventListener("click", function () {
      if (!busy && refresh()) send();
    });

    refresh();
  }

  document.addEventListener("DOMContentLoaded", init);
})();
