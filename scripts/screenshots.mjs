// Screenshots of the built example, for looking at the theme (see
// scripts/screenshots, which builds the sites and calls this).
//
//   node scripts/screenshots.mjs OUT SITE [AMBER_SITE] [--all] [--extra NAME=DIR ...]
//
// Serves SITE (and AMBER_SITE) over plain HTTP on loopback, opens each page in
// the system Chromium at 390 and 1280 px, light and dark, and writes
// OUT/<page>-<width>-<scheme>.png (the whole page); on the search page it
// types a query first and says how many results showed. Shoots a link
// preview card (preview-<width>-<scheme>.png, the window only). Prints an
// article to PDF with Chromium's own `--print-to-pdf`, the way a reader's
// "Save as PDF" does, and the TLP:AMBER article too (its banner must head
// every page); the first two pages of each become PNG.
// `--all` adds the other kinds of page (tags, ledger kinds, print, 404).
// `--extra NAME=DIR` serves one more built site and shoots the pages listed
// for NAME in EXTRA_PAGES: `paged` (the example with timeline_page_size: 2:
// the overview by year, year pages, pagers) and `large` (a synthetic
// dossier: the chart by year).

import { spawn } from "node:child_process";
import { createReadStream, existsSync, mkdirSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, resolve } from "node:path";
import { chromium } from "playwright-core";

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"];
const WIDTHS = [390, 1280];
const SCHEMES = ["light", "dark"];

const PAGES = [
  ["front", ""],
  ["timeline", "timeline/"],
  ["article", "articles/bangladesh-bank-heist/"],
  ["article-un-panel", "articles/un-panel-2bn-proceeds/"],
  ["incident", "incidents/bangladesh-bank-2016/"],
  ["entity", "entities/lazarus-group/"],
  ["search", "search/"],
  ["ledger", "annotations/"],
];

const MORE = [
  ["entities", "entities/"],
  ["tags", "tags/"],
  ["tag", "tags/sanctions/"],
  ["ledger-claims", "annotations/claims/"],
  ["print", "print/"],
  ["404", "404.html"],
];

const EXTRA_PAGES = {
  paged: [["timeline", "timeline/"], ["year", "timeline/2019/"], ["claims-page-2", "annotations/claims/page/2/"]],
  large: [["front", ""], ["timeline", "timeline/"]],
};

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".xml": "application/xml",
  ".wasm": "application/wasm",
};

/** A static host for `root`: a path ending in `/` means its index.html. */
function serve(root) {
  const server = createServer((req, res) => {
    let path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (path.endsWith("/")) path += "index.html";
    const file = normalize(join(root, path));
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { "Content-Type": "text/plain" });
      res.end("not found");
      return;
    }
    res.writeHead(200, { "Content-Type": TYPES[extname(file)] || "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

// `ONLY=article,ledger` limits a run to those pages (while iterating).
const ONLY = process.env.ONLY ? process.env.ONLY.split(",") : null;

async function shoot(browser, base, out, pages) {
  pages = pages.filter(([name]) => !ONLY || ONLY.includes(name));
  for (const width of WIDTHS) {
    for (const scheme of SCHEMES) {
      const context = await browser.newContext({
        viewport: { width, height: 900 },
        colorScheme: scheme,
        deviceScaleFactor: 1,
      });
      const page = await context.newPage();
      for (const [name, path] of pages) {
        await page.goto(base + path, { waitUntil: "load" });
        if (name === "search") await searchFor(page, "Lazarus");
        const file = join(out, `${name}-${width}-${scheme}.png`);
        await page.screenshot({ path: file, fullPage: true });
        const wide = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
        console.log(`${file}${wide > 0 ? `  (scrolls sideways by ${wide}px)` : ""}`);
      }
      await context.close();
    }
  }
}

/** A link preview (preview.js) shown by hovering a link in the article. */
async function shootPreview(browser, base, out) {
  if (ONLY && !ONLY.includes("preview")) return;
  for (const scheme of SCHEMES) {
    for (const width of WIDTHS) {
      const context = await browser.newContext({ viewport: { width, height: 700 }, colorScheme: scheme });
      const page = await context.newPage();
      await page.goto(base + "articles/bangladesh-bank-heist/", { waitUntil: "load" });
      const link = page.locator('main .prose a[href*="/incidents/"], main .prose a[href*="/entities/"]').first();
      await link.scrollIntoViewIfNeeded();
      await page.evaluate(() => window.scrollBy(0, -150));
      const card = page.locator(".preview-card:not([hidden])");
      // The first hover can come before preview.js listens: try twice.
      for (let tries = 0; tries < 2; tries++) {
        await page.mouse.move(0, 0);
        await link.hover();
        try {
          await card.waitFor({ timeout: 3000 });
          break;
        } catch {
          if (tries === 1) console.log("preview: no card appeared");
        }
      }
      const file = join(out, `preview-${width}-${scheme}.png`);
      await page.screenshot({ path: file });
      console.log(file);
      await context.close();
    }
  }
}

/** Types a query; says whether the page showed any result for it. */
async function searchFor(page, query) {
  const input = page.locator("#search-input");
  if (!(await input.count())) return;
  await input.fill(query);
  await page.waitForTimeout(1500);
  const results = await page.locator("#search-results > *").count();
  console.log(`search: ${results} result element(s) for "${query}"`);
}

/** Runs a program to its end (asynchronously: the server above must keep
 *  answering the browser meanwhile); resolves with its stderr. */
function run(program, args) {
  return new Promise((ok, fail) => {
    const child = spawn(program, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", fail);
    child.on("close", (code) => (code === 0 ? ok(stderr) : fail(new Error(`${program} failed:\n${stderr}`))));
  });
}

/** Chromium's own print to PDF, then the first pages as PNG (poppler). */
async function printPdf(url, out, name) {
  const pdf = join(out, `${name}.pdf`);
  await run(CHROMIUM, ["--headless", ...ARGS, "--no-pdf-header-footer", `--print-to-pdf=${pdf}`, url]);
  if (!existsSync(pdf)) throw new Error(`chromium wrote no ${pdf}`);
  await run("pdftoppm", ["-png", "-r", "80", "-f", "1", "-l", "2", pdf, join(out, name)]);
  console.log(`${pdf} (+ ${name}-1.png, ${name}-2.png)`);
}

async function main() {
  const args = process.argv.slice(2);
  const all = args.includes("--all");
  const extras = [];
  const positional = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--all") continue;
    if (args[i] === "--extra") {
      const [name, dir] = args[++i].split("=");
      extras.push([name, resolve(dir)]);
      continue;
    }
    positional.push(args[i]);
  }
  const [out, site, amber] = positional.map((p) => resolve(p));
  if (!out || !site) {
    console.error("usage: node scripts/screenshots.mjs OUT SITE [AMBER_SITE] [--all] [--extra NAME=DIR]");
    process.exit(2);
  }
  mkdirSync(out, { recursive: true });
  const servers = [];
  const base = async (root) => {
    const s = await serve(root);
    servers.push(s);
    return `http://127.0.0.1:${s.address().port}/`;
  };
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const main = await base(site);
    await shoot(browser, main, out, all ? PAGES.concat(MORE) : PAGES);
    await shootPreview(browser, main, out);
    await printPdf(main + "articles/bangladesh-bank-heist/", out, "article-print");
    if (all) await printPdf(main + "print/", out, "print-page");
    if (amber) {
      const restricted = await base(amber);
      await shoot(browser, restricted, out, [["amber-article", "articles/grey-lantern-assessment/"]]);
      await printPdf(restricted + "articles/grey-lantern-assessment/", out, "amber-article-print");
    }
    for (const [name, dir] of extras) {
      const url = await base(dir);
      await shoot(browser, url, out, EXTRA_PAGES[name].map(([page, path]) => [`${name}-${page}`, path]));
    }
  } finally {
    await browser.close();
    servers.forEach((s) => s.close());
  }
}

await main();
