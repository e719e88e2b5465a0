import { inspect } from 'node:util';
import { registerSecret } from '../errors/secret-registry.js';

/** The secret-bearing fields a credential can hold; which ones are set depends on the kind. */
export interface CredentialFields {
  /** AWS access key id. Shown only masked (`AKIA…WXYZ`). */
  accessKeyId?: string;
  /** AWS secret access key. Never shown. */
  secretAccessKey?: string;
  /** AWS session token. Never shown. */
  sessionToken?: string;
  /** Bearer token (HTTP, catalog). Never shown. */
  token?: string;
  /** HTTP basic user name. */
  username?: string;
  /** HTTP basic password. Never shown. */
  password?: string;
  /** When the credentials stop working; undefined means "does not expire". */
  expiresAt?: Date;
  /** AWS account id, when the source knows it. */
  accountId?: string;
}

/** The kind of a credential, derived from which fields it has. */
export type CredentialKind = 'aws' | 'bearer' | 'basic' | 'anonymous';

function mask(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value.length <= 8 ? '****' : `${value.slice(0, 4)}****${value.slice(-4)}`;
}

/**
 * Credentials from some source. Secrets live in private fields: `toString`, `toJSON`,
 * `util.inspect` and `console.log` show only a redacted summary, so a credential object can be
 * logged by mistake without leaking.
 */
export class Credentials {
  readonly #fields: CredentialFields;
  /** Name of the source that produced these credentials (`env`, `shared-credentials-file`, …). */
  readonly source: string;

  /** Registers its secret fields with the scrubber, so no message or log line can quote them. */
  constructor(fields: CredentialFields, source: string) {
    this.#fields = { ...fields };
    this.source = source;
    registerSecret(fields.secretAccessKey);
    registerSecret(fields.sessionToken);
    registerSecret(fields.token);
    registerSecret(fields.password);
  }

  /** AWS access keys. */
  static aws(
    fields: {
      accessKeyId: string;
      secretAccessKey: string;
      sessionToken?: string;
      expiresAt?: Date;
      accountId?: string;
    },
    source: string,
  ): Credentials {
    return new Credentials(fields, source);
  }

  /** A bearer token. */
  static bearer(token: string, source: string, expiresAt?: Date): Credentials {
    return new Credentials(expiresAt ? { token, expiresAt } : { token }, source);
  }

  /** HTTP basic credentials. */
  static basic(username: string, password: string, source: string): Credentials {
    return new Credentials({ username, password }, source);
  }

  /** Explicitly no credentials (unsigned requests). */
  static anonymous(source = 'anonymous'): Credentials {
    return new Credentials({}, source);
  }

  /** From the fields: `aws` (both keys), else `bearer` (a token), `basic` (a user), else `anonymous`. */
  get kind(): CredentialKind {
    const f = this.#fields;
    if (f.accessKeyId !== undefined && f.secretAccessKey !== undefined) return 'aws';
    if (f.token !== undefined) return 'bearer';
    if (f.username !== undefined) return 'basic';
    return 'anonymous';
  }
  /** AWS access key id, if any. */
  get accessKeyId(): string | undefined {
    return this.#fields.accessKeyId;
  }
  /** AWS secret access key, if any. A secret: never log it. */
  get secretAccessKey(): string | undefined {
    return this.#fields.secretAccessKey;
  }
  /** AWS session token of temporary credentials, if any. A secret: never log it. */
  get sessionToken(): string | undefined {
    return this.#fields.sessionToken;
  }
  /** Bearer token, if any. A secret: never log it. */
  get token(): string | undefined {
    return this.#fields.token;
  }
  /** HTTP basic user name, if any. */
  get username(): string | undefined {
    return this.#fields.username;
  }
  /** HTTP basic password, if any. A secret: never log it. */
  get password(): string | undefined {
    return this.#fields.password;
  }
  /** When the credentials stop working; undefined means they do not expire. */
  get expiresAt(): Date | undefined {
    return this.#fields.expiresAt;
  }
  /** AWS account id, when the source knows it. */
  get accountId(): string | undefined {
    return this.#fields.accountId;
  }

  /** Milliseconds until expiry at `now` (Infinity when they do not expire). */
  remainingMs(now: number = Date.now()): number {
    return this.expiresAt ? this.expiresAt.getTime() - now : Number.POSITIVE_INFINITY;
  }

  /** A secret-free description: kind, source, masked key id, expiry. */
  describe(): Record<string, string | undefined> {
    return {
      kind: this.kind,
      source: this.source,
      accessKeyId: mask(this.accessKeyId),
      username: this.username,
      sessionToken: this.sessionToken === undefined ? undefined : '(set)',
      expiresAt: this.expiresAt?.toISOString(),
    };
  }

  /** `Credentials(kind=…, source=…, …)` built from {@link describe}: no secret. */
  toString(): string {
    const d = this.describe();
    const parts = Object.entries(d)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${v}`);
    return `Credentials(${parts.join(', ')})`;
  }

  /** {@link describe}, so `JSON.stringify` never writes a secret. */
  toJSON(): Record<string, string | undefined> {
    return this.describe();
  }

  /** What `util.inspect` and `console.log` show: {@link toString}. */
  [inspect.custom](): string {
    return this.toString();
  }
}
