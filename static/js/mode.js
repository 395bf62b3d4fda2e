// Meeting mode: keyboard shortcuts, focus after each action, and refusals swapped in place.
// No dependencies; every action is also a real button and works without this file.
(function () {
  "use strict";

  // Refusals come back as 400 (form errors) or 409 (changed meanwhile, or meeting closed)
  // with the card or row to show in place.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  function cards() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-review-card]"));
  }

  function currentCard() {
    var active = document.activeElement;
    return (active && active.closest && active.closest("[data-review-card]")) || null;
  }

  function focusCard(card) {
    if (!card) return;
    card.focus();
    card.scrollIntoView({ block: "nearest" });
  }

  function focusCapture() {
    var what = document.querySelector("[data-capture] input[name=what]");
    if (what) what.focus();
  }

  function step(delta) {
    var list = cards();
    if (!list.length) return;
    var index = list.indexOf(currentCard());
    if (index === -1) return focusCard(list[delta > 0 ? 0 : list.length - 1]);
    var next = list[index + delta];
    if (next) focusCard(next);
    else if (delta > 0) focusCapture();
  }

  // After a card was reviewed, go on to the next one (or to the capture row after the last).
  // Deferred to after every settle handler (the one below may focus a field of the swapped
  // card), so moving on always wins once the review is recorded.
  document.addEventListener("mode:reviewed", function (event) {
    var id = event.detail.value;
    // Say what was recorded (the card's own words: what, then its new state), since the focus
    // moves on to the next card. static/js/a11y.js owns the live region.
    var reviewed = document.getElementById(id);
    if (reviewed && window.backboneAnnounce) {
      var said = reviewed.querySelector(".review-card__carried, .chip");
      var what = reviewed.querySelector(".review-card__what");
      if (said && what) window.backboneAnnounce(what.textContent + ": " + said.textContent);
    }
    window.setTimeout(function () {
      var list = cards();
      var next = list[list.indexOf(document.getElementById(id)) + 1];
      if (next) focusCard(next);
      else focusCapture();
    }, 0);
  });

  // A swapped part names the field to focus (an error, or "What" again after adding).
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!target || !target.id) return;
    var swapped = document.getElementById(target.id) || target;
    var wanted = swapped.querySelector && swapped.querySelector("[data-focus]");
    if (wanted) wanted.focus();
  });

  var ACTIONS = { d: "d", h: "h", b: "b" };
  var FIELDS = { c: "c", x: "x" };

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var inField = target.closest && target.closest("input, textarea, select, [contenteditable]");

    if (inField) {
      // Enter on the "why" list adds the commitment, like Enter in the text fields.
      if (event.key === "Enter" && target.tagName === "SELECT" && target.closest("[data-capture]")) {
        event.preventDefault();
        target.form.requestSubmit();
      }
      // Ctrl+Enter is handled by the browser for textareas; Escape leaves a card's field.
      if (event.key === "Escape") {
        var card = target.closest("[data-review-card]");
        if (card) {
          event.preventDefault();
          focusCard(card);
        }
      }
      return;
    }
    // Single-letter shortcuts act only while a commitment card has the focus (WCAG 2.1.4), so
    // speech input or a stray key elsewhere on the page never marks anything.
    if (!currentCard()) return;
    var key = event.key.toLowerCase();
    if (key === "n" || key === "j") {
      event.preventDefault();
      step(1);
    } else if (key === "p" || key === "k") {
      event.preventDefault();
      step(-1);
    } else if (key === "a") {
      event.preventDefault();
      focusCapture();
    } else if (ACTIONS[key] || FIELDS[key]) {
      var current = currentCard();
      if (!current) return;
      var control = current.querySelector('[data-key="' + key + '"]');
      if (!control) return;
      event.preventDefault();
      if (ACTIONS[key]) control.click();
      else control.focus();
    }
  });

  // Open with the first card in hand, so the shortcuts work at once.
  document.addEventListener("DOMContentLoaded", function () {
    if (window.location.hash) return;
    var first = cards()[0];
    if (first) first.focus({ preventScroll: true });
  });
})();
