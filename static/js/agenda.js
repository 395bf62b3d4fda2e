// The common agenda pages: small helpers around htmx. No dependencies.
(function () {
  "use strict";

  // Refusals and form errors come back as 400 with the partial to show in place: swap it in.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // After a move redraws the list, keep the keyboard focus on the button that was pressed.
  document.addEventListener("agenda:focus", function (event) {
    var element = document.getElementById(event.detail.value);
    if (element) element.focus();
  });

  // A drag and drop the server refused (the list changed meanwhile): say so.
  document.addEventListener("agenda:refused", function (event) {
    window.alert(event.detail.value);
  });

  // Escape cancels an inline edit, like its Cancel button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !event.target.closest) return;
    var form = event.target.closest("[data-inline-form]");
    var cancel = form && form.querySelector("[data-cancel]");
    if (cancel) {
      event.preventDefault();
      cancel.click();
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });

  // Drag and drop, by the handle, for mouse users; the up/down buttons do the same by keyboard.
  document.documentElement.classList.add("can-drag");
  var dragged = null;

  function sameList(item) {
    return item && dragged && item !== dragged && item.parentElement === dragged.parentElement;
  }

  document.addEventListener("mousedown", function (event) {
    var handle = event.target.closest && event.target.closest(".drag-handle");
    if (!handle) return;
    var item = handle.closest("[data-reorder-url] > li");
    if (item) item.setAttribute("draggable", "true");
  });

  document.addEventListener("dragstart", function (event) {
    var item = event.target.closest && event.target.closest("[data-reorder-url] > li[draggable]");
    if (!item) return;
    dragged = item;
    item.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.dataset.id);
  });

  document.addEventListener("dragover", function (event) {
    if (!dragged) return;
    var over = event.target.closest && event.target.closest("li");
    while (over && !sameList(over) && over.parentElement) {
      over = over.parentElement.closest("li");
    }
    if (!sameList(over)) return;
    event.preventDefault();
    var box = over.getBoundingClientRect();
    var after = event.clientY > box.top + box.height / 2;
    over.parentElement.insertBefore(dragged, after ? over.nextSibling : over);
  });

  document.addEventListener("drop", function (event) {
    if (dragged) event.preventDefault();
  });

  document.addEventListener("dragend", function () {
    if (!dragged) return;
    var list = dragged.parentElement;
    dragged.classList.remove("is-dragging");
    dragged.removeAttribute("draggable");
    dragged = null;
    var order = Array.prototype.map.call(list.children, function (li) {
      return li.dataset.id;
    });
    window.htmx.ajax("POST", list.dataset.reorderUrl, {
      target: list.dataset.reorderTarget,
      swap: "outerHTML",
      values: { order: order.join(",") },
    });
  });
})();
