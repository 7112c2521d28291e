import type { Element } from '../xml/element.js';

/** RFC 6121 §4.7.2.3: an integer -128..127, 0 when absent; out-of-range or junk counts as 0. */
export function presencePriority(presence: Element): number {
  const text = presence.getChildText('priority');
  if (text === null) return 0;
  const value = Number(text.trim());
  return Number.isInteger(value) && value >= -128 && value <= 127 ? value : 0;
}
