// `npm start`: builds, serves BatchKeys on its SQLite store under ./data (printing the admin token
// on first start), and brings up a local WordPress with the plugin active and connected to it,
// so a newcomer sees everything working from one command. Without PHP (not root and packages
// missing) the server is served alone, with a word on why. Ctrl-C stops both.
import { spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot, portFree, run } from './wp/lib.mjs';
import { SITE_PACKAGES, provision } from './wp/provision.mjs';
import { canConnect, connectPlugin, readState, startSite, stopSite, writeState } from './wp/site.mjs';

process.chdir(repoRoot);
const cli = join(repoRoot, 'bin', 'batchkeys.js');

function npmRun(script) {
  return spawnSync('npm', ['run', script, '--silent'], { stdio: 'inherit' }).status === 0;
}

// The server and the plugin's screens.
if (!npmRun('build')) process.exit(1);

const server = spawn(process.execPath, [cli, 'serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
let site = null;
let stopping = false;

async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  if (site) await stopSite(site);
  if (server.exitCode === null) server.kill('SIGINT');
  await new Promise((r) => (server.exitCode !== null ? r() : server.once('exit', r)));
  process.exit(code);
}
// Whatever way this process ends, the server must not outlive it.
process.on('exit', () => { if (server.exitCode === null) server.kill('SIGTERM'); });
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
server.once('exit', (code) => {
  if (!stopping) { console.error(`BatchKeys server stopped (exit ${code})`); stop(code ?? 1); }
});

// Relay the server's output as it comes, and learn its URL from the line announcing it.
const serverUrl = await new Promise((resolveUrl) => {
  createInterface({ input: server.stdout }).on('line', (line) => {
    console.log(line);
    const m = /BatchKeys is serving on (\S+)/.exec(line);
    if (m) resolveUrl(m[1]);
  });
});

try {
  site = await startWordPress(serverUrl);
} catch (err) {
  console.error(`\n[wordpress] no local WordPress: ${err instanceof Error ? err.message : String(err)}`);
  console.error('[wordpress] the BatchKeys server keeps serving alone.\n');
}

async function startWordPress(url) {
  await provision(SITE_PACKAGES); // no Chromium: only the tests need a browser
  const dataDir = resolve(process.env.BATCHKEYS_DATA_DIR ?? 'data');
  const dir = join(dataDir, 'wordpress');
  const wanted = Number(process.env.BATCHKEYS_WP_PORT ?? 8788);
  const ready = await startSite(dir, { port: (await portFree(wanted)) ? wanted : undefined });
  if (stopping) { await stopSite(ready); return null; }
  const connection = await connect(ready, url);
  console.log(`\nWordPress with the BatchKeys plugin: ${ready.adminUrl}admin.php?page=batchkeys`);
  console.log(`  log in as ${ready.user} / ${ready.password}   (site files: ${dir})`);
  if (connection) console.log(`  ${connection}`);
  console.log('Press Ctrl-C to stop both.\n');
  return ready;
}

/**
 * Connects the plugin to this server once, with a token of its own (scope admin: the plugin
 * reveals keys). Done again only when the server URL changed or that token is no longer active.
 */
async function connect(ready, url) {
  const state = readState(ready.dir);
  if (state.serverUrl === url && state.tokenId && (await tokenActive(state.tokenId))) return null;
  if (!(await canConnect(ready))) {
    return 'not connected: the plugin does not define batchkeys_set_connection() yet; save the connection on its Settings page';
  }
  const { stdout } = await run(process.execPath, [cli, 'token', 'create', '--name', 'wordpress-dev-site', '--scope', 'admin']);
  const tokenId = stdout.split('\t')[0].trim();
  const token = /Admin API token[^\n]*\n\s*\n\s*(\S+)/.exec(stdout)?.[1];
  if (!token) throw new Error(`could not read the token from: ${stdout}`);
  await connectPlugin(ready, url, token);
  writeState(ready.dir, { ...state, serverUrl: url, tokenId });
  return `connected to ${url} with a new admin token (${tokenId}) kept in the plugin's settings`;
}

async function tokenActive(id) {
  const { stdout } = await run(process.execPath, [cli, 'token', 'list']);
  return stdout.split('\n').some((line) => line.startsWith(`${id}\t`) && line.trim().endsWith('active'));
}
