// firehouse web UI: the little behaviour htmx does not cover. No build step; plain ES2017.
// Every feature here only enhances a page that already works without JavaScript.
"use strict";

(function () {
  // -- dialogs: a link with data-dialog opens that <dialog> instead of its fallback page ----
  document.addEventListener("click", function (event) {
    var opener = event.target.closest && event.target.closest("[data-dialog]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-dialog"));
      if (dialog && typeof dialog.showModal === "function") {
        event.preventDefault();
        dialog.showModal();
        var first = dialog.querySelector("textarea, input:not([type=hidden]), select");
        if (first) first.focus();
      }
      return;
    }
    var closer = event.target.closest && event.target.closest("[data-close-dialog]");
    if (closer) {
      var open = closer.closest("dialog");
      if (open) open.close();
    }
  });

  // -- htmx: forms marked data-swap-errors show their 422 answer (the form with its error) --
  document.addEventListener("htmx:beforeSwap", function (event) {
    var elt = event.detail.elt;
    if (event.detail.xhr.status === 422 && elt && elt.hasAttribute("data-swap-errors")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var form = event.detail.elt;
    if (form && form.id === "entry-form") {
      var box = document.getElementById("entry-text");
      if (box) box.focus();
    }
  });

  // -- live timeline: server-sent events add entries and refresh the summary -------------
  function setVersion(version) {
    var inputs = document.querySelectorAll('input[name="version"]');
    for (var i = 0; i < inputs.length; i++) inputs[i].value = version;
  }

  function refreshSummary(list) {
    var url = list.getAttribute("data-summary");
    var current = document.getElementById("incident-summary");
    if (!url || !current) return;
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#incident-summary");
        var focused = document.activeElement;
        if (fresh && !(focused && current.contains(focused))) {
          current.replaceWith(fresh);
          setVersion(fresh.getAttribute("data-version"));
        }
      })
      .catch(function () { /* the next event tries again */ });
  }

  function announce(count) {
    var status = document.getElementById("timeline-status");
    if (status) status.textContent = count === 1 ? "1 new entry" : count + " new entries";
  }

  function follow(list) {
    if (typeof EventSource !== "function") return;
    var url = list.getAttribute("data-live");
    var after = list.getAttribute("data-after") || "0";
    var source = new EventSource(url + "?after=" + encodeURIComponent(after));
    var fresh = 0;
    source.addEventListener("entry", function (event) {
      var holder = document.createElement("ol");
      holder.innerHTML = event.data;
      var item = holder.firstElementChild;
      // The poster's own entry may come by two paths; show it once.
      if (!item || !item.id || document.getElementById(item.id)) return;
      list.appendChild(item);
      list.setAttribute("data-after", event.lastEventId || after);
      fresh += 1;
      announce(fresh);
    });
    source.addEventListener("incident", function () {
      refreshSummary(list);
    });
  }

  function start() {
    var list = document.getElementById("timeline");
    if (list && list.hasAttribute("data-live")) follow(list);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
