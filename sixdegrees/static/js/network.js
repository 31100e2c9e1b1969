/* Your network (templates/web/network.html): filters without a page load, strength corrections,
   hide and remove (PATCH/DELETE /api/contacts/<id>), add by hand (POST /api/contacts), the import
   form (POST /api/contacts/import, then polling GET /api/contacts/imports/<id> while it runs) with
   its report, and the duplicate review. The list's markup stays on the server: after every change
   the list is fetched again from /network/list with the current filters and swapped in. */
(function () {
  "use strict";

  var SD = window.SixDegrees;
  var root, strings, listHolder, filters;
  var POLL_MS = 1000;

  function announce(text) {
    var region = root.querySelector("[data-announce]");
    if (!region) return;
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = text;
    }, 50);
  }

  function errorText(answer) {
    if (answer.data && answer.data.error) return answer.data.error;
    return answer.status === 413 ? strings.too_big : strings.server;
  }

  /* ---- The list ------------------------------------------------------------------------- */

  function filterQuery(extra) {
    var params = new URLSearchParams(new FormData(filters));
    Object.keys(extra || {}).forEach(function (key) {
      params.set(key, extra[key]);
    });
    Array.from(params.keys()).forEach(function (key) {
      if (!params.get(key)) params.delete(key);
    });
    return params.toString();
  }

  function reloadList(query) {
    var search = query === undefined ? filterQuery() : query;
    return fetch(root.getAttribute("data-list-url") + (search ? "?" + search : ""), {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var holder = document.createElement("template");
        holder.innerHTML = html;
        listHolder.replaceChildren(holder.content);
        var list = listHolder.querySelector("[data-network-list]");
        var everyone = root.querySelector("[data-everyone]");
        if (list && everyone) everyone.textContent = list.getAttribute("data-everyone-label");
        var url = new URL(window.location.href);
        url.search = search;
        history.replaceState(null, "", url.toString());
      })
      .catch(function () {
        announce(strings.network);
      });
  }

  function initFilters() {
    var timer = null;
    filters.addEventListener("submit", function (event) {
      event.preventDefault();
      reloadList();
    });
    filters.addEventListener("change", function (event) {
      if (event.target.name !== "q") reloadList();
    });
    filters.querySelector("[name=q]").addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        reloadList();
      }, 250);
    });
    listHolder.addEventListener("click", function (event) {
      var link = event.target.closest("[data-page-link]");
      if (!link) return;
      event.preventDefault();
      reloadList(link.getAttribute("href").replace(/^\?/, ""));
    });
  }

  /* ---- One person: correct, hide, remove ------------------------------------------------- */

  function personError(item, text) {
    var node = item.querySelector("[data-person-error]");
    node.textContent = text;
    node.hidden = !text;
  }

  function patchPerson(item, body, message) {
    personError(item, "");
    return SD.requestJSON("PATCH", "/api/contacts/" + encodeURIComponent(item.getAttribute("data-person")), body).then(
      function (answer) {
        if (!answer.ok) {
          var fields = (answer.data && answer.data.fields) || {};
          personError(item, fields.strength || errorText(answer));
          return;
        }
        announce(message);
        var id = item.getAttribute("data-person");
        return reloadList().then(function () {
          /* The row was rendered again: keep the keyboard where it was. */
          var again = listHolder.querySelector('[data-person="' + CSS.escape(id) + '"] input[name=strength]');
          if (again) again.focus();
          else if (filters.querySelector("[name=q]")) filters.querySelector("[name=q]").focus();
        });
      },
      function () {
        personError(item, strings.network);
      }
    );
  }

  function initPeople() {
    listHolder.addEventListener("submit", function (event) {
      var form = event.target.closest("[data-correct]");
      if (!form) return;
      event.preventDefault();
      var item = form.closest("[data-person]");
      var value = form.elements.namedItem("strength").value.trim().replace(",", ".");
      var number = Number(value);
      if (value === "" || isNaN(number)) {
        personError(item, form.elements.namedItem("strength").validationMessage || strings.server);
        return;
      }
      patchPerson(item, { strength: number }, strings.saved);
    });
    listHolder.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) return;
      var item = button.closest("[data-person]");
      if (!item) return;
      var confirmBox = item.querySelector("[data-confirm]");
      if (button.hasAttribute("data-clear")) {
        patchPerson(item, { strength: null }, strings.cleared);
      } else if (button.hasAttribute("data-hide")) {
        var hide = button.getAttribute("data-hide") === "true";
        patchPerson(item, { hidden: hide }, hide ? strings.hidden : strings.shown);
      } else if (button.hasAttribute("data-remove")) {
        confirmBox.hidden = false;
        confirmBox.querySelector("[data-remove-yes]").focus();
      } else if (button.hasAttribute("data-remove-no")) {
        confirmBox.hidden = true;
        item.querySelector("[data-remove]").focus();
      } else if (button.hasAttribute("data-remove-yes")) {
        SD.requestJSON("DELETE", "/api/contacts/" + encodeURIComponent(item.getAttribute("data-person"))).then(
          function (answer) {
            if (!answer.ok) {
              personError(item, errorText(answer));
              return;
            }
            announce(strings.removed);
            reloadList();
          },
          function () {
            personError(item, strings.network);
          }
        );
      }
    });
  }

  /* ---- Add by hand ----------------------------------------------------------------------- */

  function initAdd() {
    var form = root.querySelector("[data-add-form]");
    var error = form.querySelector("[data-add-error]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = {};
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name) return;
        el.removeAttribute("aria-invalid");
        var value = el.value.trim();
        if (el.name === "emails" || el.name === "phones") body[el.name] = value ? [value] : [];
        else body[el.name] = value;
      });
      error.hidden = true;
      SD.requestJSON("POST", "/api/contacts", body).then(
        function (answer) {
          if (!answer.ok) {
            var fields = (answer.data && answer.data.fields) || {};
            var names = Object.keys(fields);
            names.forEach(function (name) {
              var el = form.elements.namedItem(name);
              if (el) el.setAttribute("aria-invalid", "true");
            });
            error.textContent = names.length ? fields[names[0]] : errorText(answer);
            error.hidden = false;
            return;
          }
          form.reset();
          announce(strings[answer.data.outcome] || strings.saved);
          reloadList();
          if (answer.data.outcome === "review") refreshReview();
        },
        function () {
          error.textContent = strings.network;
          error.hidden = false;
        }
      );
    });
  }

  /* ---- Import ---------------------------------------------------------------------------- */

  function initImport() {
    var form = root.querySelector("[data-import-form]");
    var status = root.querySelector("[data-import-status]");
    var bar = root.querySelector("[data-import-progress]");
    var text = root.querySelector("[data-import-text]");
    var report = root.querySelector("[data-import-report]");
    var submit = form.querySelector("[data-import-submit]");

    function show(data) {
      status.hidden = false;
      var total = data.rows_total || 0;
      var done = data.rows_done || 0;
      if (data.status === "queued") {
        bar.removeAttribute("value");
        text.textContent = strings.waiting;
      } else if (data.status === "running") {
        bar.max = total || 1;
        bar.value = done;
        text.textContent = SD.format(strings.importing, { done: done, total: total });
      } else {
        bar.max = 1;
        bar.value = 1;
        text.textContent = data.status === "failed" ? strings.failed : strings.done;
      }
      if (data.status !== "done" && data.status !== "failed") return;
      report.hidden = false;
      var error = report.querySelector("[data-import-error]");
      error.textContent = data.error || "";
      error.hidden = !data.error;
      report.querySelectorAll("[data-count]").forEach(function (node) {
        node.textContent = String(data[node.getAttribute("data-count")] || 0);
      });
      var skipped = report.querySelector("[data-skipped]");
      var list = report.querySelector("[data-skipped-list]");
      list.replaceChildren();
      (data.skipped_lines || []).forEach(function (row) {
        var li = document.createElement("li");
        var line = document.createElement("strong");
        line.textContent = SD.format(strings.skipped_line, { line: row.line });
        li.appendChild(line);
        li.appendChild(document.createTextNode(" " + row.reason));
        list.appendChild(li);
      });
      skipped.hidden = !(data.skipped_lines || []).length;
    }

    function poll(id) {
      SD.requestJSON("GET", "/api/contacts/imports/" + encodeURIComponent(id)).then(
        function (answer) {
          if (!answer.ok) {
            text.textContent = errorText(answer);
            submit.disabled = false;
            return;
          }
          show(answer.data);
          if (answer.data.status === "queued" || answer.data.status === "running") {
            window.setTimeout(function () {
              poll(id);
            }, POLL_MS);
          } else {
            finished(answer.data);
          }
        },
        function () {
          text.textContent = strings.network;
          submit.disabled = false;
        }
      );
    }

    function finished(data) {
      submit.disabled = false;
      announce(data.status === "failed" ? strings.failed : strings.done);
      if (data.status === "done") {
        reloadList();
        if (data.needs_review) refreshReview();
      }
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var input = form.elements.namedItem("file");
      if (!input.files.length) {
        status.hidden = false;
        text.textContent = strings.choose;
        input.focus();
        return;
      }
      submit.disabled = true;
      report.hidden = true;
      status.hidden = false;
      bar.removeAttribute("value");
      text.textContent = SD.format(strings.importing, { done: 0, total: "…" });
      fetch("/api/contacts/import", {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": SD.csrfToken() },
        body: new FormData(form),
      })
        .then(function (response) {
          return response.json().then(
            function (data) {
              return { ok: response.ok, status: response.status, data: data };
            },
            function () {
              return { ok: false, status: response.status, data: null };
            }
          );
        })
        .then(
          function (answer) {
            if (!answer.ok) {
              show({ status: "failed", error: errorText(answer) });
              finished({ status: "failed" });
              return;
            }
            show(answer.data);
            if (answer.data.status === "queued" || answer.data.status === "running") poll(answer.data.import_id);
            else finished(answer.data);
          },
          function () {
            text.textContent = strings.network;
            submit.disabled = false;
          }
        );
    });
  }

  /* ---- Duplicates ------------------------------------------------------------------------ */

  function refreshReview() {
    /* New pairs come with a fresh page: the section is server-rendered like the list. */
    var review = root.querySelector("[data-review]");
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.querySelector("[data-review]");
        if (fresh && review) {
          review.replaceWith(fresh);
          initReview();
        }
      })
      .catch(function () {
        /* the list still shows everyone; the pairs appear on the next visit */
      });
  }

  function initReview() {
    var review = root.querySelector("[data-review]");
    if (!review) return;
    review.addEventListener("click", function (event) {
      var button = event.target.closest("[data-pair-action]");
      if (!button) return;
      var item = button.closest("[data-pair]");
      var action = button.getAttribute("data-pair-action");
      var url = "/api/contacts/duplicates/" + encodeURIComponent(item.getAttribute("data-pair")) + "/" + action;
      button.disabled = true;
      SD.requestJSON("POST", url, {}).then(
        function (answer) {
          if (!answer.ok) {
            button.disabled = false;
            announce(errorText(answer));
            return;
          }
          item.remove();
          if (!review.querySelector("[data-pair]")) review.hidden = true;
          announce(action === "merge" ? strings.merged_pair : strings.separate_pair);
          reloadList();
        },
        function () {
          button.disabled = false;
          announce(strings.network);
        }
      );
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    root = document.querySelector("[data-network]");
    if (!root || !root.querySelector("[data-list]")) return;
    strings = SD.readStrings("network-strings");
    listHolder = root.querySelector("[data-list]");
    filters = root.querySelector("[data-filters]");
    initFilters();
    initPeople();
    initAdd();
    initImport();
    initReview();
  });
})();
