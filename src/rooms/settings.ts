// Room settings: their defaults and limits. Plain data, shared by the room, the protocol schemas and the page.

/** Everything a host may tune before the start. Delays are display pauses in milliseconds. */
export interface RoomSettings {
  after_deal_ms: number;
  after_turn_ms: number;
  after_round_ms: number;
  bot_think_ms: number;
  /** 0 = no limit. */
  turn_timeout_ms: number;
  redeal_timeout_ms: number;
  reconnect_grace_ms: number;
  target_score: number;
  /** 0 = no cap. */
  max_rounds: number;
  bot_difficulty: "easy" | "normal";
  is_public: boolean;
  max_spectators: number;
}

/** A pleasant pace for people at a table; tests and benchmarks set every delay to 0. */
export const DEFAULT_SETTINGS: Readonly<RoomSettings> = Object.freeze({
  after_deal_ms: 2_000,
  after_turn_ms: 2_500,
  after_round_ms: 6_000,
  bot_think_ms: 900,
  turn_timeout_ms: 60_000,
  redeal_timeout_ms: 30_000,
  reconnect_grace_ms: 30_000,
  target_score: 50,
  max_rounds: 0,
  bot_difficulty: "normal",
  is_public: true,
  max_spectators: 20,
});

/** Upper bounds the schema enforces, so a host cannot park a room for a year. */
export const SETTING_LIMITS = {
  maxDelayMs: 60_000,
  maxTimeoutMs: 600_000,
  maxTargetScore: 1_000,
  maxRounds: 200,
  maxSpectators: 100,
} as const;

/** Every pause and deadline off: a game runs as fast as the machine allows (tests, benchmarks). */
export const NO_DELAYS: Readonly<Partial<RoomSettings>> = Object.freeze({
  after_deal_ms: 0,
  after_turn_ms: 0,
  after_round_ms: 0,
  bot_think_ms: 0,
  turn_timeout_ms: 0,
  redeal_timeout_ms: 0,
});
