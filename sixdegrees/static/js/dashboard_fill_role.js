/* "I know who this is" on the dashboard (templates/web/_campaign_panel.html, data-fill-role):
   search the owner's network (GET /api/campaign/<id>/people?q=) or type a name and address, then
   POST /api/campaign/<id>/fill-role. dashboard.js redraws the panels when told the campaign
   changed (the "sixdegrees:changed" event). */
(function () {
  "use strict";

  var SD = window.SixDegrees;
  var root, strings;
  var state = {};

  function fillUrl(suffix) {
    return "/api/campaign/" + encodeURIComponent(root.getAttribute("data-campaign")) + suffix;
  }

  function fillStatus(box, text) {
    var node = box.querySelector("[data-fill-status]");
    if (node) node.textContent = text;
  }

  function searchNetwork(input) {
    var box = input.closest("[data-fill-role]");
    var query = input.value.trim();
    var list = box.querySelector("[data-fill-results]");
    window.clearTimeout(state.searchTimer);
    if (query.length < 2) {
      list.replaceChildren();
      return;
    }
    // Wait for a pause in typing, so one search goes out per word rather than per key.
    state.searchTimer = window.setTimeout(function () {
      fillStatus(box, strings.searching);
      SD.requestJSON("GET", fillUrl("/people?q=" + encodeURIComponent(query)))
        .then(function (result) {
          if (input.value.trim() !== query) return;
          var people = (result.data && result.data.people) || [];
          list.replaceChildren.apply(
            list,
            people.map(function (person) {
              var item = document.createElement("li");
              var button = document.createElement("button");
              button.type = "button";
              button.className = "button button--secondary button--small";
              button.setAttribute("data-fill-person", person.person_id);
              button.textContent = SD.format(strings.choose, { name: person.name });
              var about = document.createElement("span");
              about.className = "small muted";
              about.textContent = " " + [person.organisation, person.email].filter(Boolean).join(" · ");
              item.appendChild(button);
              item.appendChild(about);
              return item;
            })
          );
          fillStatus(box, result.ok ? (people.length ? "" : strings.nobodyFound) : strings.server);
        })
        .catch(function () {
          fillStatus(box, strings.network);
        });
    }, 250);
  }

  function fillRole(box, body, button) {
    body.hop = parseInt(box.getAttribute("data-fill-role"), 10);
    box.querySelectorAll("[data-fill-error]").forEach(function (node) {
      node.hidden = true;
      node.textContent = "";
    });
    if (button) button.disabled = true;
    fillStatus(box, strings.filling);
    SD.requestJSON("POST", fillUrl("/fill-role"), body)
      .then(function (result) {
        var data = result.data || {};
        if (result.ok && data.success) {
          root.dispatchEvent(new CustomEvent("sixdegrees:changed", { detail: strings.updated }));
          return;
        }
        if (button) button.disabled = false;
        Object.keys(data.fields || {}).forEach(function (name) {
          var node = box.querySelector('[data-fill-error="' + name + '"]');
          if (!node) return;
          node.textContent = data.fields[name];
          node.hidden = false;
        });
        fillStatus(box, data.error || strings.server);
      })
      .catch(function () {
        if (button) button.disabled = false;
        fillStatus(box, strings.network);
      });
  }

  function init() {
    root = document.querySelector("[data-dashboard]");
    if (!root || !root.getAttribute("data-campaign")) return;
    strings = SD.readStrings("dashboard-strings");
    root.addEventListener("input", function (event) {
      if (event.target.hasAttribute && event.target.hasAttribute("data-fill-search")) searchNetwork(event.target);
    });
    root.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-fill-person]");
      if (!button || !root.contains(button)) return;
      fillRole(button.closest("[data-fill-role]"), { person_id: button.getAttribute("data-fill-person") }, button);
    });
    root.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.hasAttribute("data-fill-form")) return;
      event.preventDefault();
      fillRole(
        form.closest("[data-fill-role]"),
        { name: form.elements.name.value, email: form.elements.email.value },
        form.querySelector("button[type=submit]")
      );
    });
  }

  document.addEventListener("DOMContentLoaded", init);
})();
