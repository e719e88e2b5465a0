import { PermissionDeniedError } from '@stowage/core';
import type { RouteExplanation } from '@stowage/s3';
import type { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import { inContext } from '../command-context.js';
import { resolveLocation } from '../locations.js';

/** The explanation as a JSON record (the decision's copy of the facts is left out: they are listed once). */
function planRecord(explanation: RouteExplanation): Record<string, unknown> {
  const { decision, ...rest } = explanation;
  const { facts: _facts, ...decided } = decision ?? ({} as Partial<NonNullable<typeof decision>>);
  return { type: 'plan', ...rest, ...(decision ? { decision: decided } : {}) };
}

/**
 * `stowage plan <location…>`: where a read of each object would go (S3 or its HTTPS mirror) and
 * why — every rule of the router's table with the facts it read — without moving a byte. The
 * routing options (`--running-in`, `--mirror`, `--allow-cross-region`, …) shape the decision.
 */
export function registerPlan(program: Command, io: CliIo): void {
  program
    .command('plan')
    .description("show the router's decision for reading each object (S3 or HTTPS mirror) and its reasons")
    .argument('<location...>', 's3:// objects (or https:// mirror URLs)')
    .option('--short', 'one line per object: route, URI, reason codes')
    .addHelpText(
      'after',
      '\nExample:\n  stowage plan s3://open-data/obj.bin --mirror s3://open-data/=https://mirror.example/ --running-in none\n',
    )
    .action((locations: string[], _options: unknown, self: Command) =>
      inContext<{ short?: boolean }>(io, self, async (context) => {
        const { formatDecision, formatRouteExplanation } = await import('@stowage/s3');
        const { storage } = await context.storage({}, true);
        let refused: RouteExplanation['refused'];
        for (const location of locations) {
          const explanation = await storage.explainRoute<RouteExplanation>(resolveLocation(location, io.cwd));
          refused ??= explanation.refused;
          if (context.options.json) context.printRecord(planRecord(explanation));
          else if (context.options.short)
            context.print(
              explanation.decision
                ? formatDecision(explanation.decision)
                : `none ${explanation.requested}  [refused: ${explanation.refused?.code}]`,
            );
          else context.printLines(formatRouteExplanation(explanation));
        }
        if (refused) {
          throw new PermissionDeniedError(refused.message, {
            provider: 'router',
            ...(refused.hint ? { hint: refused.hint } : {}),
          });
        }
      }),
    );
}
