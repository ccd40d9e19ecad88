// informe preview: reload the page when the book was rebuilt, show a failed build's message over the last good
// page (and remove it when the data are fixed), ask for the PDF. Server-sent events: the page never polls.
(function () {
  "use strict";
  var bar = null;
  var overlay = null;

  // A fixed panel of the page: its id, its ARIA role, its style and its children (tag, properties).
  function panel(id, role, css, children) {
    var node = document.createElement("div");
    node.id = id;
    node.setAttribute("role", role);
    node.style.cssText = css;
    children.forEach(function (child) {
      var element = document.createElement(child[0]);
      Object.keys(child[1]).forEach(function (key) { element[key] = child[1][key]; });
      node.appendChild(element);
    });
    document.body.appendChild(node);
    return node;
  }

  function ensureBar() {
    if (bar) return bar;
    bar = panel("informe-vista-previa", "status",
      "position:fixed;right:12px;bottom:12px;z-index:1000;max-width:min(44rem,calc(100vw - 24px));" +
      "font:14px/1.4 system-ui,sans-serif;background:#fff;color:#1a1a1a;border:1px solid #1F4E79;border-radius:6px;" +
      "box-shadow:0 2px 10px rgba(0,0,0,.2);padding:.5rem .75rem",
      [["span", { className: "texto", textContent: "Vista previa" }],
       ["button", { type: "button", textContent: "Construir el PDF" }]]);
    var pdf = bar.querySelector("button");
    pdf.style.marginLeft = ".75rem";
    pdf.addEventListener("click", function () {
      fetch("/__informe/pdf", { method: "POST" }).then(function () { say("PDF pedido: se construye el informe completo…"); });
    });
    return bar;
  }

  function say(message) { ensureBar().querySelector(".texto").textContent = message; }

  function showError(message) {
    if (!overlay) {
      overlay = panel("informe-vista-previa-error", "alert",
        "position:fixed;inset:0 0 auto 0;max-height:70vh;overflow:auto;z-index:1001;" +
        "background:#fff5f5;color:#5c0000;border-bottom:3px solid #b00020;padding:1rem 1.25rem;" +
        "font:14px/1.45 system-ui,sans-serif;box-shadow:0 2px 12px rgba(0,0,0,.25)",
        [["strong", { textContent: "La última construcción falló; esta página es la última que se construyó bien." }],
         ["pre", {}]]);
      overlay.querySelector("pre").style.cssText = "white-space:pre-wrap;margin:.5rem 0 0;font:13px/1.4 ui-monospace,monospace";
    }
    overlay.querySelector("pre").textContent = message;
  }
  function hideError() { if (overlay) { overlay.remove(); overlay = null; } }

  var seen = null;
  var events = new EventSource("/__informe/eventos");
  events.addEventListener("estado", function (e) {
    var state = JSON.parse(e.data);
    if (seen !== null && state.generacion !== seen && !state.error) { location.reload(); return; }
    seen = state.generacion;
    if (state.error) showError(state.error); else hideError();
    say(state.construyendo ? "Construyendo…" : "Vista previa al día");
  });
  events.addEventListener("construyendo", function () { say("Construyendo…"); });
  events.addEventListener("recargar", function () { location.reload(); });
  events.addEventListener("sin-cambios", function () { hideError(); say("Vista previa al día"); });
  events.addEventListener("error-datos", function (e) {
    showError(JSON.parse(e.data).mensaje);
    say("La construcción falló: corrija y guarde");
  });
  window.addEventListener("DOMContentLoaded", ensureBar);
  if (document.readyState !== "loading") ensureBar();
})();
