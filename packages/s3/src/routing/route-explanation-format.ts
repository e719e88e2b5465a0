import type { RouteDecision } from './route-decision.js';
import type { RouteExplanation } from './router.js';

const MARK = { matched: '✔', 'no match': '·', 'not reached': ' ' } as const;

function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** One line per decision, as `stowage plan` lists many objects. */
export function formatDecision(decision: RouteDecision): string {
  const codes = decision.reasons.map((r) => r.code).join(',');
  const extras = [
    decision.requesterPays ? 'requester-pays' : undefined,
    decision.metered ? 'metered' : undefined,
    decision.size !== undefined ? formatBytes(decision.size) : undefined,
    decision.costEstimate?.usd !== undefined ? `~$${decision.costEstimate.usd.toFixed(4)}` : undefined,
  ].filter(Boolean);
  return `${decision.route.padEnd(4)} ${decision.uri}  [${codes}]${extras.length ? ` (${extras.join(', ')})` : ''}`;
}

/** The lines `stowage plan --explain` prints: every rule in order, then the decision or refusal and warnings. */
export function formatRouteExplanation(explanation: RouteExplanation): string {
  const lines = [`route for ${explanation.requested}`];
  explanation.steps.forEach((step, i) => {
    const facts = step.facts ? `: ${step.facts}` : '';
    lines.push(
      `${String(i + 1).padStart(2)}. ${MARK[step.outcome]} ${step.code.padEnd(28)} ${step.outcome}${facts}`,
    );
  });
  if (explanation.decision) {
    lines.push(`→ ${formatDecision(explanation.decision)}`);
    if (explanation.decision.fallback) lines.push(`  fallback: ${explanation.decision.fallback.uri}`);
    for (const warning of explanation.decision.warnings) lines.push(`  warning: ${warning}`);
  } else if (explanation.refused) {
    lines.push(`✘ refused: ${explanation.refused.message}`);
    if (explanation.refused.hint) lines.push(`  hint: ${explanation.refused.hint}`);
  }
  return lines.join('\n');
}
