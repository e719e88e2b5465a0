import { CredentialsNotFoundError } from '../errors/error-types.js';
import { redactSecrets } from '../errors/redact.js';
import type { CredentialSource, ResolveContext } from './credential-source.js';
import type { Credentials } from './credentials.js';

/** How one source fared during a resolution. */
export interface ExplainStep {
  /** The source's `name`. */
  source: string;
  /** `chosen` (it won), `skipped` (not its credentials), `failed` (it threw) or `not-reached`. */
  outcome: 'chosen' | 'skipped' | 'failed' | 'not-reached';
  /** Why, in one line; never a secret. */
  reason: string;
  /** Lines the source noted (files looked at, variables found or half set). */
  details: string[];
}

/** The full trace of a resolution: every source, in order, with its outcome. */
export interface Explanation {
  /** `source` of the credentials chosen; undefined when none were. */
  chosen: string | undefined;
  /** One step per source of the chain, in order. */
  steps: ExplainStep[];
  /** The error that stopped the chain, if any (already redacted). */
  error?: {
    /** The error's `code`, when it has one (a StowageError code). */
    code?: string;
    /** The message, secrets redacted. */
    message: string;
  };
  /** Secret-free description of what was chosen. */
  credentials?: Record<string, string | undefined>;
}

/** Render an explanation as the lines `stowage credentials explain` prints. */
export function formatExplanation(explanation: Explanation): string {
  const lines = explanation.steps.map((step, i) => {
    const mark = { chosen: '✔', skipped: '·', failed: '✘', 'not-reached': ' ' }[step.outcome];
    const head = `${String(i + 1).padStart(2)}. ${mark} ${step.source.padEnd(28)} ${step.outcome}: ${step.reason}`;
    return [head, ...step.details.map((d) => `        ${d}`)].join('\n');
  });
  if (explanation.error) lines.push(`error: ${explanation.error.message}`);
  else lines.push(explanation.chosen ? `using: ${explanation.chosen}` : 'no credentials found');
  return lines.join('\n');
}

/**
 * Ask sources in order; the first that returns credentials wins. A source that throws stops the
 * chain with its error (botocore: a broken profile is an error, not a reason to try the next
 * source). A chain is itself a source, so chains nest.
 */
export class CredentialChain implements CredentialSource {
  /** Name shown by `explain()` when this chain is nested. Default `chain`. */
  readonly name: string;
  /** The sources, in the order they are asked. */
  readonly sources: readonly CredentialSource[];

  constructor(sources: readonly CredentialSource[], name = 'chain') {
    this.sources = sources;
    this.name = name;
  }

  /** The first source's credentials, or undefined when none has any. Rethrows a failing source's error. */
  async resolve(context: ResolveContext = {}): Promise<Credentials | undefined> {
    return (await this.run(context, true)).credentials;
  }

  /** Resolve like `resolve`, or throw `CredentialsNotFoundError` listing what was tried. */
  async require(context: ResolveContext = {}): Promise<Credentials> {
    const { credentials, explanation } = await this.run(context, true);
    if (credentials) return credentials;
    const tried = explanation.steps.map((s) => `${s.source} (${s.reason})`).join('; ');
    throw new CredentialsNotFoundError(`No credentials found. Tried: ${tried}`, {
      provider: this.name,
      hint: 'Set credentials in the environment or a profile, or use anonymous access for public data.',
    });
  }

  /** Resolve and report every source tried, skipped or chosen, and why. Never throws for a failed source. */
  async explain(context: ResolveContext = {}): Promise<Explanation> {
    return (await this.run(context, false)).explanation;
  }

  private async run(
    context: ResolveContext,
    throwOnFailure: boolean,
  ): Promise<{ credentials: Credentials | undefined; explanation: Explanation }> {
    const steps: ExplainStep[] = [];
    let chosen: Credentials | undefined;
    let failure: unknown;
    for (const source of this.sources) {
      if (chosen || failure !== undefined) {
        steps.push({
          source: source.name,
          outcome: 'not-reached',
          reason: chosen ? 'an earlier source won' : 'stopped by an error',
          details: [],
        });
        continue;
      }
      const details: string[] = [];
      const note = (line: string) => {
        details.push(redactSecrets(line));
        context.note?.(line);
      };
      try {
        const found = await source.resolve({ ...context, note });
        if (found) {
          chosen = found;
          steps.push({
            source: source.name,
            outcome: 'chosen',
            reason: `credentials from ${found.source}`,
            details,
          });
        } else {
          steps.push({
            source: source.name,
            outcome: 'skipped',
            reason: details.at(-1) ?? 'no credentials here',
            details: details.slice(0, -1),
          });
        }
      } catch (error) {
        failure = error;
        steps.push({
          source: source.name,
          outcome: 'failed',
          reason: redactSecrets((error as Error).message),
          details,
        });
      }
    }
    const explanation: Explanation = { chosen: chosen?.source, steps };
    if (chosen) explanation.credentials = chosen.describe();
    if (failure !== undefined) {
      explanation.error = {
        code: (failure as { code?: string }).code,
        message: redactSecrets((failure as Error).message),
      };
      if (throwOnFailure) throw failure;
      return { credentials: undefined, explanation };
    }
    return { credentials: chosen, explanation };
  }
}
