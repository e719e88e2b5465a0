import {
  InvalidArgumentError,
  InvalidConfigError,
  type RefreshingCredentialSource,
  redactSecrets,
  registerSecret,
} from '@stowage/core';
import { Bucket, type BucketOptions } from './bucket.js';
import { type CatalogConfig, ConfigStore, fetchCatalogConfig } from './catalog-config.js';
import { type CatalogCredentialsOptions, catalogCredentialSource } from './catalog-credentials.js';
import { type DirContext, quilt3DataDir, stowageCatalogDir } from './data-dirs.js';
import { type CodePrompt, openInBrowser, readHiddenLine } from './login-prompt.js';
import { removeFile } from './private-file.js';
import { readQuilt3Login } from './quilt3-login.js';
import { RegistryHttp, type RegistryHttpOptions } from './registry-http.js';
import { RegistrySession } from './registry-session.js';
import { exchangeToken } from './token-exchange.js';
import { TokenStore } from './token-store.js';

/** Options of {@link Catalog}. */
export interface CatalogOptions {
  /**
   * Directory for `config.yml` and the login files. Default `$STOWAGE_CATALOG_DIR`, else
   * `<user data dir>/stowage/catalog` (Linux `~/.local/share/stowage/catalog`).
   */
  dir?: string;
  /** Environment to read (`XDG_DATA_HOME`, `DISPLAY`, …) instead of `process.env`. */
  env?: Record<string, string | undefined>;
  /** Home directory to use instead of `os.homedir()`. */
  homedir?: string;
  /** Timeouts and retries of catalog/registry calls. */
  http?: RegistryHttpOptions;
  /** How `login()` reads the code. Default: from the terminal, without echo. */
  prompt?: CodePrompt;
  /** Whether `login()` opens the browser (or a function that does). Default: when a desktop session exists. */
  openBrowser?: boolean | ((url: string) => void | Promise<void>);
  /** Where `login()` prints its instructions. Default: stderr. */
  print?: (line: string) => void;
  /**
   * Refresh the access token when it has less than this left. Default 60 s; at most half the
   * token's lifetime, so short-lived tokens are not refreshed on every call.
   */
  refreshSkewSeconds?: number;
}

/** Options of {@link Catalog.login}. */
export interface LoginOptions {
  /** How to read the code, for this call; overrides {@link CatalogOptions.prompt}. */
  prompt?: CodePrompt;
  /** Whether to open the browser, for this call; overrides {@link CatalogOptions.openBrowser}. */
  openBrowser?: boolean | ((url: string) => void | Promise<void>);
  /** Aborts the code exchange with the registry (not the prompt itself). */
  signal?: AbortSignal;
}

/** What a successful login returns (no token in it). */
export interface LoginResult {
  /** The catalog (web) URL logged in to. */
  catalogUrl: string;
  /** The registry (API) URL the login is stored for. */
  registryUrl: string;
  /** When the access token expires; it is refreshed before registry calls as needed. */
  accessTokenExpiresAt?: Date;
  /** `code` for a one-time code, refresh token or imported quilt3 login; `api-key` for `loginWithApiKey`. */
  method: 'code' | 'api-key';
}

/** What `logout()` did. */
export interface LogoutResult {
  /** The configured catalog URL, or `null` when no catalog is configured. */
  catalogUrl: string | null;
  /** Whether there was a login to end. */
  wasLoggedIn: boolean;
  /** Whether the registry revoked the stored login (`POST /api/logout` answered 2xx); an API key is never revoked. */
  revoked: boolean;
  /** Why revocation did not happen, when it did not. */
  detail?: string;
}

/** The signed-in user, as the registry's `/api/me` reports it. */
export interface WhoAmI {
  /** The catalog (web) URL asked. */
  catalogUrl: string;
  /** User name (`current_user`, else `name`, else `username` in the answer). */
  name: string;
  /** E-mail address, when the registry reports one. */
  email?: string;
  /** Whether the user is a catalog admin (`is_staff`). */
  isAdmin: boolean;
  /** False only when the registry reports the account inactive. */
  isActive: boolean;
}

/** Options of {@link Catalog.importQuilt3Login}. */
export interface ImportQuilt3Options {
  /** quilt3's data directory. Default: platformdirs' `user_data_dir("Quilt", "QuiltData")`. */
  quilt3Dir?: string;
}

/**
 * A Quilt-compatible catalog: its configuration, the login to its registry, and the S3 credentials
 * it hands out. State lives in {@link CatalogOptions.dir}; one instance per process is typical, and
 * the module-level functions (`config`, `login`, …) use a default one.
 */
export class Catalog {
  /** Where config.yml and the login files live. */
  readonly dir: string;
  private readonly options: CatalogOptions;
  private readonly configStore: ConfigStore;
  private readonly tokens: TokenStore;
  private readonly http: RegistryHttp;
  private apiKey: string | undefined;
  private cached: { key: string; session: RegistrySession } | undefined;
  private readonly sources = new Set<RefreshingCredentialSource>();
  /** One cached source shared by the buckets this catalog builds. */
  private bucketSource: RefreshingCredentialSource | undefined;

  constructor(options: CatalogOptions = {}) {
    this.options = options;
    const context: DirContext = {
      ...(options.env ? { env: options.env } : {}),
      ...(options.homedir ? { homedir: options.homedir } : {}),
    };
    this.dir = options.dir ?? stowageCatalogDir(context);
    this.configStore = new ConfigStore(this.dir);
    this.tokens = new TokenStore(this.dir);
    this.http = new RegistryHttp(options.http);
  }

  /** The file holding the login for a registry (for inspection and tests; mode 0600). */
  tokenFile(registryUrl: string): string {
    return this.tokens.pathFor(registryUrl);
  }

  /**
   * `config(catalogUrl)`: fetch `{catalogUrl}/config.json`, keep `registryUrl`, `region`, `s3Proxy`,
   * `apiGatewayEndpoint` and the catalog URL (`navigator_url`), and store them as YAML.
   * `config()` returns what is stored, or `null` (no silent network call, unlike quilt3).
   * `config('')` forgets the configuration.
   */
  async config(catalogUrl?: string): Promise<CatalogConfig | null> {
    if (catalogUrl === undefined) return this.configStore.read();
    if (catalogUrl.trim() === '') {
      await removeFile(this.configStore.path);
      this.forgetSession();
      return null;
    }
    const before = await this.configStore.read().catch(() => null);
    const fetched = await fetchCatalogConfig(catalogUrl, this.http);
    await this.configStore.write(fetched);
    if (before?.registryUrl !== fetched.registryUrl) this.apiKey = undefined;
    this.forgetSession();
    return fetched;
  }

  private async requireConfig(): Promise<CatalogConfig> {
    const config = await this.configStore.read();
    if (!config) {
      throw new InvalidConfigError(`No catalog is configured (looked in ${this.configStore.path})`, {
        uri: this.configStore.path,
        provider: 'catalog',
        hint: 'Run config("https://your-catalog") first.',
      });
    }
    return config;
  }

  private forgetSession(): void {
    this.cached = undefined;
    for (const source of this.sources) source.invalidate();
  }

  /** The registry session for the configured catalog, or `undefined` when none is configured. */
  async session(): Promise<RegistrySession | undefined> {
    const config = await this.configStore.read();
    if (!config) return undefined;
    const key = `${config.navigator_url}|${config.registryUrl}|${this.apiKey === undefined ? 'login' : 'key'}`;
    if (this.cached?.key !== key) {
      this.cached = {
        key,
        session: new RegistrySession({
          config,
          store: this.tokens,
          http: this.http,
          ...(this.apiKey !== undefined ? { apiKey: this.apiKey } : {}),
          ...(this.options.refreshSkewSeconds !== undefined
            ? { refreshSkewSeconds: this.options.refreshSkewSeconds }
            : {}),
        }),
      };
    }
    return this.cached.session;
  }

  /**
   * Interactive login: print (and open, when a browser is available) `{registryUrl}/login`, which
   * leads to the catalog page showing a one-time code; read the code without echo; exchange it.
   */
  async login(options: LoginOptions = {}): Promise<LoginResult> {
    const config = await this.requireConfig();
    const url = `${config.registryUrl}/login`;
    const print = this.options.print ?? ((line: string) => process.stderr.write(`${line}\n`));
    print(`Log in to ${config.navigator_url}: open ${url} and copy the code it shows.`);
    const open = options.openBrowser ?? this.options.openBrowser;
    if (typeof open === 'function') await open(url);
    else if (open !== false) openInBrowser(url, this.options.env ?? process.env);
    const prompt = options.prompt ?? this.options.prompt ?? ((message: string) => readHiddenLine(message));
    const code = (await prompt('Enter the code from the webpage: ')).trim();
    if (code.length === 0) {
      throw new InvalidArgumentError(
        `No code was entered for the catalog ${config.navigator_url}; the previous login (if any) is unchanged`,
        {
          uri: config.navigator_url,
          provider: 'catalog',
          hint: `Open ${url}, copy the code and run login() again.`,
        },
      );
    }
    return this.loginWithToken(code, options.signal);
  }

  /**
   * Non-interactive login with a one-time code (or a refresh token), for batch jobs. The stored login
   * is replaced only after the exchange succeeded: a failed login leaves the previous one intact.
   */
  async loginWithToken(code: string, signal?: AbortSignal): Promise<LoginResult> {
    const config = await this.requireConfig();
    if (typeof code !== 'string' || code.trim().length === 0) {
      throw new InvalidArgumentError(
        `loginWithToken needs a non-empty code for the catalog ${config.navigator_url}`,
        {
          uri: config.navigator_url,
          provider: 'catalog',
          hint: `Get a code at ${config.registryUrl}/login.`,
        },
      );
    }
    const target = { registryUrl: config.registryUrl, catalogUrl: config.navigator_url };
    registerSecret(code.trim());
    const tokens = await exchangeToken(this.http, target, code.trim(), 'login', signal);
    // Under the login lock: a refresh of the previous login in another process must not write its
    // rotated tokens over this new login.
    await this.tokens.locked(config.registryUrl, () =>
      this.tokens.write(config.registryUrl, tokens, config.navigator_url),
    );
    this.apiKey = undefined;
    this.forgetSession();
    return {
      catalogUrl: config.navigator_url,
      registryUrl: config.registryUrl,
      accessTokenExpiresAt: new Date(tokens.expiresAt * 1000),
      method: 'code',
    };
  }

  /**
   * Log in with an API key (`qk_…`). Like quilt3 it is kept in memory only, never written to disk,
   * and sent as the bearer on registry calls (S3 credentials included). There is no refresh.
   */
  async loginWithApiKey(apiKey: string): Promise<LoginResult> {
    const config = await this.requireConfig();
    if (typeof apiKey !== 'string' || !/^qk_\S+$/.test(apiKey.trim())) {
      throw new InvalidArgumentError(
        `An API key for the catalog ${config.navigator_url} must start with "qk_" (the value given does not)`,
        {
          uri: config.navigator_url,
          provider: 'catalog',
          hint: 'Create one in the catalog or with quilt3.api_keys.create().',
        },
      );
    }
    this.apiKey = apiKey.trim();
    registerSecret(this.apiKey);
    this.forgetSession();
    return { catalogUrl: config.navigator_url, registryUrl: config.registryUrl, method: 'api-key' };
  }

  /**
   * End every login of the configured catalog, as quilt3 does: drop the API key from memory, and
   * revoke the stored login at the registry (`POST {registryUrl}/api/logout`; quilt3 only forgets
   * it) and delete it. The stored login is removed even when revocation fails; the result says so.
   */
  async logout(): Promise<LogoutResult> {
    const config = await this.configStore.read();
    if (!config) return { catalogUrl: null, wasLoggedIn: false, revoked: false };
    const catalogUrl = config.navigator_url;
    const hadApiKey = this.apiKey !== undefined;
    const keyNote = 'the API key was dropped from memory; revoke it in the catalog if it should stop working';
    // The key shadows a stored login (it is the bearer while set); both go, or loggedIn() would
    // still answer with the stored login right after a logout.
    this.apiKey = undefined;
    this.forgetSession();
    const session = await this.session();
    if (!session || !(await session.canAuthenticate())) {
      return hadApiKey
        ? { catalogUrl, wasLoggedIn: true, revoked: false, detail: keyNote }
        : { catalogUrl, wasLoggedIn: false, revoked: false, detail: 'already logged out' };
    }
    let revoked = false;
    const notes = hadApiKey ? [keyNote] : [];
    try {
      const answer = await session.send({ method: 'POST', path: '/api/logout', what: 'logout' });
      revoked = answer.status >= 200 && answer.status < 300;
      if (!revoked) notes.push(`the registry answered HTTP ${answer.status}`);
    } catch (error) {
      notes.push(redactSecrets((error as Error).message));
    } finally {
      await this.tokens.locked(config.registryUrl, () => this.tokens.remove(config.registryUrl));
      this.forgetSession();
    }
    return { catalogUrl, wasLoggedIn: true, revoked, ...(notes.length ? { detail: notes.join('; ') } : {}) };
  }

  /**
   * The catalog URL when logged in (an API key, or a stored login for the configured registry), else
   * `null`. No network call: a stored login whose tokens the registry revoked still counts.
   */
  async loggedIn(): Promise<string | null> {
    const config = await this.configStore.read();
    if (!config) return null;
    if (this.apiKey !== undefined) return config.navigator_url;
    return (await this.tokens.read(config.registryUrl)) ? config.navigator_url : null;
  }

  /** Who the registry says we are (`GET {registryUrl}/api/me`). */
  async whoami(signal?: AbortSignal): Promise<WhoAmI> {
    await this.requireConfig();
    const session = (await this.session())!;
    const json = await session.json({
      method: 'GET',
      path: '/api/me',
      what: 'the current user',
      ...(signal ? { signal } : {}),
    });
    const name = json.current_user ?? json.name ?? json.username;
    if (typeof name !== 'string' || name.length === 0) {
      throw new InvalidConfigError(`The catalog ${session.catalogUrl} answered /api/me without a user name`, {
        uri: session.catalogUrl,
        provider: 'catalog',
        hint: 'Run login() again.',
      });
    }
    return {
      catalogUrl: session.catalogUrl,
      name,
      ...(typeof json.email === 'string' ? { email: json.email } : {}),
      isAdmin: json.is_staff === true || json.isAdmin === true,
      isActive: json.is_active !== false,
    };
  }

  /**
   * The catalog's S3 credentials as a core `CredentialSource` named `catalog`, refreshed before they
   * expire. Place it yourself: `new CredentialChain([catalog.credentials(), awsChain])`, or alone for
   * the catalog's buckets. It follows later `config()`/`login()`/`logout()` calls of this catalog.
   */
  credentials(options: CatalogCredentialsOptions = {}): RefreshingCredentialSource {
    const source = catalogCredentialSource(() => this.session(), options);
    this.sources.add(source);
    return source;
  }

  /**
   * A {@link Bucket} of this catalog: its S3 credentials come from the catalog (only for this
   * bucket — the process's AWS chain is untouched; logged out, its operations fail with
   * `AuthenticationRequired`) and its region from the catalog's config. Options override both (e.g. `credentials: new CredentialChain([catalog.credentials(), awsChain])`).
   */
  async bucket(bucketUri: string, options: BucketOptions = {}): Promise<Bucket> {
    const config = await this.requireConfig();
    // The bucket's only source: logged out, it says so instead of "no credentials".
    this.bucketSource ??= this.credentials({ required: true });
    return new Bucket(bucketUri, {
      ...(config.region ? { region: config.region } : {}),
      ...options,
      credentials: options.credentials ?? this.bucketSource,
    });
  }

  /**
   * Opt-in: copy an existing quilt3 login (its `config.yml` and its `auth.json` entry for that
   * registry) into this catalog's directory. quilt3's files are only read. After the import the two
   * tools refresh independently; a registry that revokes rotated refresh tokens will log the other out.
   */
  async importQuilt3Login(options: ImportQuilt3Options = {}): Promise<LoginResult | null> {
    const context: DirContext = {
      ...(this.options.env ? { env: this.options.env } : {}),
      ...(this.options.homedir ? { homedir: this.options.homedir } : {}),
    };
    const found = await readQuilt3Login(options.quilt3Dir ?? quilt3DataDir(context));
    if (!found?.tokens) return null;
    await this.configStore.write(found.config);
    const { registryUrl, navigator_url } = found.config;
    await this.tokens.locked(registryUrl, () => this.tokens.write(registryUrl, found.tokens!, navigator_url));
    this.apiKey = undefined;
    this.forgetSession();
    return {
      catalogUrl: found.config.navigator_url,
      registryUrl: found.config.registryUrl,
      accessTokenExpiresAt: new Date(found.tokens.expiresAt * 1000),
      method: 'code',
    };
  }
}
