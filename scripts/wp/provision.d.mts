// Types for test/helpers/wordpress.ts (the scripts themselves are plain JavaScript, no build step).
export const SITE_PACKAGES: string[];
export const DEBIAN_PACKAGES: string[];
export const coreDir: string;
export const sqlitePluginDir: string;
export function missingPackages(packages?: string[]): Promise<string[]>;
export function ensurePackages(packages?: string[]): Promise<void>;
export function debianMirror(file?: string): string;
export function ensureCore(): Promise<string>;
export function ensureSqlitePlugin(): Promise<string>;
export function provision(packages?: string[]): Promise<{ coreDir: string }>;
