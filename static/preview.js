// Previews: hovering or focusing a link to an item, a citation [n] or an
// annotation shows a small card (title, date, summary or note). The card is
// built from pages the build already wrote, so it shows nothing a reader
// could not open; without JavaScript the links simply work as links.
(function () {
  "use strict";
  var card = null;
  var owner = null;
  var hideTimer = 0;
  var pages = new Map();
  var base = (document.querySelector('link[rel="icon"]') || {}).href || location.href;
  var root = new URL(".", new URL(base, location.href)).pathname;

  function isPreviewable(a) {
    var href = a.getAttribute("href") || "";
    if (a.closest(".site-header, .site-footer, .pager, .year-nav, .kind-nav, #preview-card")) {
      return false;
    }
    if (/^#ref-\d+$/.test(href)) return true;
    var url = new URL(a.href, location.href);
    if (url.origin !== location.origin) return false;
    var rest = url.pathname.slice(root.length);
    return url.pathname.indexOf(root) === 0 && /^(articles|incidents|entities)\/[^/]+\/$/.test(rest);
  }

  function fetchPage(url) {
    if (!pages.has(url)) {
      pages.set(url, fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) { return new DOMParser().parseFromString(html, "text/html"); })
        .catch(function () { return null; }));
    }
    return pages.get(url);
  }

  function text(el, limit) {
    var t = el ? el.textContent.replace(/\s+/g, " ").trim() : "";
    return t.length > limit ? t.slice(0, limit - 1).replace(/\s+\S*$/, "") + "…" : t;
  }

  function fill(parts) {
    card.textContent = "";
    parts.forEach(function (p) {
      if (!p.text) return;
      var el = document.createElement(p.tag);
      el.className = p.cls;
      el.textContent = p.text;
      card.appendChild(el);
    });
  }

  function content(a) {
    var href = a.getAttribute("href");
    if (/^#ref-/.test(href)) {
      var li = document.getElementById(href.slice(1));
      return Promise.resolve([{ tag: "p", cls: "preview-body", text: text(li, 300) }]);
    }
    var url = new URL(a.href, location.href);
    var hash = decodeURIComponent(url.hash.slice(1));
    url.hash = "";
    return fetchPage(url.href).then(function (doc) {
      if (!doc) return [];
      var note = hash ? doc.getElementById("note-" + hash) : null;
      var title = doc.querySelector("main h1");
      var date = doc.querySelector("main header time, main .dates time");
      var summary = doc.querySelector('meta[name="description"]');
      var lead = doc.querySelector("main .lead, main .summary p");
      return [
        { tag: "p", cls: "preview-title", text: text(title, 120) },
        { tag: "p", cls: "preview-date", text: text(date, 40) },
        { tag: "p", cls: "preview-body", text: note ? text(note.querySelector(".note-body") || note, 300)
          : text(lead, 300) || (summary ? summary.getAttribute("content") : "") },
      ];
    });
  }

  function place(a) {
    var r = a.getBoundingClientRect();
    var width = Math.min(360, document.documentElement.clientWidth - 16);
    var left = Math.max(8, Math.min(r.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - width - 8));
    card.style.width = width + "px";
    card.style.left = left + "px";
    card.style.top = (r.bottom + window.scrollY + 6) + "px";
  }

  function show(a) {
    clearTimeout(hideTimer);
    if (owner === a) return;
    hide();
    owner = a;
    if (!card) {
      card = document.createElement("div");
      card.id = "preview-card";
      card.className = "preview-card";
      card.setAttribute("role", "tooltip");
      card.addEventListener("pointerenter", function () { clearTimeout(hideTimer); });
      card.addEventListener("pointerleave", scheduleHide);
      document.body.appendChild(card);
    }
    content(a).then(function (parts) {
      if (owner !== a || !parts.some(function (p) { return p.text; })) return;
      fill(parts);
      place(a);
      card.hidden = false;
      a.setAttribute("aria-describedby", "preview-card");
    });
  }

  function hide() {
    if (owner) owner.removeAttribute("aria-describedby");
    owner = null;
    if (card) card.hidden = true;
  }

  function scheduleHide() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, 200);
  }

  function target(event) {
    var a = event.target.closest ? event.target.closest("main a[href]") : null;
    return a && isPreviewable(a) ? a : null;
  }

  document.addEventListener("pointerover", function (e) { var a = target(e); if (a) show(a); });
  document.addEventListener("pointerout", function (e) { if (target(e)) scheduleHide(); });
  document.addEventListener("focusin", function (e) { var a = target(e); if (a) show(a); else hide(); });
  document.addEventListener("focusout", function (e) { if (target(e)) scheduleHide(); });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") hide(); });
})();
