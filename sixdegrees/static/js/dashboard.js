/* Dashboard (templates/web/dashboard.html): ARIA tabs, live updates by polling
   GET /api/campaign/<id> (every 2 s while the plan is made, 30 s after), the email preview dialog
   with edit (PATCH /api/email/<id>) and send (POST /api/send), path choice, Connections filters,
   and the elapsed time in the 48 h reply window. Server-rendered HTML stays the single source of
   markup: when the campaign changes, the panels are fetched again from /dashboard/live. */
(function () {
  "use strict";

  var SD = window.SixDegrees;
  var root, strings, state;

  /* ---- Tabs ------------------------------------------------------------------------------ */

  function initTabs() {
    var list = root.querySelector("[data-tabs]");
    if (!list) return;
    var tabs = Array.prototype.slice.call(list.querySelectorAll("[role=tab]"));

    function select(tab, focus) {
      tabs.forEach(function (other) {
        var on = other === tab;
        other.setAttribute("aria-selected", on ? "true" : "false");
        other.tabIndex = on ? 0 : -1;
        document.getElementById(other.getAttribute("aria-controls")).hidden = !on;
      });
      if (focus) tab.focus();
      var url = new URL(window.location.href);
      var key = tab.getAttribute("data-tab");
      if (key === "campaign") url.searchParams.delete("tab");
      else url.searchParams.set("tab", key);
      url.hash = "";
      history.replaceState(null, "", url.toString());
    }

    tabs.forEach(function (tab, index) {
      tab.addEventListener("click", function (event) {
        event.preventDefault();
        select(tab, false);
      });
      tab.addEventListener("keydown", function (event) {
        var next = null;
        if (event.key === "ArrowRight") next = tabs[(index + 1) % tabs.length];
        else if (event.key === "ArrowLeft") next = tabs[(index - 1 + tabs.length) % tabs.length];
        else if (event.key === "Home") next = tabs[0];
        else if (event.key === "End") next = tabs[tabs.length - 1];
        else if (event.key === " ") next = tab;
        if (next) {
          event.preventDefault();
          select(next, true);
        }
      });
    });
  }

  /* ---- Live updates ---------------------------------------------------------------------- */

  function announce(text) {
    var region = root.querySelector("[data-announce]");
    if (!region) return;
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = text;
    }, 50);
  }

  function setUpdated(text) {
    var node = root.querySelector("[data-updated]");
    if (node) node.textContent = text;
  }

  function busyEditing() {
    var modal = root.querySelector("[data-modal]");
    return modal && modal.open;
  }

  function swapPanels(html) {
    var holder = document.createElement("template");
    holder.innerHTML = html;
    holder.content.querySelectorAll("[data-live]").forEach(function (fresh) {
      var key = fresh.getAttribute("data-live");
      var current = root.querySelector('[data-live="' + key + '"]');
      if (!current) return;
      var openDetails = Array.prototype.map.call(
        current.querySelectorAll("details[open] [data-email-key]"),
        function (node) {
          return node.getAttribute("data-email-key");
        }
      );
      current.replaceChildren.apply(current, Array.prototype.slice.call(fresh.childNodes));
      openDetails.forEach(function (id) {
        var node = current.querySelector('[data-email-key="' + id + '"]');
        if (node && node.closest("details")) node.closest("details").open = true;
      });
      SD.localiseTimes(current);
    });
    applyFilter();
    tickWindow();
  }

  function fetchPanels() {
    var url = root.getAttribute("data-live-url");
    return fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } }).then(function (response) {
      if (!response.ok) throw new Error("live " + response.status);
      return response.text();
    });
  }

  function applyData(data, force) {
    var previous = state.signature;
    var signature = JSON.stringify(data);
    state.data = data;
    state.signature = signature;
    var badge = root.querySelector("[data-status-badge]");
    var oldStatus = root.getAttribute("data-status");
    if (badge && data.status_label) {
      badge.textContent = data.status_label;
      badge.className = "badge badge--" + data.status;
    }
    root.setAttribute("data-status", data.status);
    // The badge is its own live region; a finished plan is worth saying in words.
    if (oldStatus === "processing" && data.status === "ready") announce(strings.planReady);
    if (!force && previous === signature) return Promise.resolve(false);
    if (busyEditing() || (!force && fillingRole())) {
      state.pendingSwap = true;
      return Promise.resolve(false);
    }
    return fetchPanels().then(function (html) {
      swapPanels(html);
      return true;
    });
  }

  function schedule() {
    window.clearTimeout(state.timer);
    var seconds = root.getAttribute("data-status") === "processing" ? 2 : state.pollSeconds;
    state.timer = window.setTimeout(poll, seconds * 1000);
  }

  function poll(force) {
    if (state.inFlight) return state.inFlight;
    var url = root.getAttribute("data-api-url");
    state.inFlight = SD.requestJSON("GET", url)
      .then(function (result) {
        state.timings.push(Math.round(result.ms * 10) / 10);
        if (state.timings.length > 50) state.timings.shift();
        document.body.setAttribute("data-last-refresh-ms", String(Math.round(result.ms)));
        if (!result.ok || !result.data) throw new Error("poll " + result.status);
        setUpdated(strings.updated);
        return applyData(result.data, force === true);
      })
      .catch(function () {
        setUpdated(strings.network);
      })
      .then(function () {
        state.inFlight = null;
        schedule();
      });
    return state.inFlight;
  }

  function initPolling() {
    state.pollSeconds = parseInt(root.getAttribute("data-poll"), 10) || 30;
    var initial = document.getElementById("campaign-data");
    if (initial) {
      try {
        state.data = JSON.parse(initial.textContent);
        state.signature = JSON.stringify(state.data);
      } catch (e) {
        state.data = null;
      }
    }
    window.__sixdegreesPolls = state.timings;
    root.querySelectorAll("[data-refresh]").forEach(function (button) {
      button.addEventListener("click", function () {
        button.disabled = true;
        poll(true).then(function () {
          button.disabled = false;
        });
      });
    });
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) poll();
    });
    schedule();
  }

  /* ---- The 48 h window ------------------------------------------------------------------- */

  function elapsedWords(minutes) {
    var hours = Math.floor(minutes / 60);
    var rest = minutes % 60;
    if (hours) return SD.format(strings.hoursMinutes, { hours: hours, minutes: rest });
    return SD.format(strings.minutes, { minutes: rest });
  }

  function tickWindow() {
    root.querySelectorAll("[data-window-start]").forEach(function (box) {
      var start = parseInt(box.getAttribute("data-window-start"), 10) * 1000;
      var total = parseInt(box.getAttribute("data-window-minutes"), 10);
      var minutes = Math.max(0, Math.floor((Date.now() - start) / 60000));
      var bar = box.querySelector("[data-window-bar]");
      var text = box.querySelector("[data-window-text]");
      if (bar) bar.value = Math.min(minutes, total);
      if (text) text.textContent = SD.format(strings.elapsed, { elapsed: elapsedWords(minutes), window: total / 60 });
    });
  }

  /* ---- Email dialog ---------------------------------------------------------------------- */

  var modal = {};

  function findEmail(id) {
    var emails = (state.data && state.data.emails) || [];
    for (var i = 0; i < emails.length; i += 1) if (emails[i].email_id === id) return emails[i];
    return null;
  }

  function modalStatus(text, kind) {
    modal.status.textContent = text || "";
    modal.status.className = "modal__status" + (kind ? " modal__status--" + kind : "");
  }

  function clearErrors() {
    modal.el.querySelectorAll("[data-m-error]").forEach(function (node) {
      node.textContent = "";
      node.hidden = true;
    });
    modal.el.querySelectorAll("[aria-invalid]").forEach(function (node) {
      node.removeAttribute("aria-invalid");
    });
  }

  function showFieldErrors(fields) {
    var first = null;
    Object.keys(fields || {}).forEach(function (name) {
      var visible = Array.prototype.filter.call(modal.el.querySelectorAll('[data-m-error="' + name + '"]'), function (n) {
        return !n.parentElement.closest("[hidden]"); // the message itself starts hidden
      });
      visible.forEach(function (node) {
        node.textContent = fields[name];
        node.hidden = false;
        var input = document.getElementById(node.id.replace(/-error$/, ""));
        if (input) {
          input.setAttribute("aria-invalid", "true");
          if (!first) first = input;
        }
      });
    });
    if (first) first.focus();
  }

  function fillView(email) {
    modal.title.textContent = SD.format(strings.emailTo, { name: email.recipient_name || email.recipient_email });
    modal.to.textContent = email.recipient_email || strings.noRecipient;
    modal.subject.textContent = email.subject;
    modal.body.textContent = email.body;
    var draft = email.status === "draft";
    modal.needTo.hidden = !(draft && !email.recipient_email);
    modal.sendButton.hidden = !draft;
    modal.editButton.hidden = !draft;
  }

  function setMode(mode) {
    var editing = mode === "edit";
    modal.view.hidden = editing;
    modal.edit.hidden = !editing;
    modal.viewActions.hidden = editing;
    modal.editActions.hidden = !editing;
    clearErrors();
    if (editing) {
      var email = findEmail(modal.emailId);
      modal.form.elements.recipient_email.value = email.recipient_email || "";
      modal.form.elements.subject.value = email.subject;
      modal.form.elements.body.value = email.body;
      modal.form.elements.subject.focus();
    }
  }

  function openModal(emailId, mode, opener) {
    var email = findEmail(emailId);
    if (!email) return;
    modal.emailId = emailId;
    modal.opener = opener;
    modalStatus("");
    fillView(email);
    modal.el.showModal();
    setMode(mode);
    if (mode === "send") {
      if (!modal.needTo.hidden) modal.sendTo.focus();
      else modal.sendButton.focus();
    } else if (mode !== "edit") {
      modal.body.focus();
    }
  }

  function closeModal() {
    if (modal.el.open) modal.el.close();
  }

  function afterClose() {
    var opener = modal.opener;
    var emailId = modal.emailId;
    var pending = state.pendingSwap;
    state.pendingSwap = false;
    var work = pending ? fetchPanels().then(swapPanels) : Promise.resolve();
    work.catch(function () {}).then(function () {
      var target = opener && document.body.contains(opener) ? opener : null;
      if (!target && emailId) target = root.querySelector('[data-preview="' + emailId + '"]');
      if (target) target.focus();
    });
  }

  function trapFocus(event) {
    if (event.key !== "Tab") return;
    var focusable = Array.prototype.filter.call(
      modal.el.querySelectorAll("button, input, textarea, select, a[href], [tabindex]:not([tabindex='-1'])"),
      function (node) {
        return !node.disabled && !node.closest("[hidden]") && node.offsetParent !== null;
      }
    );
    if (!focusable.length) return;
    var first = focusable[0];
    var last = focusable[focusable.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  function save() {
    var email = findEmail(modal.emailId);
    var form = modal.form.elements;
    var changes = {};
    if (form.subject.value !== email.subject) changes.subject = form.subject.value;
    if (form.body.value !== email.body) changes.body = form.body.value;
    if (form.recipient_email.value.trim() && form.recipient_email.value.trim() !== (email.recipient_email || "")) {
      changes.recipient_email = form.recipient_email.value.trim();
    }
    if (!Object.keys(changes).length) {
      setMode("view");
      return;
    }
    clearErrors();
    modalStatus(strings.saving);
    modal.saveButton.disabled = true;
    SD.requestJSON("PATCH", "/api/email/" + encodeURIComponent(modal.emailId), changes)
      .then(function (result) {
        modal.saveButton.disabled = false;
        var data = result.data || {};
        if (result.ok && data.success) {
          replaceEmail(data.email);
          fillView(data.email);
          setMode("view");
          modalStatus(strings.saved, "ok");
          modal.editButton.focus();
          state.pendingSwap = true;
          return;
        }
        modalStatus(data.error || strings.server, "error");
        showFieldErrors(data.fields);
      })
      .catch(function () {
        modal.saveButton.disabled = false;
        modalStatus(strings.network, "error");
      });
  }

  function replaceEmail(updated) {
    var emails = (state.data && state.data.emails) || [];
    for (var i = 0; i < emails.length; i += 1) {
      if (emails[i].email_id === updated.email_id) emails[i] = updated;
    }
  }

  function send() {
    var email = findEmail(modal.emailId);
    var body = { campaign_id: root.getAttribute("data-campaign"), email_id: modal.emailId };
    if (!email.recipient_email) {
      var to = modal.sendTo.value.trim();
      if (!to) {
        showFieldErrors({ recipient_email: strings.addRecipient });
        return;
      }
      body.to = to;
    }
    clearErrors();
    modalStatus(strings.sending);
    modal.sendButton.disabled = true;
    SD.requestJSON("POST", "/api/send", body)
      .then(function (result) {
        modal.sendButton.disabled = false;
        var data = result.data || {};
        if (result.ok && data.success) {
          state.pendingSwap = true;
          closeModal();
          announce(strings.queued);
          setUpdated(strings.queued);
          poll(true);
          return;
        }
        modalStatus(data.error || strings.server, "error");
        var fields = data.fields || {};
        if (fields.to && !fields.recipient_email) fields.recipient_email = fields.to;
        showFieldErrors(fields);
      })
      .catch(function () {
        modal.sendButton.disabled = false;
        modalStatus(strings.network, "error");
      });
  }

  function initModal() {
    modal.el = root.querySelector("[data-modal]");
    if (!modal.el) return;
    modal.title = modal.el.querySelector("[data-m-title]");
    modal.to = modal.el.querySelector("[data-m-to]");
    modal.subject = modal.el.querySelector("[data-m-subject]");
    modal.body = modal.el.querySelector("[data-m-body]");
    modal.needTo = modal.el.querySelector("[data-m-need-to]");
    modal.sendTo = modal.el.querySelector("#m-send-to");
    modal.view = modal.el.querySelector("[data-m-view]");
    modal.edit = modal.el.querySelector("[data-m-edit]");
    modal.form = modal.edit;
    modal.viewActions = modal.el.querySelector("[data-m-view-actions]");
    modal.editActions = modal.el.querySelector("[data-m-edit-actions]");
    modal.status = modal.el.querySelector("[data-m-status]");
    modal.sendButton = modal.el.querySelector("[data-m-send]");
    modal.editButton = modal.el.querySelector("[data-m-edit-button]");
    modal.saveButton = modal.el.querySelector("[data-m-save]");

    modal.el.querySelectorAll("[data-modal-close]").forEach(function (button) {
      button.addEventListener("click", closeModal);
    });
    modal.el.addEventListener("close", afterClose);
    modal.el.addEventListener("keydown", trapFocus);
    modal.el.addEventListener("click", function (event) {
      if (event.target === modal.el) closeModal(); // a click on the backdrop
    });
    modal.editButton.addEventListener("click", function () {
      modalStatus("");
      setMode("edit");
    });
    modal.el.querySelector("[data-m-cancel]").addEventListener("click", function () {
      setMode("view");
      modal.editButton.focus();
    });
    modal.saveButton.addEventListener("click", save);
    modal.sendButton.addEventListener("click", send);
    modal.form.addEventListener("submit", function (event) {
      event.preventDefault();
      save();
    });
  }

  /* ---- Paths, regenerate ----------------------------------------------------------------- */

  function pathAction(url, body, message, button) {
    button.disabled = true;
    setUpdated(message);
    SD.requestJSON("POST", url, body)
      .then(function (result) {
        var data = result.data || {};
        if (result.ok && data.success) {
          return poll(true);
        }
        button.disabled = false;
        setUpdated(data.error || strings.server);
        announce(data.error || strings.server);
      })
      .catch(function () {
        button.disabled = false;
        setUpdated(strings.network);
      });
  }

  /* ---- "I know who this is" (dashboard_fill_role.js): no swap under the person's cursor ---- */

  function fillingRole() {
    var active = document.activeElement;
    return !!(active && active.closest && active.closest("[data-fill-role]"));
  }

  /* ---- Connections filters --------------------------------------------------------------- */

  function applyFilter() {
    var key = state.filter || "all";
    var rows = root.querySelectorAll(".connection");
    var shown = 0;
    rows.forEach(function (row) {
      var visible =
        key === "all" ||
        (key === "sent" && row.getAttribute("data-went-out") === "1") ||
        (key === "replied" && row.getAttribute("data-status") === "replied") ||
        (key === "noreply" && row.getAttribute("data-no-reply") === "1");
      row.hidden = !visible;
      if (visible) shown += 1;
    });
    root.querySelectorAll("[data-filter]").forEach(function (button) {
      button.setAttribute("aria-pressed", button.getAttribute("data-filter") === key ? "true" : "false");
    });
    var count = root.querySelector("[data-filter-count]");
    if (count) count.textContent = rows.length ? SD.format(strings.showing, { count: shown, total: rows.length }) : "";
    var empty = root.querySelector("[data-filter-empty]");
    if (empty) empty.hidden = shown > 0 || rows.length === 0;
  }

  /* ---- Confirming the address (the sign-in code box) -------------------------------------- */

  function onSubmit(event) {
    var form = event.target;
    if (form.hasAttribute("data-verify-form")) {
      event.preventDefault();
      var error = root.querySelector("[data-verify-error]");
      var input = form.elements.code;
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      SD.requestJSON("POST", "/api/auth/verify", { email: form.elements.email.value, code: input.value })
        .then(function (result) {
          if (result.ok && result.data && result.data.success) {
            window.location.reload(); // signed in: the page now offers sending
            return;
          }
          button.disabled = false;
          error.textContent = (result.data && result.data.error) || strings.server;
          error.hidden = false;
          input.setAttribute("aria-invalid", "true");
          input.focus();
        })
        .catch(function () {
          button.disabled = false;
          error.textContent = strings.network;
          error.hidden = false;
        });
    } else if (form.hasAttribute("data-resend-form")) {
      event.preventDefault();
      var status = form.querySelector("[data-resend-status]");
      SD.requestJSON("POST", "/api/auth/request-code", { email: form.elements.email.value })
        .then(function (result) {
          status.textContent = (result.data && (result.data.message || result.data.error)) || strings.server;
        })
        .catch(function () {
          status.textContent = strings.network;
        });
    }
  }

  /* ---- Wiring ---------------------------------------------------------------------------- */

  function onClick(event) {
    var target = event.target.closest("button");
    if (!target || !root.contains(target)) return;
    if (target.hasAttribute("data-preview")) openModal(target.getAttribute("data-preview"), "view", target);
    else if (target.hasAttribute("data-edit")) openModal(target.getAttribute("data-edit"), "edit", target);
    else if (target.hasAttribute("data-send")) openModal(target.getAttribute("data-send"), "send", target);
    else if (target.hasAttribute("data-select-path")) {
      var index = parseInt(target.getAttribute("data-select-path"), 10);
      var url = "/api/campaign/" + encodeURIComponent(root.getAttribute("data-campaign")) + "/select-path";
      pathAction(url, { path_index: index }, strings.choosing, target);
    } else if (target.hasAttribute("data-regenerate")) {
      var again = "/api/campaign/" + encodeURIComponent(root.getAttribute("data-campaign")) + "/regenerate";
      pathAction(again, {}, strings.regenerating, target);
    } else if (target.hasAttribute("data-filter")) {
      state.filter = target.getAttribute("data-filter");
      applyFilter();
    }
  }

  function init() {
    root = document.querySelector("[data-dashboard]");
    if (!root) return;
    strings = SD.readStrings("dashboard-strings");
    state = { timings: [], filter: "all", pendingSwap: false };
    initTabs();
    root.addEventListener("click", onClick);
    root.addEventListener("submit", onSubmit);
    // dashboard_fill_role.js says when it changed the campaign: show it now.
    root.addEventListener("sixdegrees:changed", function (event) {
      announce(event.detail || strings.updated);
      poll(true);
    });
    applyFilter();
    if (root.getAttribute("data-campaign")) {
      initModal();
      initPolling();
      tickWindow();
      window.setInterval(tickWindow, 60000);
    }
  }

  document.addEventListener("DOMContentLoaded", init);
})();
