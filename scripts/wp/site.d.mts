// Types for test/helpers/wordpress.ts (the scripts themselves are plain JavaScript, no build step).
import type { ChildProcess } from 'node:child_process';

export interface Site {
  dir: string;
  url: string;
  port: number;
  proc: ChildProcess;
  env: Record<string, string | undefined>;
  exited: Promise<unknown>;
}
export interface ReadySite extends Site {
  user: string;
  password: string;
  adminUrl: string;
}
export interface PluginSource { pluginDir?: string; zip?: string }
export interface AdminLogin { title?: string; user?: string; password?: string; email?: string }

export const PLUGIN_FILE: string;
export function createSite(dir: string): Promise<string>;
export function installPlugin(dir: string, plugin?: PluginSource): Promise<void>;
export function serveSite(dir: string, opts?: { port?: number }): Promise<Site>;
export function stopSite(site: Site): Promise<void>;
export function runPhp(site: Site, code: string, args?: Record<string, unknown>): Promise<string>;
export function installWordPress(site: Site, admin?: AdminLogin): Promise<{ installed: boolean; user: string; password: string }>;
export function activatePlugin(site: Site): Promise<void>;
export function connectPlugin(site: Site, serverUrl: string, token: string): Promise<'connected' | 'unavailable'>;
export function canConnect(site: Site): Promise<boolean>;
export function startSite(dir: string, opts?: { port?: number; plugin?: PluginSource; admin?: AdminLogin }): Promise<ReadySite>;
export function readState(dir: string): Record<string, unknown>;
export function writeState(dir: string, state: Record<string, unknown>): void;
