// What every page needs for keyboards and screen readers, loaded from base.html:
// - a table too wide for the screen scrolls inside its .table-wrap: that box joins the Tab
//   order (and is named after its table) so it can be scrolled without a mouse; so does any
//   other box marked data-scroll once its content overflows it;
// - after an htmx swap, what it says in a status message is read out through the page's one
//   live region (#announcer: a region added with the swap is often not read), and when the
//   focus was inside the part swapped out it goes to the part swapped in, not back to the top.
// No dependencies; pages work without it.
(function () {
  "use strict";

  var announcer = null;

  function announce(text) {
    text = (text || "").replace(/\s+/g, " ").trim();
    if (!announcer || !text) return;
    // Emptied first so the same words said twice are read twice.
    announcer.textContent = "";
    window.setTimeout(function () {
      announcer.textContent = text;
    }, 60);
  }
  window.backboneAnnounce = announce;

  function nameOf(wrap) {
    var table = wrap.querySelector("table");
    if (!table) return null;
    if (table.caption && table.caption.id) return { by: table.caption.id };
    if (table.caption) return { label: table.caption.textContent };
    if (table.getAttribute("aria-label")) return { label: table.getAttribute("aria-label") };
    if (table.getAttribute("aria-labelledby")) return { by: table.getAttribute("aria-labelledby") };
    var section = wrap.closest("[aria-labelledby]");
    if (section) return { by: section.getAttribute("aria-labelledby") };
    return null;
  }

  function markScrollers(root) {
    var wraps = (root || document).querySelectorAll(".table-wrap, [data-scroll]");
    Array.prototype.forEach.call(wraps, function (wrap) {
      var scrolls =
        wrap.scrollWidth > wrap.clientWidth + 1 || wrap.scrollHeight > wrap.clientHeight + 1;
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.dataset.scrolls = "true";
        // A box marked data-scroll keeps its own role (a list stays a list).
        var name = wrap.classList.contains("table-wrap") ? nameOf(wrap) : null;
        if (name) {
          wrap.setAttribute("role", "region");
          if (name.by) wrap.setAttribute("aria-labelledby", name.by);
          else wrap.setAttribute("aria-label", name.label.trim());
        }
      } else if (!scrolls && wrap.dataset.scrolls) {
        ["tabindex", "role", "aria-labelledby", "aria-label", "data-scrolls"].forEach(function (a) {
          wrap.removeAttribute(a);
        });
      }
    });
  }

  var resizing = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(function () {
      markScrollers(document);
    }, 150);
  });
  // A table inside <details> ("Show the numbers") has a width only once opened.
  document.addEventListener(
    "toggle",
    function (event) {
      if (event.target.open) markScrollers(event.target);
    },
    true
  );

  // Was the focus inside the part about to be swapped out? (And where did that part sit, in
  // case it is swapped for nothing, like a removed row.)
  var focusWasIn = false;
  var around = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var active = document.activeElement;
    focusWasIn = !!(target && active && active !== document.body && target.contains(active));
    around = target && target.parentElement;
  });

  function focusOn(element) {
    var focusable = element.matches("a[href], button, input, select, textarea");
    if (!focusable && !element.hasAttribute("tabindex")) element.setAttribute("tabindex", "-1");
    element.focus({ preventScroll: true });
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!target) return;
    var swapped = (target.id && document.getElementById(target.id)) || target;
    var active = document.activeElement;
    var lost = !active || active === document.body || !document.body.contains(active);
    if (!document.body.contains(swapped)) {
      var home =
        around && document.body.contains(around) && around.closest("section, article, .card, main");
      if (focusWasIn && lost && home) focusOn(home);
      focusWasIn = false;
      return;
    }
    markScrollers(swapped);

    var said = [];
    var messages = swapped.querySelectorAll('[role="status"], [data-announce]');
    Array.prototype.forEach.call(messages, function (m) {
      if (m !== announcer && m.textContent.trim()) said.push(m.textContent);
    });
    announce(said.join(" "));

    if (focusWasIn && lost) {
      focusOn(swapped.querySelector("[data-focus], [autofocus]") || swapped);
    }
    focusWasIn = false;
  });

  document.addEventListener("DOMContentLoaded", function () {
    announcer = document.getElementById("announcer");
    markScrollers(document);
  });
})();
