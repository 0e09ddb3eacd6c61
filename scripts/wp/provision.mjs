// Provisions what a real WordPress needs on this kind of machine (Debian 12), from packages
// only, following ../shared/wordpress-env.md: PHP 8.2 and Chromium from Debian 12, WordPress
// 6.8 from Debian 13's .debs unpacked without installing them, and the SQLite integration plugin
// from the @wp-playground/cli npm tarball. Everything downloaded is cached under
// .cache/wordpress, so a second run costs nothing.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, log, run } from './lib.mjs';

/** Debian packages a site needs (unzip: to open the SQLite plugin's zip and plugin zips). */
// php-zip: WordPress writes personal-data export files as ZIP archives.
export const SITE_PACKAGES = ['php-cli', 'php-sqlite3', 'php-mbstring', 'php-xml', 'php-curl', 'php-zip', 'unzip'];
/** ...and the browser tests too. */
export const DEBIAN_PACKAGES = [...SITE_PACKAGES, 'chromium'];
// WordPress and the libraries Debian unbundled from it (its files link into these).
const TRIXIE_PACKAGES = ['wordpress', 'wordpress-theme-twentytwentyfive', 'libjs-lodash', 'libjs-underscore', 'libjs-cropper', 'php-getid3'];
const PLAYGROUND_CLI = '@wp-playground/cli@3.1.56';
// Bump to rebuild every cache from scratch when the way it is built changes.
const CACHE_VERSION = '2';

export const coreDir = join(cacheDir, 'core');
export const sqlitePluginDir = join(cacheDir, 'sqlite-database-integration');

/** Packages of DEBIAN_PACKAGES that dpkg does not report as installed. */
export async function missingPackages(packages = DEBIAN_PACKAGES) {
  const missing = [];
  for (const pkg of packages) {
    try {
      const { stdout } = await run('dpkg-query', ['-W', '-f=${Status}', pkg]);
      if (!stdout.includes('install ok installed')) missing.push(pkg);
    } catch {
      missing.push(pkg);
    }
  }
  return missing;
}

/**
 * Installs missing Debian packages when running as root. Not as root it changes nothing and
 * throws an error naming the command to run, so callers can explain and carry on without WordPress.
 */
export async function ensurePackages(packages = DEBIAN_PACKAGES) {
  const missing = await missingPackages(packages);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages: ${missing.join(' ')} (install them as root: apt-get install -y ${missing.join(' ')})`);
  }
  log(`installing ${missing.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Other jobs on the machine may hold the dpkg lock for a while: wait for it rather than fail.
  const lock = ['-o', 'DPkg::Lock::Timeout=600'];
  await run('apt-get', [...lock, 'update', '-qq'], { env, timeoutMs: 900_000 });
  await run('apt-get', [...lock, 'install', '-y', '-qq', ...missing], { env, timeoutMs: 1_800_000 });
}

/** The URI of the machine's main Debian mirror, read from its deb822 sources (never hard-coded). */
export function debianMirror(file = '/etc/apt/sources.list.d/debian.sources') {
  const stanzas = readFileSync(file, 'utf8').split(/\n\s*\n/);
  for (const stanza of stanzas) {
    const field = (name) => (new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(stanza)?.[1] ?? '').trim().split(/\s+/);
    const suites = field('Suites');
    if (!field('Types').includes('deb') || !field('Components').includes('main')) continue;
    if (suites.some((s) => s.includes('security'))) continue;
    const uri = field('URIs')[0];
    if (uri) return uri.replace(/\/+$/, '');
  }
  throw new Error(`no Debian mirror found in ${file}`);
}

/**
 * WordPress core unpacked from Debian 13's packages into .cache/wordpress/core (with the SQLite
 * plugin in wp-content/plugins). Apt runs with private sources, lists and cache, so the
 * machine's own apt configuration is never touched.
 */
export async function ensureCore() {
  const marker = join(coreDir, '.batchkeys-core');
  if (existsSync(marker) && readFileSync(marker, 'utf8').split('\n')[0] === CACHE_VERSION) return coreDir;

  const aptDir = join(cacheDir, 'apt');
  const debsDir = join(cacheDir, 'debs');
  for (const d of ['sources', 'lists/partial', 'cache/archives/partial', '../debs'].map((p) => join(aptDir, p))) mkdirSync(d, { recursive: true });
  writeFileSync(join(aptDir, 'sources', 'trixie.sources'), [
    'Types: deb', `URIs: ${debianMirror()}`, 'Suites: trixie', 'Components: main',
    'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg', '',
  ].join('\n'));
  const apt = [
    '-o', 'Dir::Etc::sourcelist=/dev/null', '-o', `Dir::Etc::sourceparts=${join(aptDir, 'sources')}`,
    '-o', `Dir::State::Lists=${join(aptDir, 'lists')}`, '-o', `Dir::Cache=${join(aptDir, 'cache')}`,
    // As root apt downloads as its _apt user, who cannot write to these private folders.
    ...(process.getuid?.() === 0 ? ['-o', 'APT::Sandbox::User=root'] : []),
  ];
  const have = readdirSync(debsDir).filter((f) => f.endsWith('.deb'));
  if (!TRIXIE_PACKAGES.every((p) => have.some((f) => f.startsWith(`${p}_`)))) {
    log('downloading WordPress from Debian trixie');
    await run('apt-get', [...apt, 'update', '-qq'], { timeoutMs: 900_000 });
    await run('apt-get', [...apt, 'download', ...TRIXIE_PACKAGES], { cwd: debsDir, timeoutMs: 900_000 });
  }

  log('unpacking WordPress');
  const root = join(cacheDir, 'root');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const debs = readdirSync(debsDir).filter((f) => f.endsWith('.deb'));
  for (const deb of debs) await run('dpkg-deb', ['-x', join(debsDir, deb), root]);
  const version = (await run('dpkg-deb', ['-f', join(debsDir, debs.find((f) => f.startsWith('wordpress_'))), 'Version'])).stdout.trim();

  // Debian replaced bundled files by relative links into usr/share/javascript and usr/share/php;
  // tar -h copies what they point to, so the core stands alone outside that tree.
  const tmp = `${coreDir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await run('sh', ['-c', 'tar -C "$1" -chf - --exclude=./.htaccess --exclude=./wp-config.php . | tar -C "$2" -xf -', 'sh', join(root, 'usr/share/wordpress'), tmp]);
  rmSync(root, { recursive: true, force: true });

  await ensureSqlitePlugin();
  mkdirSync(join(tmp, 'wp-content', 'plugins'), { recursive: true });
  await run('cp', ['-a', sqlitePluginDir, join(tmp, 'wp-content', 'plugins', 'sqlite-database-integration')]);
  // The drop-in finds the plugin relative to itself, so a copied site needs no path rewriting.
  const dropIn = readFileSync(join(sqlitePluginDir, 'db.copy'), 'utf8')
    .replace("'{SQLITE_IMPLEMENTATION_FOLDER_PATH}'", "__DIR__ . '/plugins/sqlite-database-integration'")
    .replaceAll('{SQLITE_PLUGIN}', 'sqlite-database-integration/load.php');
  writeFileSync(join(tmp, 'wp-content', 'db.php'), dropIn);

  writeFileSync(join(tmp, '.batchkeys-core'), `${CACHE_VERSION}\nwordpress ${version}\n`);
  rmSync(coreDir, { recursive: true, force: true });
  renameSync(tmp, coreDir);
  log(`WordPress ${version} ready in ${coreDir}`);
  return coreDir;
}

/** The SQLite Database Integration plugin, taken from the @wp-playground/cli tarball (400 KB; not its 580 MB of dependencies). */
export async function ensureSqlitePlugin() {
  if (existsSync(join(sqlitePluginDir, 'db.copy'))) return sqlitePluginDir;
  log(`fetching the SQLite integration plugin from ${PLAYGROUND_CLI}`);
  const work = join(cacheDir, 'playground');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const { stdout } = await run('npm', ['pack', PLAYGROUND_CLI, '--silent', '--pack-destination', work], { cwd: work, timeoutMs: 300_000 });
  await run('tar', ['-xzf', join(work, stdout.trim().split('\n').pop()), '-C', work]);
  const zip = (await run('find', [work, '-name', 'sqlite-database-integration.zip'])).stdout.trim().split('\n')[0];
  if (!zip) throw new Error(`${PLAYGROUND_CLI} holds no sqlite-database-integration.zip`);
  const out = join(work, 'unzipped');
  await run('unzip', ['-q', zip, '-d', out]);
  // The zip's top folder name is not part of any contract: take whichever folder holds db.copy.
  const dbCopy = (await run('find', [out, '-name', 'db.copy'])).stdout.trim().split('\n')[0];
  if (!dbCopy) throw new Error('the SQLite integration plugin has no db.copy');
  rmSync(sqlitePluginDir, { recursive: true, force: true });
  renameSync(join(dbCopy, '..'), sqlitePluginDir);
  rmSync(work, { recursive: true, force: true });
  return sqlitePluginDir;
}

/** Everything: packages (when root), WordPress core and the SQLite plugin. */
export async function provision(packages = DEBIAN_PACKAGES) {
  await ensurePackages(packages);
  await ensureCore();
  return { coreDir };
}
