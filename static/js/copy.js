// A value to copy with one click (a calendar feed address, a public page address, embed code);
// selecting the field works without it.
(function () {
  "use strict";

  document.querySelectorAll("[data-select-all]").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });

  if (!navigator.clipboard) return;
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      navigator.clipboard.writeText(source.value).then(function () {
        button.textContent = button.getAttribute("data-copied") || label;
        window.setTimeout(function () { button.textContent = label; }, 2000);
      });
    });
  });
})();
