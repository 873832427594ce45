// Each screen's share of the download: the wasm is built once as it is and
// once per screen with that screen's routes in `app/src/shell.rs` answered by
// an empty view, so the linker drops every byte only that screen needs. The
// difference in brotli bytes is the screen's share. Run from the workspace
// root: `node bench/screens.mjs` (about 2 minutes per build; eight builds).
// The last build answers every one of these screens' routes with an empty
// view at once: what is left is the shell (start, sync, store, lock, the
// welcome and crisis screens), the floor under the first visit that no
// screen's cut can go below. `NIMO_SCREENS=shell` builds only that and the
// whole app. The source file is restored afterwards, also when a build fails.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const SHELL = 'app/src/shell.rs';
const SIZES = 'target/xtask/sizes.json';

// Routes by screen, as the `Screen` component matches them.
const SCREENS = {
  'contact form (+ visit report)': ['Route::NewContact ', 'Route::NewContactFromFinder', 'Route::Contact(id)', 'Route::VisitReport(id)'],
  'records list': ['Route::Records |'],
  'window finder': ['Route::Windows '],
  'directory (+ editor, import)': ['Route::Window(id)', 'Route::Directory ', 'Route::NewWindow', 'Route::EditWindow(id)', 'Route::Import'],
  '協議の場 (meetings, items, report)': ['Route::Meetings ', 'Route::NewMeeting', 'Route::Meeting(id)', 'Route::Item(id)', 'Route::Report'],
  'settings': ['Route::Settings'],
};

function wasmBrotli() {
  execFileSync('cargo', ['xtask', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const sizes = JSON.parse(readFileSync(SIZES, 'utf8'));
  const wasm = sizes.find((f) => f.file.endsWith('.wasm'));
  const firstVisit = sizes.filter((f) => f.first_visit).reduce((sum, f) => sum + f.brotli, 0);
  return { wasm: wasm.brotli, firstVisit };
}

function stubbed(source, prefixes) {
  const lines = source.split('\n').map((line) => {
    const arm = line.trimStart();
    if (!prefixes.some((p) => arm.startsWith(p))) return line;
    const at = line.indexOf('=>');
    return `${line.slice(0, at)}=> ().into_any(),`;
  });
  const changed = lines.filter((l, i) => l !== source.split('\n')[i]).length;
  if (changed !== prefixes.length) throw new Error(`expected ${prefixes.length} routes, stubbed ${changed}: has shell.rs changed?`);
  return lines.join('\n');
}

const original = readFileSync(SHELL, 'utf8');
const rows = [];
try {
  const whole = wasmBrotli();
  const only = process.env.NIMO_SCREENS === 'shell' ? [] : Object.entries(SCREENS);
  for (const [name, prefixes] of only) {
    writeFileSync(SHELL, stubbed(original, prefixes));
    const without = wasmBrotli();
    rows.push([name, whole.wasm - without.wasm]);
    console.error(`${name}: ${whole.wasm - without.wasm} B`);
  }
  writeFileSync(SHELL, stubbed(original, Object.values(SCREENS).flat()));
  const shell = wasmBrotli();
  writeFileSync(SHELL, original);
  console.log(`wasm: ${whole.wasm.toLocaleString('en')} B brotli; first visit: ${whole.firstVisit.toLocaleString('en')} B brotli`);
  console.log(`the shell alone (every screen above empty): wasm ${shell.wasm.toLocaleString('en')} B brotli; first visit ${shell.firstVisit.toLocaleString('en')} B brotli\n`);
  console.log('| screen | its share of the wasm (B brotli) |');
  console.log('|---|---:|');
  for (const [name, bytes] of rows) console.log(`| ${name} | ${bytes.toLocaleString('en')} |`);
} finally {
  writeFileSync(SHELL, original);
  // Leave dist/ as it is in the source.
  if (readFileSync(SHELL, 'utf8') === original) execFileSync('cargo', ['xtask', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
}
