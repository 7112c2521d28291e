// The SASL mechanisms Herald offers, strongest first: clients generally pick the first
// one they support, and channel binding beats none, SHA-256 beats SHA-1, SCRAM beats PLAIN.
import type { SaslMechanismFactory } from './mechanism.js';
import { plain } from './plain.js';
import { scramSha1, scramSha1Plus, scramSha256, scramSha256Plus } from './scram.js';

export function defaultMechanisms(): SaslMechanismFactory[] {
  return [scramSha256Plus, scramSha1Plus, scramSha256, scramSha1, plain];
}

export type {
  ChannelBindingProvider,
  ChannelBindingType,
  SaslContext,
  SaslFailureCondition,
  SaslMechanism,
  SaslMechanismFactory,
  SaslStep,
} from './mechanism.js';
export { createTlsChannelBinding } from './channel-binding.js';
