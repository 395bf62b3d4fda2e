// A value to copy with one click (a calendar feed address, a public page address, embed code,
// a new API token, a webhook's signing secret); selecting the text works without it.
// A copy button is <button type="button" data-copy="<id of the field or element>"
// data-copied="<word for done>" hidden>: shown only where copying can work, and what it did is
// said through the page's live region (static/js/a11y.js) as well as on the button.
(function () {
  "use strict";

  document.querySelectorAll("[data-select-all]").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });

  function textOf(source) {
    return "value" in source && typeof source.value === "string" ? source.value : source.textContent;
  }

  // When the clipboard says no, the text is selected so Ctrl+C / Cmd+C finishes the job.
  function select(source) {
    if (typeof source.select === "function") { source.select(); return; }
    var range = document.createRange();
    range.selectNodeContents(source);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  if (!navigator.clipboard) return;
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var label = button.textContent;
    var timer = null;
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source) return;
      navigator.clipboard.writeText(textOf(source).trim()).then(function () {
        var done = button.getAttribute("data-copied") || label;
        button.textContent = done;
        if (window.backboneAnnounce) window.backboneAnnounce(done);
        window.clearTimeout(timer);
        timer = window.setTimeout(function () { button.textContent = label; }, 2000);
      }, function () { select(source); });
    });
  });
})();
