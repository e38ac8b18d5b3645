// Validates AsyncAPI documents with the official parser (npm @asyncapi/parser) and prints, as
// JSON on stdout, each document's diagnostics and how many operations each channel has.
// Usage: node asyncapi_validate.mjs <document.json>...   (CPPCC_NODE_DIR: where the parser is)
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

const dir = process.env.CPPCC_NODE_DIR || join(homedir(), ".cache", "cppcc", "node");
const require = createRequire(join(dir, "package.json"));
const { Parser } = require("@asyncapi/parser");
const SEVERITY = ["error", "warning", "info", "hint"];

const parser = new Parser();
const results = {};
for (const path of process.argv.slice(2)) {
  const { document, diagnostics } = await parser.parse(readFileSync(path, "utf-8"));
  const operations = {};
  if (document) {
    for (const channel of document.channels().all()) {
      operations[channel.address()] = channel.operations().all().map((o) => o.action());
    }
  }
  results[path] = {
    parsed: Boolean(document),
    diagnostics: diagnostics.map((d) => ({
      severity: SEVERITY[d.severity] ?? String(d.severity),
      code: String(d.code),
      message: d.message,
      path: d.path.join("/"),
    })),
    operations,
  };
}
process.stdout.write(JSON.stringify(results));
