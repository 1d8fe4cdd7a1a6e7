#!/usr/bin/env node
// Checks a static site folder in a real browser (Debian's Chromium, driven by
// playwright-core) and prints one JSON object on stdout.
//
// Why a script of its own: the web edition must pass what a resident's browser
// sees, not what the HTML source promises. For every .html page under the folder it
//   - runs axe-core at WCAG 2.0/2.1 A and AA (JIS X 8341-3:2016 asks for AA),
//   - records and blocks every request that leaves the site (the edition must be
//     readable offline and leak nothing to third parties),
//   - records requests to the site that fail (a missing stylesheet or font),
//   - checks every internal href/src: the file exists and a #fragment names an id
//     on the target page,
//   - optionally takes full-page screenshots at given widths.
// tests/browser.py runs it; by hand:
//   node tests/browser/check_site.mjs build/2021/web --screenshots /tmp/shots
//
// Exit status: 0 when the check ran (whatever it found), 2 for bad usage, 1 when
// the browser could not do its work (the reason is on stderr).

import { createServer } from "node:http";
import { createReadStream, existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);

const USAGE = `usage: check_site.mjs SITE_DIR [--file] [--screenshots OUT_DIR] [--widths 1280,375]
                     [--screenshot-page PAGE]... [--viewport 1280] [--chromium PATH]
                     [--page-timeout-ms 30000] [--total-timeout-ms 300000]`;

const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

// Flags for Chromium as root on a machine without a network: without the
// background-networking ones Chromium keeps trying to reach Google's hosts.
// The fresh profile is the --user-data-dir given to launchPersistentContext.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const CONTENT_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".htm": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".csv": "text/csv; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".xml": "application/xml",
  ".pdf": "application/pdf",
  ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".otf": "font/otf",
};

function usageError(message) {
  process.stderr.write(`check_site: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const options = {
    site: null,
    mode: "http",
    screenshots: null,
    widths: [1280, 375],
    screenshotPages: [],
    viewport: 1280,
    chromium: "/usr/bin/chromium",
    pageTimeoutMs: 30000,
    totalTimeoutMs: 300000,
  };
  const positive = (name, value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) usageError(`${name}: found '${value}'; expected a positive whole number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usageError(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === "--file") options.mode = "file";
    else if (arg === "--screenshots") options.screenshots = path.resolve(value());
    else if (arg === "--widths") options.widths = value().split(",").map((w) => positive("--widths", w));
    else if (arg === "--screenshot-page") options.screenshotPages.push(value());
    else if (arg === "--viewport") options.viewport = positive("--viewport", value());
    else if (arg === "--chromium") options.chromium = value();
    else if (arg === "--page-timeout-ms") options.pageTimeoutMs = positive(arg, value());
    else if (arg === "--total-timeout-ms") options.totalTimeoutMs = positive(arg, value());
    else if (arg.startsWith("--")) usageError(`unknown option ${arg}`);
    else if (options.site === null) options.site = path.resolve(arg);
    else usageError(`one site folder only; found a second: ${arg}`);
  }
  if (options.site === null) usageError("the site folder is missing");
  if (!existsSync(options.site) || !statSync(options.site).isDirectory())
    usageError(`${options.site}: not a folder`);
  if (!existsSync(options.chromium))
    usageError(`${options.chromium}: no Chromium there (Debian package chromium; make setup-test installs it)`);
  return options;
}

/** Every .html file under root, as slash-separated paths relative to root, sorted. */
function listPages(root) {
  const pages = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.html?$/i.test(entry.name)) pages.push(path.relative(root, full).split(path.sep).join("/"));
    }
  };
  walk(root);
  return pages.sort();
}

/**
 * The file a site-relative URL path names: a folder means its index.html.
 * Returns null for a path that climbs out of the site.
 */
function fileForPath(root, urlPath) {
  let relative;
  try {
    relative = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  const full = path.resolve(root, "." + path.posix.normalize("/" + relative));
  if (full !== root && !full.startsWith(root + path.sep)) return null;
  if (relative.endsWith("/") || (existsSync(full) && statSync(full).isDirectory())) return path.join(full, "index.html");
  return full;
}

/** A plain static file server on 127.0.0.1 and an ephemeral port, as a web host would serve the folder. */
function startServer(root) {
  const server = createServer((request, response) => {
    const urlPath = new URL(request.url, "http://127.0.0.1").pathname;
    const file = fileForPath(root, urlPath);
    if (file === null) {
      response.writeHead(403, { "Content-Type": "text/plain; charset=utf-8" }).end("outside the site\n");
      return;
    }
    if (!existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("not found\n");
      return;
    }
    const type = CONTENT_TYPES[path.extname(file).toLowerCase()] || "application/octet-stream";
    // nosniff: a file served with the wrong type fails here as it would on a real host.
    response.writeHead(200, {
      "Content-Type": type,
      "Content-Length": statSync(file).size,
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "no-store",
    });
    if (request.method === "HEAD") response.end();
    else createReadStream(file).pipe(response);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Runs in the page: every URL the page refers to, with the element and attribute;
// the ids a #fragment can name; the images that did not display.
async function collectReferences() {
  const XLINK = "http://www.w3.org/1999/xlink";
  const refs = [];
  const describe = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += `#${el.id}`;
    return text;
  };
  for (const el of document.querySelectorAll("*")) {
    for (const attribute of ["href", "src", "poster", "data"]) {
      const value = el.getAttribute(attribute);
      if (value !== null) refs.push({ element: describe(el), attribute, value });
    }
    const xlink = el.getAttributeNS(XLINK, "href");
    if (xlink !== null) refs.push({ element: describe(el), attribute: "xlink:href", value: xlink });
    for (const attribute of ["srcset", "imagesrcset"]) {
      const value = el.getAttribute(attribute);
      if (value === null) continue;
      for (const candidate of value.split(",")) {
        const url = candidate.trim().split(/\s+/)[0];
        if (url) refs.push({ element: describe(el), attribute, value: url });
      }
    }
  }
  const ids = [...document.querySelectorAll("[id]")].map((el) => el.id);
  const names = [...document.querySelectorAll("a[name]")].map((el) => el.getAttribute("name"));
  // A loaded image that cannot be decoded was served with the wrong type or is no image.
  const undecodable = [];
  await Promise.all(
    [...document.images]
      .filter((img) => img.complete && img.currentSrc)
      .map((img) => img.decode().catch(() => undecodable.push({ element: describe(img), attribute: "src", value: img.getAttribute("src"), url: img.currentSrc }))),
  );
  return { baseURI: document.baseURI, refs, anchors: [...ids, ...names], undecodable };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const watchdog = setTimeout(() => {
    process.stderr.write(`check_site: gave up after ${options.totalTimeoutMs} ms (--total-timeout-ms)\n`);
    process.exit(1);
  }, options.totalTimeoutMs);

  const root = realpathSync(options.site); // symlinks resolved, so that path comparisons hold
  const pages = listPages(root);
  const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  const axeVersion = JSON.parse(readFileSync(require.resolve("axe-core/package.json"), "utf8")).version;
  const { chromium } = await import("playwright-core");

  let server = null;
  let baseUrl;
  if (options.mode === "http") {
    server = await startServer(root);
    baseUrl = `http://127.0.0.1:${server.address().port}/`;
  } else {
    baseUrl = pathToFileURL(root + path.sep).href;
  }
  const isLocal = (url) => url.startsWith(baseUrl);
  /** The path of a local URL inside the site, still percent-encoded: "a/b.html". */
  const sitePath = (url) => new URL(url).pathname.slice(new URL(baseUrl).pathname.length);

  const report = {
    site: root,
    mode: options.mode,
    base_url: baseUrl,
    browser: null,
    axe_version: axeVersion,
    axe_tags: AXE_TAGS,
    pages: [],
    violations: [],
    incomplete: [],
    external_requests: [],
    failed_requests: [],
    broken_links: [],
    external_references: [],
    page_errors: [],
    screenshots: [],
    launch_ms: null, // starting Chromium, from the script's start
    elapsed_ms: null,
  };

  const profile = mkdtempSync(path.join(tmpdir(), "check-site-profile-"));
  let context = null;
  try {
    context = await withTimeout(
      chromium.launchPersistentContext(profile, {
        executablePath: options.chromium,
        headless: true,
        args: CHROMIUM_ARGS,
        viewport: { width: options.viewport, height: 800 },
        serviceWorkers: "block",
        timeout: options.pageTimeoutMs,
      }),
      options.pageTimeoutMs + 5000,
      "starting Chromium",
    );
    report.browser = context.browser()?.version() ?? null;
    report.launch_ms = Date.now() - started;
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(options.pageTimeoutMs);

    let current = null; // the page being checked, for the handlers below
    // Only what leaves the site is intercepted (Chromium cannot continue an intercepted file:// request).
    await context.route(
      (url) => !isLocal(url.href),
      (route) => {
        const url = route.request().url();
        // One entry per page and address (axe-core fetches a page's stylesheets again).
        if (!report.external_requests.some((r) => r.page === current && r.url === url))
          report.external_requests.push({ page: current, url, resource_type: route.request().resourceType() });
        return route.abort("blockedbyclient");
      },
    );
    // Failures count only while the page loads: axe-core itself re-fetches stylesheets
    // afterwards, which a file:// page refuses, and that is not the site's fault.
    let loading = false;
    const failed = (request, reason) => {
      const seen = report.failed_requests.some((r) => r.page === current && r.url === request.url());
      if (loading && isLocal(request.url()) && !seen) // a 404 is often followed by an abort: one entry
        report.failed_requests.push({ page: current, url: request.url(), resource_type: request.resourceType(), reason });
    };
    page.on("response", (response) => {
      if (response.status() >= 400) failed(response.request(), `HTTP ${response.status()}`);
    });
    page.on("requestfailed", (request) => failed(request, request.failure()?.errorText ?? "failed"));
    page.on("pageerror", (error) => report.page_errors.push({ page: current, message: String(error.message || error) }));

    const anchorsByFile = new Map(); // absolute file path -> Set of ids
    const pendingFragments = []; // fragment checks, done once every page's ids are known

    for (const pagePath of pages) {
      current = pagePath;
      const url = new URL(pagePath.split("/").map(encodeURIComponent).join("/"), baseUrl).href;
      const entry = { page: pagePath, url, title: null, violations: 0, ms: null };
      const pageStarted = Date.now();
      report.pages.push(entry);
      loading = true;
      try {
        await page.goto(url, { waitUntil: "load", timeout: options.pageTimeoutMs });
      } catch (error) {
        report.page_errors.push({ page: pagePath, message: `could not load: ${error.message.split("\n")[0]}` });
        continue;
      } finally {
        loading = false;
      }
      entry.title = await page.title();

      await page.evaluate(`${axeSource}\n;void 0`); // evaluated through the DevTools protocol: no CSP gets in the way
      const axe = await withTimeout(
        page.evaluate(
          (tags) =>
            window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations", "incomplete"] }),
          AXE_TAGS,
        ),
        options.pageTimeoutMs,
        `axe-core on ${pagePath}`,
      );
      const simplify = (result) => ({
        page: pagePath,
        rule: result.id,
        impact: result.impact,
        help: result.help,
        help_url: result.helpUrl,
        targets: result.nodes.map((node) => node.target.map(String).join(" ")),
        summaries: result.nodes.map((node) => node.failureSummary ?? ""),
      });
      report.violations.push(...axe.violations.map(simplify));
      report.incomplete.push(...axe.incomplete.map(simplify));
      entry.violations = axe.violations.length;

      const { baseURI, refs, anchors, undecodable } = await page.evaluate(collectReferences);
      for (const { url: imageUrl, ...ref } of undecodable) {
        const file = isLocal(imageUrl) ? fileForPath(root, sitePath(imageUrl)) : null;
        if (file !== null && existsSync(file)) // a missing or outside file is reported below
          report.broken_links.push({ page: pagePath, ...ref, reason: "the image does not display (not an image, or served with the wrong type)" });
      }
      anchorsByFile.set(fileForPath(root, sitePath(url)), new Set(anchors));
      for (const ref of refs) {
        let target;
        try {
          target = new URL(ref.value, baseURI);
        } catch {
          report.broken_links.push({ page: pagePath, ...ref, reason: "not a valid URL" });
          continue;
        }
        if (!isLocal(target.href)) {
          if (target.protocol === "http:" || target.protocol === "https:")
            report.external_references.push({ page: pagePath, ...ref, url: target.href });
          else if (target.protocol === "file:")
            report.broken_links.push({ page: pagePath, ...ref, reason: "points outside the site folder" });
          continue; // mailto:, tel:, data: and the like need no file
        }
        const file = fileForPath(root, sitePath(target.href));
        if (file === null) {
          report.broken_links.push({ page: pagePath, ...ref, reason: "points outside the site folder" });
          continue;
        }
        if (!existsSync(file) || !statSync(file).isFile()) {
          report.broken_links.push({ page: pagePath, ...ref, reason: `no file ${path.relative(root, file)}` });
          continue;
        }
        const fragment = target.hash.slice(1);
        // HTML: an empty fragment and "top" scroll to the top without any id.
        if (fragment && fragment.toLowerCase() !== "top" && /\.html?$/i.test(file))
          pendingFragments.push({ page: pagePath, ...ref, file, fragment });
      }

      if (options.screenshots && (options.screenshotPages.length === 0 || options.screenshotPages.includes(pagePath))) {
        await mkdir(options.screenshots, { recursive: true });
        for (const width of options.widths) {
          await page.setViewportSize({ width, height: 800 });
          const out = path.join(options.screenshots, `${pagePath.replace(/\.html?$/i, "").replaceAll("/", "__")}-${width}.png`);
          await page.screenshot({ path: out, fullPage: true, timeout: options.pageTimeoutMs });
          report.screenshots.push({ page: pagePath, width, path: out });
        }
        await page.setViewportSize({ width: options.viewport, height: 800 });
      }
      entry.ms = Date.now() - pageStarted;
    }

    for (const { file, fragment, ...ref } of pendingFragments) {
      let id;
      try {
        id = decodeURIComponent(fragment);
      } catch {
        id = fragment;
      }
      const anchors = anchorsByFile.get(file);
      if (anchors === undefined)
        report.broken_links.push({ ...ref, reason: `${path.relative(root, file)} could not be loaded to look for #${id}` });
      else if (!anchors.has(id))
        report.broken_links.push({ ...ref, reason: `no id="${id}" in ${path.relative(root, file)}` });
    }
  } catch (error) {
    process.stderr.write(`check_site: ${error.message.split("\n")[0]}\n`);
    process.exitCode = 1;
  } finally {
    if (context) await context.close().catch(() => {});
    if (server) server.close();
    rmSync(profile, { recursive: true, force: true });
    clearTimeout(watchdog);
  }
  if (process.exitCode === 1) return;
  report.elapsed_ms = Date.now() - started;
  process.stdout.write(JSON.stringify(report, null, 1) + "\n");
}

await main();
