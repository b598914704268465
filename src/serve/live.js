// Live reload for `dossier serve`, injected into every HTML page the
// server sends (never into `build` output). It listens on a WebSocket and
// reloads the page, swaps stylesheets, or shows the build errors.
(() => {
  "use strict";
  const key = "dossier-scroll:" + location.pathname;
  const saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    const [x, y] = saved.split(",").map(Number);
    addEventListener("load", () => scrollTo(x, y));
  }

  const here = location.pathname.replace(/index\.html$/, "");
  let overlay = null;

  function reload() {
    sessionStorage.setItem(key, scrollX + "," + scrollY);
    location.reload();
  }

  function swapStylesheets(paths) {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href);
      if (paths.some((p) => url.pathname === p)) {
        url.searchParams.set("dossier-reload", Date.now());
        link.href = url.toString();
      }
    }
  }

  function showErrors(text) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.setAttribute("role", "alert");
      overlay.id = "dossier-error-overlay";
      // Set through the CSSOM, which a strict Content-Security-Policy allows.
      Object.assign(overlay.style, {
        position: "fixed", inset: "0", zIndex: "2147483647", overflow: "auto",
        background: "rgba(20, 20, 24, 0.94)", color: "#f4f4f4", padding: "2rem",
        font: "14px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
      });
      const title = document.createElement("p");
      title.textContent = "dossier: the last change does not build. The page below is the last good version.";
      Object.assign(title.style, { color: "#ff8a80", fontWeight: "bold", margin: "0 0 1rem" });
      const close = document.createElement("button");
      close.type = "button";
      close.textContent = "Hide";
      close.addEventListener("click", () => { overlay.style.display = "none"; });
      Object.assign(close.style, { float: "right", font: "inherit" });
      const pre = document.createElement("pre");
      pre.className = "dossier-errors";
      Object.assign(pre.style, { whiteSpace: "pre-wrap", margin: "0" });
      overlay.append(close, title, pre);
      document.body.append(overlay);
    }
    overlay.style.display = "block";
    overlay.querySelector("pre").textContent = text;
  }

  function concerns(paths) {
    return paths.some((p) => p === here || !/\/$|\.html$|\.xml$|\.txt$/.test(p));
  }

  let connected = false;
  let retry = 250;
  function connect() {
    const socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/__dossier/ws");
    socket.addEventListener("open", () => { retry = 250; });
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(event.data);
      switch (message.type) {
        case "hello":
          // After the server restarted, the page may be stale: reload once.
          if (connected && message.error === null) reload();
          connected = true;
          if (message.error !== null) showErrors(message.error);
          break;
        case "reload":
          if (overlay || message.all || concerns(message.paths)) reload();
          break;
        case "css":
          swapStylesheets(message.paths);
          break;
        case "error":
          showErrors(message.text);
          break;
      }
    });
    socket.addEventListener("close", () => {
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 2000);
    });
  }
  connect();
})();
