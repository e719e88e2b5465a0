import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidConfigError } from '@stowage/core';
import { isValidRegion } from '@stowage/s3';
import { parse, stringify } from 'yaml';
import { normalizeBaseUrl } from './catalog-url.js';
import { fileError } from './file-errors.js';
import { writeFileAtomic } from './private-file.js';
import { jsonObject, type RegistryCall, type RegistryHttp, statusError } from './registry-http.js';

/**
 * What `config(catalogUrl)` keeps from a catalog's `config.json`, under quilt3's key names so a
 * quilt3 user recognises `config.yml`. `registryUrl` is the API host (not the catalog host): every
 * login and credentials call goes there.
 */
export interface CatalogConfig {
  /** The catalog (web) URL, without trailing `/`; `loggedIn()` returns it. */
  navigator_url: string;
  /** The registry (API) URL, without trailing `/`. */
  registryUrl: string;
  /** The stack's AWS region; seeds the S3 client's region for the catalog's buckets. */
  region: string | null;
  /** The catalog's S3 proxy URL; kept for quilt3 compatibility, unused by Stowage. */
  s3Proxy: string | null;
  /** The stack's API Gateway URL; kept for quilt3 compatibility, unused by Stowage. */
  apiGatewayEndpoint: string | null;
  /** The stack's binary API Gateway URL; kept for quilt3 compatibility, unused by Stowage. */
  binaryApiGatewayEndpoint: string | null;
}

const OPTIONAL_KEYS = ['region', 's3Proxy', 'apiGatewayEndpoint', 'binaryApiGatewayEndpoint'] as const;

/** `GET {catalog}/config.json` (no auth, as quilt3) and keep the Quilt keys. */
export async function fetchCatalogConfig(
  catalogUrlInput: string,
  http: RegistryHttp,
): Promise<CatalogConfig> {
  const catalogUrl = normalizeBaseUrl(catalogUrlInput, 'catalog URL');
  const call: RegistryCall = {
    method: 'GET',
    url: `${catalogUrl}/config.json`,
    catalogUrl,
    what: 'its configuration (config.json)',
    notFoundHint: `${catalogUrl} has no config.json, so it is not the web address of a Quilt catalog (a registry or API URL is not): give the URL you open in a browser to use the catalog.`,
  };
  const hint = `Is ${catalogUrl} the URL of a Quilt catalog? Open it in a browser to check.`;
  const answer = await http.send(call);
  if (answer.status < 200 || answer.status >= 300) throw statusError(answer, call, hint);
  const json = jsonObject(answer, call, hint);
  if (typeof json.registryUrl !== 'string' || json.registryUrl.length === 0) {
    throw new InvalidConfigError(`The catalog ${catalogUrl} sent a config.json without "registryUrl"`, {
      uri: catalogUrl,
      provider: 'catalog',
      hint,
    });
  }
  let registryUrl: string;
  try {
    registryUrl = normalizeBaseUrl(json.registryUrl, 'registryUrl');
  } catch (error) {
    throw new InvalidConfigError(
      `The catalog ${catalogUrl} sent an unusable registryUrl: ${(error as Error).message}`,
      { uri: catalogUrl, provider: 'catalog', hint },
    );
  }
  const config: CatalogConfig = {
    navigator_url: catalogUrl,
    registryUrl,
    region: null,
    s3Proxy: null,
    apiGatewayEndpoint: null,
    binaryApiGatewayEndpoint: null,
  };
  for (const key of OPTIONAL_KEYS) {
    const value = json[key];
    if (typeof value === 'string' && value.length > 0) config[key] = value;
  }
  if (config.region !== null && !isValidRegion(config.region)) {
    throw new InvalidConfigError(
      `The catalog ${catalogUrl} sent a config.json whose region ${JSON.stringify(config.region)} is not a region name`,
      { uri: catalogUrl, provider: 'catalog', hint },
    );
  }
  return config;
}

/** The stored catalog configuration: one YAML file, `config.yml`, in the catalog directory. */
export class ConfigStore {
  /** Full path of `config.yml` (the file may not exist yet). */
  readonly path: string;

  constructor(dir: string) {
    this.path = join(dir, 'config.yml');
  }

  /** The stored configuration, or `null` when none was configured yet (no network call, unlike quilt3). */
  async read(): Promise<CatalogConfig | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw fileError(error, this.path, 'The catalog configuration', 'read');
    }
    return parseStoredConfig(text, this.path);
  }

  /** Replace the stored configuration atomically. */
  async write(config: CatalogConfig): Promise<void> {
    const header = '# Written by @stowage/catalog config(catalogUrl). Keys as in quilt3 config.yml.\n';
    try {
      await writeFileAtomic(this.path, header + stringify(config), { mode: 0o644 });
    } catch (error) {
      throw fileError(error, this.path, 'The catalog configuration', 'write');
    }
  }
}

/** Parse a `config.yml` (ours or quilt3's); `null` when it names no registry. */
export function parseStoredConfig(text: string, path: string): CatalogConfig | null {
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch (error) {
    throw new InvalidConfigError(`${path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`, {
      uri: path,
      hint: 'Run config(catalogUrl) again to rewrite it.',
    });
  }
  if (parsed === null || parsed === undefined) return null;
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidConfigError(`${path} does not hold a mapping`, {
      uri: path,
      hint: 'Run config(catalogUrl) again to rewrite it.',
    });
  }
  const record = parsed as Record<string, unknown>;
  if (typeof record.registryUrl !== 'string' || !record.registryUrl) return null;
  const registryUrl = storedUrl(record.registryUrl, 'registryUrl', path);
  const navigator =
    typeof record.navigator_url === 'string' && record.navigator_url
      ? storedUrl(record.navigator_url, 'navigator_url', path)
      : registryUrl;
  const config: CatalogConfig = {
    navigator_url: navigator,
    registryUrl,
    region: null,
    s3Proxy: null,
    apiGatewayEndpoint: null,
    binaryApiGatewayEndpoint: null,
  };
  for (const key of OPTIONAL_KEYS) {
    const value = record[key];
    if (typeof value === 'string' && value.length > 0) config[key] = value;
  }
  if (config.region !== null && !isValidRegion(config.region)) {
    throw new InvalidConfigError(
      `The region ${JSON.stringify(config.region)} in ${path} is not a region name`,
      {
        uri: path,
        provider: 'catalog',
        hint: 'Run config(catalogUrl) (or `stowage catalog config <url>`) again to rewrite it.',
      },
    );
  }
  return config;
}

/** A URL read from a stored file: a bad one is the file's fault (`InvalidConfig`), not the caller's. */
function storedUrl(value: string, key: string, path: string): string {
  try {
    return normalizeBaseUrl(value, `${key} in ${path}`);
  } catch (error) {
    throw new InvalidConfigError((error as Error).message, {
      uri: path,
      provider: 'catalog',
      hint: 'Run config(catalogUrl) (or `stowage catalog config <url>`) again to rewrite it.',
    });
  }
}
