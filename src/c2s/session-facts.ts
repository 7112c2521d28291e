// Facts about how a client session came to be, kept in its registry flags so any node (and
// `herald sessions`) can show them: when it logged in and with which SASL mechanism. The
// XEP-0388 user agent is kept beside them by sasl2/user-agent.ts.
export const SESSION_FACT_FLAGS = { since: 'c2s.since', mechanism: 'c2s.mechanism', transport: 'c2s.transport' } as const;

export function sessionFacts(now: number, mechanism: string | undefined, transport: string): Record<string, string> {
  return {
    [SESSION_FACT_FLAGS.since]: new Date(now).toISOString(),
    [SESSION_FACT_FLAGS.transport]: transport,
    ...(mechanism ? { [SESSION_FACT_FLAGS.mechanism]: mechanism } : {}),
  };
}
