// The pip-only HTML book: table of contents open on wide screens, and full-text search with pagefind's
// index (pagefind/pagefind.js, written by `informe build`). Everything works without this script,
// except the search.
(function () {
  "use strict";
  var toc = document.getElementById("toc");
  if (toc && window.matchMedia("(min-width: 62em)").matches) toc.open = true;

  var form = document.querySelector("form.search");
  if (!form) return;
  var input = form.querySelector("input[type=search]");
  var status = document.getElementById("buscar-estado");
  var list = document.getElementById("buscar-resultados");
  var base = new URL(".", document.currentScript ? document.currentScript.src : location.href);
  var engine = null;
  var timer = null;

  function say(text) { status.textContent = text; }

  function load() {
    if (!engine) {
      engine = import(new URL("pagefind/pagefind.js", base).href).then(function (pf) {
        return pf.options({ baseUrl: base.pathname }).then(function () { return pf; });
      });
    }
    return engine;
  }

  function show(results, total, query) {
    list.textContent = "";
    results.forEach(function (r) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = r.url;
      a.textContent = (r.meta && r.meta.title) || r.url;
      var p = document.createElement("p");
      p.innerHTML = r.excerpt; // pagefind's excerpt: the page's escaped text with <mark> around the matches
      li.appendChild(a);
      li.appendChild(p);
      list.appendChild(li);
    });
    say(total === 0 ? "Sin resultados para «" + query + "»."
      : (total === 1 ? "1 resultado" : total + " resultados") + " para «" + query + "»"
        + (total > results.length ? " (se muestran los " + results.length + " primeros)." : "."));
  }

  function run() {
    var query = input.value.trim();
    if (!query) { list.textContent = ""; say(""); return; }
    if (location.protocol === "file:") {
      say("La búsqueda funciona cuando el libro se sirve por HTTP (por ejemplo: python -m http.server en la carpeta book).");
      return;
    }
    load().then(function (pf) { return pf.search(query); }).then(function (search) {
      if (input.value.trim() !== query) return;
      return Promise.all(search.results.slice(0, 10).map(function (r) { return r.data(); }))
        .then(function (data) { show(data, search.results.length, query); });
    }).catch(function () { say("No se pudo cargar el índice de búsqueda."); });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 300); });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { input.value = ""; run(); }
  });
})();
