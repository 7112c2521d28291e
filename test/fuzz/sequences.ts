// Action sequences for the protocol fuzz tests. Uniform random sequences rarely get past the first steps of a
// negotiation, so the deep states are reached by a known good path with steps dropped and random actions
// slipped in.
import fc from 'fast-check';

export function pathWithNoise<A>(path: readonly A[], actions: readonly A[], maxNoise = 4): fc.Arbitrary<A[]> {
  const keep = fc.array(fc.constantFrom(true, true, true, true, true, false), { minLength: path.length, maxLength: path.length });
  const noise = fc.array(fc.tuple(fc.nat(), fc.constantFrom(...actions)), { maxLength: maxNoise });
  return fc.tuple(keep, noise).map(([kept, inserted]) => {
    const sequence = path.filter((_, i) => kept[i]);
    for (const [at, action] of inserted) sequence.splice(at % (sequence.length + 1), 0, action);
    return sequence;
  });
}
