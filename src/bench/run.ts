// Runs the chosen scenarios one after another against one server.
import { loginScenario } from './scenarios/login.js';
import { LOGIN_VARIANTS, loginVariantScenario } from './scenarios/login-variants.js';
import { throughputScenario } from './scenarios/throughput.js';
import { offlineScenario } from './scenarios/offline.js';
import { fanoutScenario } from './scenarios/fanout.js';
import { fixedRateScenario } from './scenarios/fixed-rate.js';
import { pepScenario } from './scenarios/pep.js';
import { roomScenario } from './scenarios/room.js';
import { scaleScenario, type ScaleOptions } from './scenarios/scale.js';
import type { BenchContext, ScenarioResult } from './types.js';

export const SCENARIOS = ['login', 'throughput', 'latency', 'offline', 'fanout', 'fixed-rate', 'pep', ...LOGIN_VARIANTS] as const;
/** Run only when named: they hold hundreds or thousands of sessions (see scenarios/scale.ts, room.ts). */
export const EXPLICIT_SCENARIOS = ['scale', 'room'] as const;
export type ScenarioName = (typeof SCENARIOS)[number] | (typeof EXPLICIT_SCENARIOS)[number];

export interface ScenarioSizes {
  clients: number;
  concurrency: number;
  pairs: number;
  window: number;
  durationS: number;
  rate: number;
  /** fixed-rate: seconds of sending before the measured window. */
  warmupS: number;
  /** fixed-rate: clients enable XEP-0198 stream management. */
  sm: boolean;
  offlineMessages: number;
  contacts: number;
  rounds: number;
  /** pep: IQs for the publish and the fetch rates. */
  pepRequests: number;
  /** room: the room sizes measured, ascending. */
  occupants: number[];
  /** scale: which phase, and seconds of watching the idle server. */
  scalePhase: ScaleOptions['phase'];
  idleS: number;
}

export async function runScenario(ctx: BenchContext, name: ScenarioName, sizes: ScenarioSizes): Promise<ScenarioResult> {
  switch (name) {
    case 'login':
      return loginScenario(ctx, { clients: sizes.clients, concurrency: sizes.concurrency });
    case 'throughput':
      return throughputScenario(ctx, { pairs: sizes.pairs, window: sizes.window, durationS: sizes.durationS });
    case 'latency':
      return throughputScenario(ctx, { pairs: 1, window: 1, durationS: sizes.durationS }, 'latency');
    case 'offline':
      return offlineScenario(ctx, { messages: sizes.offlineMessages, timeoutS: 120 });
    case 'fanout':
      return fanoutScenario(ctx, { contacts: sizes.contacts, rounds: sizes.rounds });
    case 'fixed-rate':
      return fixedRateScenario(ctx, { pairs: sizes.pairs, rate: sizes.rate, durationS: sizes.durationS, warmupS: sizes.warmupS, sm: sizes.sm });
    case 'pep':
      return pepScenario(ctx, { contacts: sizes.contacts, rounds: sizes.rounds, requests: sizes.pepRequests });
    case 'room':
      return roomScenario(ctx, { occupants: sizes.occupants, rounds: sizes.rounds });
    case 'scale':
      return scaleScenario(ctx, { ...sizes, phase: sizes.scalePhase });
    case 'login-sasl2':
    case 'login-fast':
    case 'login-fast-resumed':
    case 'tls-only':
    case 'login-fast-sm-resume':
    case 'tls-resumed-only':
      return loginVariantScenario(ctx, name, { clients: sizes.clients, concurrency: sizes.concurrency });
  }
}
