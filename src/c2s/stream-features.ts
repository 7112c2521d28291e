// The <stream:features/> a client stream offers at each stage: STARTTLS first; then SASL
// (RFC 6120) and XEP-0388 SASL2 with the same mechanisms, their inline features (Bind 2, SM
// resume, FAST) and the XEP-0440 binding types; after authentication, bind and SM. Modules add
// theirs through `c2s/inline-features` and `c2s/features`.
import type { Element } from '../xml/element.js';
import { NS } from '../xml/ns.js';
import { serialize } from '../xml/serialize.js';
import type { C2sContext } from './c2s-context.js';
import type { ChannelBindingProvider } from './sasl/mechanism.js';
import { offeredMechanisms, offeredTokenMechanisms } from './sasl-negotiation.js';
import { fastFeature } from './sasl2/fast.js';
import { authenticationFeature } from './sasl2/elements.js';
import { bindInlineFeature } from './sasl2/bind2.js';
import { bindFeatures, channelBindingFeature, featuresElement, mechanismsFeature, startTlsFeature } from './features.js';
import { smFeature } from '../stream/stream-management/nonzas.js';

interface FeatureStream {
  readonly domain: string;
  readonly secure: boolean;
  readonly channelBinding: ChannelBindingProvider;
}

export async function streamFeatures(ctx: C2sContext, stream: FeatureStream, authenticated: boolean): Promise<Element> {
  if (!stream.secure) return featuresElement([startTlsFeature()]);
  const stage = authenticated ? 'post-auth' : 'pre-auth';
  const features: Element[] = authenticated ? [...bindFeatures(), smFeature()] : await authenticationFeatures(ctx, stream);
  await ctx.events.fire('c2s/features', { session: undefined, stage, domain: stream.domain, features });
  return featuresElement(features);
}

/**
 * The features as wire text. They depend only on the stage, the domain (its modules' answers,
 * from configuration) and, before authentication, the connection's channel-binding types
 * (which decide the mechanisms): every stream with the same of these gets the same text, so it
 * is built and serialised once per server, not once per stream (a reconnect spends a share of
 * its CPU on the transport; these are part of it).
 */
export async function streamFeaturesText(ctx: C2sContext, stream: FeatureStream, authenticated: boolean): Promise<string> {
  const key = `${stream.secure ? (authenticated ? 'post' : 'pre') : 'plain'}\0${stream.domain}\0${stream.secure && !authenticated ? stream.channelBinding.types().join(' ') : ''}`;
  let texts = built.get(ctx);
  if (!texts) built.set(ctx, (texts = new Map()));
  const known = texts.get(key);
  if (known !== undefined) return known;
  const text = serialize(await streamFeatures(ctx, stream, authenticated));
  // Bounded by served domains × stages × binding-type sets; a client cannot add keys.
  texts.set(key, text);
  return text;
}

const built = new WeakMap<C2sContext, Map<string, string>>();

async function authenticationFeatures(ctx: C2sContext, stream: FeatureStream): Promise<Element[]> {
  const mechanisms = offeredMechanisms(ctx, stream);
  const inlineVars = new Set<string>([NS.sm]);
  await ctx.events.fire('c2s/inline-features', { domain: stream.domain, features: inlineVars });
  const sasl2Inline = [bindInlineFeature(inlineVars), smFeature(), fastFeature(offeredTokenMechanisms(stream))];
  const cb = channelBindingFeature(stream.channelBinding.types());
  return [mechanismsFeature(mechanisms), authenticationFeature(mechanisms, sasl2Inline), ...(cb ? [cb] : [])];
}
