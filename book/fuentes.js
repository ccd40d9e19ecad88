// Where each number of a table comes from (both engines: informe.build.html_book.trace_numbers marks the numbers,
// this script shows their notes). The note of a number shows on hover and on keyboard focus, next to the number
// and inside the window (never clipped by the table's scrolling region); it stays while the pointer is over it,
// and Escape closes it without moving the pointer or the focus (WCAG 1.4.13). Screen readers read it as the
// number's description (aria-describedby) with or without this script.
(function () {
  "use strict";
  var shown = null;
  var hideTimer = null;

  function noteOf(number) {
    var id = number && number.getAttribute("aria-describedby");
    return id ? document.getElementById(id) : null;
  }

  function place(number) {
    var note = noteOf(number);
    if (!note) return;
    clearTimeout(hideTimer);
    if (shown && shown !== note) shown.classList.remove("visible");
    shown = note;
    note.classList.add("visible");
    var r = number.getBoundingClientRect();
    var w = note.offsetWidth, h = note.offsetHeight, margin = 8;
    var left = Math.min(Math.max(margin, r.right - w), window.innerWidth - w - margin);
    var top = r.bottom + 4;
    if (top + h > window.innerHeight - margin) top = Math.max(margin, r.top - h - 4);
    note.style.left = Math.max(margin, left) + "px";
    note.style.top = top + "px";
    note.dataset.for = number.getAttribute("aria-describedby");
  }

  function hide(later) {
    clearTimeout(hideTimer);
    var close = function () { if (shown) shown.classList.remove("visible"); shown = null; };
    if (later) hideTimer = setTimeout(close, 250); else close();
  }

  function numberFrom(target) {
    return target && target.closest ? target.closest(".fuente[aria-describedby]") : null;
  }

  document.addEventListener("focusin", function (e) { var n = numberFrom(e.target); if (n) place(n); });
  document.addEventListener("focusout", function (e) { if (numberFrom(e.target)) hide(false); });
  document.addEventListener("mouseover", function (e) {
    var n = numberFrom(e.target);
    if (n) place(n);
    else if (shown && e.target.closest && e.target.closest(".fuente-nota") === shown) clearTimeout(hideTimer);
  });
  document.addEventListener("mouseout", function (e) {
    if (numberFrom(e.target) || (e.target.closest && e.target.closest(".fuente-nota"))) hide(true);
  });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") hide(false); });
  window.addEventListener("scroll", function () {
    if (shown) place(document.querySelector('[aria-describedby="' + shown.id + '"]'));
  }, true);
})();
