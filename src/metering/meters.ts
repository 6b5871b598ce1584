/**
 * What the ledger counts. Turn meters follow the tier that answered (`turns.assist` when a person
 * approves an AI draft), so the turn meters of a period add up to its turns.
 */
export const Meters = [
  'messages',
  'turns.light',
  'turns.playbook',
  'turns.llm',
  'turns.fallback',
  'turns.human',
  'turns.assist',
  'llm.tokens_in',
  'llm.tokens_out',
  'connector.calls',
  'storage.bytes',
] as const;
export type Meter = (typeof Meters)[number];

export function isMeter(value: string): value is Meter {
  return (Meters as readonly string[]).includes(value);
}

/** The turn meter for a finished turn. */
export function turnMeter(tier: string, route: string): Meter {
  if (route === 'assist') return 'turns.assist';
  const meter = `turns.${tier}`;
  return isMeter(meter) ? meter : 'turns.light';
}
