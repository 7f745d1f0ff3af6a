// Declaration rules: which values a declarer may choose. Pure: no I/O.

/** Piles in a round; declarations are 0..PILES_PER_ROUND. */
export const PILES_PER_ROUND = 8;

/** With this many zeros in a row a player may not declare 0 again. */
export const MAX_ZERO_STREAK = 2;

/** Why a declaration value is refused, or null when it is allowed. */
export function declarationProblem(
  value: number,
  totalSoFar: number,
  isLast: boolean,
  zeroStreak: number,
): string | null {
  if (!Number.isInteger(value) || value < 0 || value > PILES_PER_ROUND) {
    return `A declaration is a whole number from 0 to ${PILES_PER_ROUND}`;
  }
  if (isLast && totalSoFar + value === PILES_PER_ROUND) {
    return `The last declarer cannot make the total exactly ${PILES_PER_ROUND}`;
  }
  if (value === 0 && zeroStreak >= MAX_ZERO_STREAK) {
    return `You cannot declare 0 three rounds in a row`;
  }
  return null;
}

/** Every allowed value, ascending. Never empty: at most two values (0 and one other) are ever forbidden. */
export function allowedDeclarations(totalSoFar: number, isLast: boolean, zeroStreak: number): number[] {
  const values: number[] = [];
  for (let v = 0; v <= PILES_PER_ROUND; v++) {
    if (declarationProblem(v, totalSoFar, isLast, zeroStreak) === null) values.push(v);
  }
  return values;
}
