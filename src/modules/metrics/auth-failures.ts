// Failed logins by mechanism and reason. The mechanism may be a name the client made up (an
// unknown one fails with invalid-mechanism), so label values are bounded: a client must not be
// able to grow the metric without limit.
import { Counter, type Registry } from 'prom-client';
import type { ModuleContext } from '../../core/modules/module.js';

/** Distinct label values kept per label before the rest are counted as `other`. */
const MAX_VALUES = 32;
const PLAIN_VALUE = /^[A-Za-z0-9_.-]{1,40}$/;

function boundedLabel(): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    if (seen.has(value)) return value;
    if (!PLAIN_VALUE.test(value) || seen.size >= MAX_VALUES) return 'other';
    seen.add(value);
    return value;
  };
}

export function countAuthFailures(ctx: ModuleContext, registry: Registry): void {
  const failures = new Counter({
    name: 'herald_auth_failures_total',
    help: 'Failed logins, by SASL mechanism and reason (a SASL condition or account-locked).',
    labelNames: ['mechanism', 'reason'],
    registers: [registry],
  });
  const mechanism = boundedLabel();
  const reason = boundedLabel();
  ctx.on('auth/failed', (event) => void failures.inc({ mechanism: mechanism(event.mechanism), reason: reason(event.reason) }));
}
