// Build Wrekin's static front end into wrekin/core/static/wrekin/build/.
//
//   npm ci && npm run build        (or: node frontend/build.mjs [--clean])
//
// - frontend/scss/wrekin.scss -> wrekin.css (Dart Sass, compressed)
// - frontend/js/wrekin.js plus the ES module builds of GOV.UK Frontend and MoJ
//   Frontend it imports, and htmx, copied unbundled (no bundler needed)
// - Cytoscape.js and frontend/js/network.js for the network page
// - frontend/js/webauthn.js for the passkey pages (sign-in, confirm it's you, add a passkey)
// - only the images the stylesheet refers to, plus Wrekin's favicon
//
// No fonts are copied: Wrekin uses Arial, not GDS Transport.
// The output directory is generated, never committed (.gitignore).

import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import * as sass from "sass";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const nodeModules = join(root, "node_modules");
const source = join(root, "frontend");
const out = join(root, "wrekin", "core", "static", "wrekin", "build");

const govukDist = join(nodeModules, "govuk-frontend", "dist", "govuk");
const mojDist = join(nodeModules, "@ministryofjustice", "frontend", "moj");

// Where images referenced from the stylesheet may come from, in order of preference.
const imageSources = [join(source, "images"), join(mojDist, "assets", "images"), join(govukDist, "assets", "images")];

function fail(message) {
  console.error(`frontend build: ${message}`);
  process.exit(1);
}

function copy(from, to) {
  if (!existsSync(from)) {
    fail(`missing ${relative(root, from)}: run "npm ci" first`);
  }
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}

if (!existsSync(nodeModules)) {
  fail('node_modules is missing: run "npm ci" first');
}

rmSync(out, { recursive: true, force: true });
if (process.argv.includes("--clean")) {
  console.log(`removed ${relative(root, out)}`);
  process.exit(0);
}
mkdirSync(out, { recursive: true });

// 1. Styles. The project root is on the load path too, because MoJ Frontend
//    loads GOV.UK Frontend as "node_modules/govuk-frontend/dist/govuk/base".
const warnings = [];
const ownPartials = join("frontend", "scss", "components");
let libraryNotices = 0;
const result = sass.compile(join(source, "scss", "wrekin.scss"), {
  loadPaths: [nodeModules, root],
  style: "compressed",
  quietDeps: true, // the libraries' own deprecation notices are not ours to fix
  logger: {
    warn(message, { deprecation, span, stack }) {
      // Warnings raised inside GOV.UK or MoJ Frontend by their own code (for
      // example MoJ Frontend 11 still calls a mixin GOV.UK Frontend 6 deprecates)
      // are counted, not shown; a warning that our Sass triggers is shown.
      const file = span && span.url ? fileURLToPath(span.url) : "";
      const ours = (file && !file.startsWith(nodeModules)) || (stack || "").includes(ownPartials);
      if (!ours) {
        libraryNotices += 1;
        return;
      }
      const where = span && span.url ? ` (${relative(root, fileURLToPath(span.url))}:${span.start.line + 1})` : "";
      warnings.push(`${deprecation ? "deprecation" : "warning"}: ${message}${where}\n${stack || ""}`);
    },
  },
});
for (const warning of warnings) {
  console.warn(warning);
}
if (libraryNotices) {
  console.log(`(${libraryNotices} notice(s) raised by GOV.UK/MoJ Frontend's own Sass not shown)`);
}
writeFileSync(join(out, "wrekin.css"), result.css + "\n");

// 2. Images the stylesheet refers to (relative to the stylesheet), and nothing else.
const urls = new Set();
for (const match of result.css.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)) {
  const url = match[1];
  if (url.startsWith("data:") || url.startsWith("#")) continue;
  if (/^([a-z]+:)?\/\//i.test(url) || url.startsWith("/")) {
    fail(`the stylesheet refers to ${url}: use a path relative to the stylesheet`);
  }
  urls.add(url);
}
for (const url of urls) {
  const name = url.replace(/^images\//, "");
  const from = imageSources.map((dir) => join(dir, name)).find((path) => existsSync(path));
  if (!url.startsWith("images/") || !from) {
    fail(`the stylesheet refers to ${url}, which no image source provides`);
  }
  copy(from, join(out, "images", name));
}
for (const name of readdirSync(join(source, "images"))) {
  copy(join(source, "images", name), join(out, "images", name));
}

// 3. Scripts: ES modules for GOV.UK Frontend and MoJ Frontend (with their
//    source maps, which the minified files name), Wrekin's starter, and htmx.
copy(join(govukDist, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
copy(join(govukDist, "govuk-frontend.min.js.map"), join(out, "govuk-frontend.min.js.map"));
copy(join(mojDist, "moj-frontend.min.js"), join(out, "moj-frontend.min.js"));
copy(join(mojDist, "moj-frontend.min.js.map"), join(out, "moj-frontend.min.js.map"));
copy(join(source, "js", "wrekin.js"), join(out, "wrekin.js"));
copy(join(source, "js", "webauthn.js"), join(out, "webauthn.js")); // passkeys: loaded only by the pages that offer them
copy(join(nodeModules, "htmx.org", "dist", "htmx.min.js"), join(out, "htmx.min.js"));
// The network page's canvas: Cytoscape.js (UMD build, defines window.cytoscape) and the script that
// draws the graph from the page's JSON data block. Loaded only by the network page.
copy(join(nodeModules, "cytoscape", "dist", "cytoscape.min.js"), join(out, "cytoscape.min.js"));
copy(join(source, "js", "network.js"), join(out, "network.js"));

// Summary.
function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
for (const path of walk(out).sort()) {
  console.log(`${String(Math.round(statSync(path).size / 1024)).padStart(5)} KB  ${relative(root, path)}`);
}
