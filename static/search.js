// The search page: queries the Pagefind index the build wrote under
// /pagefind/ (only published text is in it) and shows results with facets.
// Everything is built with DOM methods: no inline styles or scripts, so a
// strict Content-Security-Policy works (Pagefind needs 'wasm-unsafe-eval').
(function () {
  "use strict";
  var root = document.getElementById("search");
  if (!root) return;
  var base = root.getAttribute("data-base") || "/";
  var input = document.getElementById("search-input");
  var form = root.querySelector("form");
  var results = document.getElementById("search-results");
  var facets = document.getElementById("search-facets");
  var pagefind = null;
  var selected = {};
  var serial = 0;
  var LABELS = {
    type: "Type", kind: "Annotation kind", confidence: "Confidence",
    entity: "Entity", incident: "Incident", year: "Year", tag: "Tag",
  };
  var ORDER = ["type", "kind", "confidence", "entity", "incident", "year", "tag"];

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // Pagefind's excerpts mark matches with <mark>; keep that and only text.
  function excerpt(html) {
    var p = el("p", "search-excerpt");
    var doc = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    doc.body.firstChild.childNodes.forEach(function (n) {
      if (n.nodeType === 1 && n.nodeName === "MARK") p.appendChild(el("mark", "", n.textContent));
      else p.appendChild(document.createTextNode(n.textContent));
    });
    return p;
  }

  function hit(h) {
    var item = el("li", "search-hit");
    var head = el("p", "search-hit-head");
    var link = el("a", "", h.title);
    link.href = h.url;
    head.appendChild(link);
    if (h.type) head.appendChild(el("span", "badge badge-" + h.type.toLowerCase(), h.type));
    if (h.date) head.appendChild(el("span", "search-date", h.date));
    item.appendChild(head);
    if (h.context) item.appendChild(el("p", "search-context", "In " + h.context));
    item.appendChild(excerpt(h.excerpt));
    return item;
  }

  function status(text) {
    results.textContent = "";
    results.appendChild(el("p", "search-status", text));
  }

  function filterOptions() {
    var filters = {};
    Object.keys(selected).forEach(function (key) {
      if (selected[key].length) filters[key] = { any: selected[key] };
    });
    return filters;
  }

  function drawFacets(available, counts) {
    facets.textContent = "";
    ORDER.forEach(function (key) {
      var values = available[key];
      if (!values || !Object.keys(values).length) return;
      var set = el("fieldset", "search-facet");
      set.appendChild(el("legend", "", LABELS[key] || key));
      Object.keys(values).sort(function (a, b) {
        return key === "year" ? b.localeCompare(a) : a.localeCompare(b);
      }).forEach(function (value) {
        var id = "f-" + key + "-" + value.replace(/[^A-Za-z0-9]+/g, "-");
        var row = el("div", "search-option");
        var box = el("input");
        box.type = "checkbox";
        box.id = id;
        box.value = value;
        box.checked = (selected[key] || []).indexOf(value) >= 0;
        box.addEventListener("change", function () {
          var list = selected[key] || (selected[key] = []);
          if (box.checked) list.push(value);
          else list.splice(list.indexOf(value), 1);
          run();
        });
        var n = counts && counts[key] && counts[key][value] !== undefined ? counts[key][value] : values[value];
        var label = el("label", "", value + " ");
        label.htmlFor = id;
        label.appendChild(el("span", "count", "(" + n + ")"));
        row.appendChild(box);
        row.appendChild(label);
        set.appendChild(row);
      });
      facets.appendChild(set);
    });
  }

  function run() {
    var query = input.value.trim();
    var mine = ++serial;
    var url = new URL(location.href);
    if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
    history.replaceState(null, "", url);
    var filters = filterOptions();
    if (!query && !Object.keys(filters).length) {
      status("Type a word, a name, a hash or a phrase.");
      return;
    }
    pagefind.search(query || null, { filters: filters }).then(function (search) {
      if (mine !== serial) return;
      drawFacets(search.totalFilters || {}, search.filters);
      var hits = search.results.slice(0, 20);
      return Promise.all(hits.map(function (r) { return r.data(); })).then(function (data) {
        if (mine !== serial) return;
        results.textContent = "";
        var total = search.results.length;
        results.appendChild(el("p", "search-status", total === 0 ? "No results." :
          total + (total === 1 ? " page matches" : " pages match") + (total > hits.length ? "; the first " + hits.length + " are shown." : ".")));
        var list = el("ol", "search-list");
        var types = selected.type || [];
        var wantPages = !types.length || types.some(function (t) { return t !== "Annotation"; });
        var wantNotes = !types.length || types.indexOf("Annotation") >= 0;
        data.forEach(function (d) {
          // A page's matching sections: the page itself, and its notes
          // (sections headed `note-ID`), each shown as its own hit.
          var sections = d.sub_results && d.sub_results.length ? d.sub_results : [d];
          var shown = 0;
          sections.forEach(function (s) {
            var note = /#note-/.test(s.url);
            if ((note && !wantNotes) || (!note && !wantPages) || shown >= 3) return;
            shown += 1;
            list.appendChild(hit({
              url: s.url,
              title: note ? s.title : d.meta.title || d.url,
              type: note ? "Annotation" : d.meta.type || "",
              date: d.meta.date,
              context: note ? d.meta.title : "",
              excerpt: s.excerpt || d.excerpt || "",
            }));
          });
        });
        results.appendChild(list);
      });
    });
  }

  status("Loading the search index…");
  import(base + "pagefind/pagefind.js").then(function (module) {
    pagefind = module;
    return pagefind.options({ baseUrl: base }).then(function () { return pagefind.filters(); });
  }).then(function (available) {
    drawFacets(available);
    var q = new URL(location.href).searchParams.get("q");
    if (q) input.value = q;
    var timer = 0;
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 150); });
    form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
    run();
  }).catch(function (error) {
    status("Search could not start: " + (error && error.message ? error.message : error) +
      ". It needs the files under " + base + "pagefind/ and, with a Content-Security-Policy, 'wasm-unsafe-eval'.");
  });
})();
