// `npm start` builds only when the sources changed since the last build: `npm install` has just
// built (prepare), and compiling again would only make the first start slower.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const output = path.join(root, 'dist', 'cli', 'main.js');

function newestMtime(entry) {
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...fs.readdirSync(entry).map((name) => newestMtime(path.join(entry, name))));
}

const built = fs.existsSync(output) ? fs.statSync(output).mtimeMs : -1;
const sources = Math.max(newestMtime(path.join(root, 'src')), newestMtime(path.join(root, 'tsconfig.json')), newestMtime(path.join(root, 'package.json')));
if (built >= sources) {
  console.error('build is up to date');
} else {
  console.error('building (sources changed since the last build)');
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
}
