/* Tremplin: the menu button, one menu group open at a time, and the focus on an error
   summary (after a page load and after an htmx swap). No inline script: CSP script-src 'self'. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function focusErrorSummary(root) {
    var summary = (root || document).querySelector(".error-summary");
    if (summary) { summary.focus(); }
  }

  /* A table that scrolls inside its box must be reachable by keyboard (WCAG 2.1.1). */
  function focusableScrollers(root) {
    (root || document).querySelectorAll("table, .table-scroll").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1 && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusableScrollers(document);
    window.addEventListener("resize", function () { focusableScrollers(document); });
    var toggle = document.querySelector(".menu-toggle");
    var nav = document.getElementById("main-nav");
    if (toggle && nav) {
      toggle.addEventListener("click", function () {
        var open = nav.classList.toggle("open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
    var groups = document.querySelectorAll(".nav-group details");
    groups.forEach(function (details) {
      details.addEventListener("toggle", function () {
        if (!details.open) { return; }
        groups.forEach(function (other) { if (other !== details) { other.open = false; } });
      });
    });
    document.addEventListener("click", function (event) {
      groups.forEach(function (details) {
        if (details.open && !details.contains(event.target)) { details.open = false; }
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      groups.forEach(function (details) {
        if (details.open) { details.open = false; details.querySelector("summary").focus(); }
      });
    });
    focusErrorSummary(document);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    focusableScrollers(document);
    focusErrorSummary(event.detail.elt);
  });
})();
