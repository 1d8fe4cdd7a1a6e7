// How wide a page's tables are laid out, in headless Chromium (Debian's), at each viewport width.
//
//   node tests/browser/table_widths.mjs PAGE.html [--widths 1280,375]
//
// Prints one JSON object: {"<width>": {"page": scrollWidth of the document,
// "tables": [{"id", "width" (the table's own width), "region" (its
// .table-scroll's visible width)}]}}.  Used by tests/test_long_text.py to
// see that a string with no break opportunity wraps instead of widening its table.
import { pathToFileURL } from "node:url";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const args = process.argv.slice(2);
const file = args[0];
const widthsAt = args.indexOf("--widths");
const widths = (widthsAt >= 0 ? args[widthsAt + 1] : "1280,375").split(",").map(Number);

const { chromium } = await import("playwright-core");
const profile = mkdtempSync(path.join(tmpdir(), "table-widths-profile-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
const out = {};
try {
  const page = context.pages()[0] ?? (await context.newPage());
  for (const width of widths) {
    await page.setViewportSize({ width, height: 800 });
    await page.goto(pathToFileURL(path.resolve(file)).href);
    out[width] = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      tables: [...document.querySelectorAll("table")].map((t) => ({
        id: t.id || t.className,
        width: t.getBoundingClientRect().width,
        region: t.closest(".table-scroll")?.clientWidth ?? null,
      })),
    }));
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(out));
