// The search page: reads the index the build wrote under /search-index/
// (only published text is in it; src/search/index.rs describes the files)
// and shows results with facets. Everything is built with DOM methods: no
// inline styles or scripts and no WebAssembly, so a strict
// Content-Security-Policy works.
(function () {
  "use strict";
  var root = document.getElementById("search");
  if (!root) return;
  var base = root.getAttribute("data-base") || "/";
  var folder = base + "search-index/";
  var input = document.getElementById("search-input");
  var form = root.querySelector("form");
  var results = document.getElementById("search-results");
  var facets = document.getElementById("search-facets");
  // The facets start folded on a phone, where they would push every
  // result below the fold, and open beside the results on a wide screen.
  var filters = document.getElementById("search-filters");
  if (filters && window.matchMedia("(min-width: 60rem)").matches) filters.open = true;
  var FORMAT = 1;
  var PAGE = 20;
  var LABELS = {
    type: "Type", kind: "Annotation kind", confidence: "Confidence",
    entity: "Entity", incident: "Incident", year: "Year", tag: "Tag",
  };
  var ORDER = ["type", "kind", "confidence", "entity", "incident", "year", "tag"];
  var meta = null;      // meta.json, with id lists decoded
  var groups = [];      // first record id of each group
  var shardNames = {};  // shard key -> true
  var selected = {};    // facet key -> [values]
  var serial = 0;
  var cache = {};       // url -> Promise of parsed JSON

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function load(path) {
    var url = folder + path + "?v=" + meta.version;
    if (!cache[url]) {
      cache[url] = fetch(url).then(function (r) {
        if (!r.ok) throw new Error(path + ": HTTP " + r.status);
        return r.json();
      });
    }
    return cache[url];
  }

  // Words as src/search/words.rs cuts them: lower case, accents dropped,
  // runs of letters and digits of at most 100 bytes.
  var MARKS = /\p{M}/gu;
  var WORD = /[\p{Alphabetic}\p{N}]+/gu;
  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(MARKS, "").normalize("NFC");
  }
  function words(text) {
    return (fold(text).match(WORD) || []).filter(function (w) {
      return new TextEncoder().encode(w).length <= 100;
    });
  }

  // The shard of a term: its first `meta.prefix` characters' UTF-8 bytes
  // in hex (one character on a small dossier, two on a large one).
  function shardKey(term) {
    var head = Array.from(term).slice(0, meta.prefix).join("");
    return Array.from(new TextEncoder().encode(head), function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
  }

  // Facet lists: positive d = previous + d (previous starts at -1), -k = k
  // ids in a row.
  function decodeIds(list) {
    var out = [];
    var previous = -1;
    list.forEach(function (n) {
      if (n < 0) {
        for (var k = 0; k < -n; k++) out.push(++previous);
      } else {
        previous += n;
        out.push(previous);
      }
    });
    return out;
  }

  // The records matching one query word (any indexed word it begins, or
  // only itself when it is one character) with a score each: BM25's
  // term-frequency curve times the word's rarity; whole words count more
  // than prefixes.
  function matchWord(word) {
    var key = shardKey(word);
    if (!shardNames[key]) return Promise.resolve(new Map());
    return load("terms/" + key + ".json").then(function (terms) {
      var scores = new Map();
      var single = Array.from(word).length < 2;
      terms.forEach(function (entry) {
        var term = entry[0];
        if (single ? term !== word : term.lastIndexOf(word, 0) !== 0) return;
        var postings = entry[1];
        var rarity = Math.log(1 + meta.records / postings.length);
        var exact = term === word ? 1 : 0.7;
        var id = -1;
        postings.forEach(function (n) {
          var weight = n % 32;
          id += (n - weight) / 32;
          var count = weight % 16 + (weight >= 16 ? 3 : 0);
          var score = rarity * exact * (count * 2.2) / (count + 1.2);
          var before = scores.get(id);
          if (before === undefined || score > before) scores.set(id, score);
        });
      });
      return scores;
    });
  }

  // Records with every word, by score; without words, every record.
  function matchAll(query) {
    var list = words(query);
    var unique = list.filter(function (w, i) { return list.indexOf(w) === i; });
    if (!unique.length) return Promise.resolve(null);
    return Promise.all(unique.map(matchWord)).then(function (maps) {
      maps.sort(function (a, b) { return a.size - b.size; });
      var found = new Map();
      maps[0].forEach(function (score, id) {
        var total = score;
        for (var i = 1; i < maps.length; i++) {
          var s = maps[i].get(id);
          if (s === undefined) return;
          total += s;
        }
        found.set(id, total);
      });
      return found;
    });
  }

  // Whether record `id` passes the selected facets, leaving out `except`.
  function passes(id, except) {
    for (var key in selected) {
      if (key === except || !selected[key].length) continue;
      var ok = selected[key].some(function (value) { return meta.sets[key][value].has(id); });
      if (!ok) return false;
    }
    return true;
  }

  function groupOf(id) {
    var lo = 0, hi = groups.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (groups[mid] <= id) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  function record(id) {
    var g = groupOf(id);
    return load("records/" + g + ".json").then(function (list) { return list[id - groups[g]]; });
  }

  // About `size` words of `text` around the first word a query word
  // begins, cut at word boundaries, with those words marked.
  function excerpt(text, query, size) {
    var p = el("p", "search-excerpt");
    var spans = [];
    var re = /[\p{Alphabetic}\p{M}\p{N}]+/gu;
    var m;
    while ((m = re.exec(text)) !== null) spans.push([m.index, m.index + m[0].length, fold(m[0])]);
    var hits = spans.map(function (s) {
      return query.some(function (q) { return s[2].lastIndexOf(q, 0) === 0; });
    });
    var first = hits.indexOf(true);
    var from = Math.max(0, (first < 0 ? 0 : first) - Math.floor(size / 4));
    var to = Math.min(spans.length, from + size);
    from = Math.max(0, Math.min(from, to - size));
    if (!spans.length) return p;
    var at = from > 0 ? spans[from][0] : 0;
    // No-break spaces: an ellipsis never sits alone on a line.
    if (from > 0) p.appendChild(document.createTextNode("…\u00a0"));
    for (var i = from; i < to; i++) {
      if (!hits[i]) continue;
      p.appendChild(document.createTextNode(text.slice(at, spans[i][0])));
      p.appendChild(el("mark", "", text.slice(spans[i][0], spans[i][1])));
      at = spans[i][1];
    }
    var end = to < spans.length ? spans[to - 1][1] : text.length;
    p.appendChild(document.createTextNode(text.slice(at, end)));
    if (to < spans.length) p.appendChild(document.createTextNode("\u00a0…"));
    return p;
  }

  function hit(r, query) {
    var item = el("li", "search-hit");
    var head = el("p", "search-hit-head");
    var link = el("a", "", r.t);
    link.href = base + r.u;
    head.appendChild(link);
    head.appendChild(el("span", "badge badge-" + r.y.toLowerCase(), r.y));
    if (r.d) head.appendChild(el("span", "search-date", r.d));
    item.appendChild(head);
    if (r.c) item.appendChild(el("p", "search-context", "In " + r.c));
    item.appendChild(excerpt(r.x, query, 32));
    return item;
  }

  function status(text) {
    results.textContent = "";
    results.appendChild(el("p", "search-status", text));
  }

  // Each facet's values with how many results each would give: the
  // results of every other facet's selection, as in a shop's filters.
  function drawFacets(found) {
    facets.textContent = "";
    ORDER.forEach(function (key) {
      var values = meta.facets[key];
      if (!values || !values.length) return;
      // Walk each value's list (short) rather than the results (maybe
      // every record) times the values.
      var counts = {};
      values.forEach(function (v) {
        var n = 0;
        meta.lists[key][v[0]].forEach(function (id) {
          if ((!found || found.has(id)) && passes(id, key)) n += 1;
        });
        counts[v[0]] = n;
      });
      var set = el("fieldset", "search-facet");
      set.appendChild(el("legend", "", LABELS[key] || key));
      var shown = values.map(function (v) { return v[0]; }).filter(function (value) {
        return counts[value] > 0 || (selected[key] || []).indexOf(value) >= 0;
      });
      if (!shown.length) return;
      shown.sort(function (a, b) {
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
        var label = el("label", "", value + " ");
        label.htmlFor = id;
        label.appendChild(el("span", "count", "(" + counts[value] + ")"));
        row.appendChild(box);
        row.appendChild(label);
        set.appendChild(row);
      });
      facets.appendChild(set);
    });
  }

  function anySelected() {
    return Object.keys(selected).some(function (k) { return selected[k].length; });
  }

  function run() {
    var query = input.value.trim();
    var mine = ++serial;
    var url = new URL(location.href);
    if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
    history.replaceState(null, "", url);
    var queryWords = words(query);
    if (!queryWords.length && !anySelected()) {
      drawFacets(null);
      status("Type a word, a name, a hash or a phrase.");
      return;
    }
    matchAll(query).then(function (found) {
      if (mine !== serial) return;
      drawFacets(found);
      var ids;
      if (found) {
        ids = Array.from(found.keys()).filter(function (id) { return passes(id, null); });
        ids.sort(function (a, b) { return found.get(b) - found.get(a) || a - b; });
      } else {
        ids = [];
        for (var id = 0; id < meta.records; id++) if (passes(id, null)) ids.push(id);
      }
      // The new results replace the old ones only once their records are
      // here, so the list never flickers empty and the count never shows
      // before the hits it counts.
      var line = el("p", "search-status");
      var list = el("ol", "search-list");
      var more = el("button", "search-more", "Show more results");
      more.type = "button";
      var shown = 0;
      function page() {
        var next = ids.slice(shown, shown + PAGE);
        return Promise.all(next.map(record)).then(function (records) {
          if (mine !== serial) return;
          records.forEach(function (r) { list.appendChild(hit(r, queryWords)); });
          shown += next.length;
          line.textContent = ids.length === 0 ? "No results." :
            ids.length + (ids.length === 1 ? " result" : " results") +
            (ids.length > shown ? "; the first " + shown + " are shown." : ".");
          more.hidden = shown >= ids.length;
        });
      }
      more.addEventListener("click", function () { page(); });
      return page().then(function () {
        if (mine !== serial) return;
        results.textContent = "";
        results.appendChild(line);
        results.appendChild(list);
        results.appendChild(more);
      });
    }).catch(failed);
  }

  function failed(error) {
    status("Search could not start: " + (error && error.message ? error.message : error) +
      ". It needs the files under " + folder + ".");
  }

  status("Loading the search index…");
  fetch(folder + "meta.json", { cache: "no-cache" }).then(function (r) {
    if (!r.ok) throw new Error("meta.json: HTTP " + r.status);
    return r.json();
  }).then(function (m) {
    if (m.format !== FORMAT) throw new Error("the index has format " + m.format + ", this page reads " + FORMAT);
    meta = m;
    groups = decodeIds(m.groups);
    m.shards.forEach(function (k) { shardNames[k] = true; });
    meta.lists = {};
    meta.sets = {};
    var facetValues = {};
    Object.keys(m.facets).forEach(function (key) {
      meta.lists[key] = {};
      meta.sets[key] = {};
      facetValues[key] = m.facets[key].map(function (v) {
        var ids = decodeIds(v[1]);
        meta.lists[key][v[0]] = ids;
        meta.sets[key][v[0]] = new Set(ids);
        return [v[0]];
      });
    });
    meta.facets = facetValues;
    var q = new URL(location.href).searchParams.get("q");
    if (q) input.value = q;
    var timer = 0;
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 150); });
    form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
    run();
  }).catch(failed);
})();
