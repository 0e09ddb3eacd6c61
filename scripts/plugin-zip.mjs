// Builds dist/batchkeys.zip: the WordPress plugin as a site owner installs it (Plugins > Add New >
// Upload), holding only runtime files under one top folder `batchkeys/`. The TSX sources, the
// webpack and TypeScript configuration and the tests stay out. Run `npm run plugin:build` first.
//
// adm-zip comes with @wordpress/scripts (its own `plugin-zip` command uses it), so no extra
// dependency and no system `zip` command are needed.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import AdmZip from 'adm-zip';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pluginDir = join(root, 'plugin');
const out = join(root, process.argv[2] ?? join('dist', 'batchkeys.zip'));

/** What a running plugin needs, and nothing else. */
const FILES = ['batchkeys.php', 'uninstall.php', 'readme.txt'];
const FOLDERS = ['includes', 'build', 'languages'];
const SCREENS = ['keys', 'products', 'settings', 'privacy'];

function fail(message) {
  console.error(`plugin:zip: ${message}`);
  process.exit(1);
}

function walk(dir) {
  const files = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue; // .DS_Store, editor swap files, .gitkeep
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...walk(path));
    else if (!name.endsWith('.map')) files.push(path);
  }
  return files;
}

for (const screen of SCREENS) {
  for (const file of ['index.js', 'index.asset.php']) {
    if (!existsSync(join(pluginDir, 'build', screen, file))) fail(`plugin/build/${screen}/${file} is missing: run \`npm run plugin:build\` first.`);
  }
}

const files = [
  ...FILES.map((f) => join(pluginDir, f)).filter((f) => existsSync(f) || fail(`plugin/${relative(pluginDir, f)} is missing.`)),
  ...FOLDERS.filter((d) => existsSync(join(pluginDir, d))).flatMap((d) => walk(join(pluginDir, d))),
];

const zip = new AdmZip();
for (const file of files) {
  const name = `batchkeys/${relative(pluginDir, file).split(sep).join('/')}`;
  zip.addFile(name, readFileSync(file));
  // Stable dates, so two builds of the same files give the same zip.
  zip.getEntry(name).header.time = new Date('2020-01-01T00:00:00Z');
}
mkdirSync(dirname(out), { recursive: true });
zip.writeZip(out);
console.log(`plugin:zip: wrote ${relative(root, out)} (${files.length} files, ${Math.round(statSync(out).size / 1024)} KiB)`);
