// The planted bugs: single-line changes to the engine, the room and the net layer that the suite must catch.
// Each names a snippet that must occur exactly once in its file, so a refactor that moves it fails loudly.

export interface Mutant {
  /** Short name, shown in the table and accepted by --only. */
  name: string;
  /** The rule the change breaks, in words. */
  breaks: string;
  /** Repository-relative path of the file to change. */
  file: string;
  /** Source text that must occur exactly once in `file`. */
  find: string;
  /** What it becomes. */
  replace: string;
  /** Test files or folders run against the mutant; the suite must fail. */
  tests: readonly string[];
}

const ENGINE_TESTS = ["tests/game"];
const ROOM_TESTS = ["tests/rooms", "tests/net", "tests/http"];

export const MUTANTS: readonly Mutant[] = [
  {
    name: "hit-bonus",
    breaks: "an exact non-zero declaration scores declared + 5",
    file: "src/game/scoring.ts",
    find: "export const HIT_BONUS = 5;",
    replace: "export const HIT_BONUS = 4;",
    tests: ENGINE_TESTS,
  },
  {
    name: "zero-miss-penalty",
    breaks: "declaring 0 and capturing A piles scores -A",
    file: "src/game/scoring.ts",
    find: "if (declared === 0) return actual === 0 ? ZERO_HIT_BONUS : -actual;",
    replace: "if (declared === 0) return actual === 0 ? ZERO_HIT_BONUS : 0;",
    tests: ENGINE_TESTS,
  },
  {
    name: "redeal-multiplier",
    breaks: "an accepted redeal raises the multiplier by one",
    file: "src/game/phase_preparation.ts",
    find: "next.multiplier += 1;",
    replace: "next.multiplier += 2;",
    tests: ENGINE_TESTS,
  },
  {
    name: "weak-hand",
    breaks: "a hand is weak when no piece is worth more than 9 points",
    file: "src/game/pieces.ts",
    find: "return hand.every((p) => p.points <= WEAK_HAND_MAX_POINTS);",
    replace: "return hand.every((p) => p.points < WEAK_HAND_MAX_POINTS);",
    tests: ENGINE_TESTS,
  },
  {
    name: "turn-tie",
    breaks: "an equal play does not beat the earlier one: the first played wins a tie",
    file: "src/game/play_types.ts",
    find: "challenger.strength > best.strength;",
    replace: "challenger.strength >= best.strength;",
    tests: ENGINE_TESTS,
  },
  {
    name: "game-tie",
    breaks: "every seat with the highest total shares the win",
    file: "src/game/scoring.ts",
    find: "return { winners: rankings.filter((r) => r.score === top).map((r) => r.seat), rankings };",
    replace: "return { winners: rankings.slice(0, 1).map((r) => r.seat), rankings };",
    tests: ENGINE_TESTS,
  },
  {
    name: "last-declarer",
    breaks: "the fourth declarer may not make the total 8 (the engine never treats anyone as last)",
    file: "src/game/phase_declaration.ts",
    find: "isLast: made === 3,",
    replace: "isLast: made === 4,",
    tests: ENGINE_TESTS,
  },
  {
    name: "zero-streak",
    breaks: "a non-zero declaration resets the zero streak",
    file: "src/game/phase_declaration.ts",
    find: "zeroStreak: value === 0 ? player.zeroStreak + 1 : 0,",
    replace: "zeroStreak: value === 0 ? player.zeroStreak + 1 : player.zeroStreak,",
    tests: ENGINE_TESTS,
  },
  {
    name: "turn-order",
    breaks: "play and declaration go round the table in seat order, not backwards",
    file: "src/game/state.ts",
    find: "return [first, ((first + 1) % 4) as Seat, ((first + 2) % 4) as Seat, ((first + 3) % 4) as Seat];",
    replace:
      "return [first, ((first + 3) % 4) as Seat, ((first + 2) % 4) as Seat, ((first + 1) % 4) as Seat];",
    tests: ENGINE_TESTS,
  },
  {
    name: "spectator-hand",
    breaks: "a spectator's view holds no hand",
    file: "src/game/view.ts",
    find: "hand: viewer === null ? null : state.hands[viewer].slice(),",
    replace: "hand: viewer === null ? state.hands[0].slice() : state.hands[viewer].slice(),",
    tests: [...ENGINE_TESTS, ...ROOM_TESTS],
  },
  {
    name: "neighbour-hand",
    breaks: "the room sends each human their own hand, never a neighbour's",
    file: "src/rooms/table_game.ts",
    find: `this.#room.sendPrivate(member.name, "hand", { pieces: viewFor(this.#state, seat).hand ?? [] });`,
    replace:
      `this.#room.sendPrivate(member.name, "hand", { pieces: viewFor(this.#state, ((seat + 1) % 4) as Seat).hand ?? [] });`,
    tests: ROOM_TESTS,
  },
  {
    name: "skipped-seq",
    breaks: "room broadcasts are numbered without gaps (here a turn_result skips one)",
    file: "src/rooms/room.ts",
    find: "    this.#seq += 1;\n    this.#broadcasts.push({ event, data, seq: this.#seq });",
    replace:
      `    this.#seq += event === "turn_result" ? 2 : 1;\n    this.#broadcasts.push({ event, data, seq: this.#seq });`,
    tests: ROOM_TESTS,
  },
  {
    name: "rate-limit",
    breaks: "a connection with no token left in its bucket is refused",
    file: "src/net/rate_limiter.ts",
    find: "if (this.#tokens < 1) return false;",
    replace: "if (this.#tokens < 0) return false;",
    tests: ROOM_TESTS,
  },
  {
    name: "activity-ignored",
    breaks: "any frame from a client counts as activity and keeps it from the idle close",
    file: "src/net/connection.ts",
    find: "    this.lastActivity = now;\n    this.warned = false;",
    replace: "    void now;\n    this.warned = false;",
    tests: ROOM_TESTS,
  },
];
