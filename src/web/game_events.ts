// Keeps the page's copy of the game (the server's GameView shape) current from broadcast game events, so a
// snapshot (`game_state`) and the events after it give the same picture. Mutates the draft it is given.

import { isPerfect } from "../game/scoring.ts";
import type { Seat } from "../game/state.ts";
import type { GameView } from "../game/view.ts";
import type { RoomState } from "../rooms/room_views.ts";
import type { PhaseChange, RoomServerEvents } from "../protocol/server_events.ts";

const SEATS: readonly Seat[] = [0, 1, 2, 3];

/** A game at its very start, for a page that saw the room but not yet any game. */
export function freshGame(room: RoomState | null, mySeat: number | null): GameView {
  const names = SEATS.map((s) => room?.seats[s]?.name ?? `Seat ${s + 1}`);
  return {
    seat: mySeat === null ? null : mySeat as Seat,
    phase: "PREPARATION",
    round: 0,
    target_score: room?.settings.target_score ?? 50,
    max_rounds: room?.settings.max_rounds ?? 0,
    redeal_multiplier: 1,
    starter_seat: null,
    starter_reason: null,
    waiting: { kind: "start" },
    players: SEATS.map((seat) => ({
      seat,
      name: names[seat]!,
      hand_size: 0,
      declared: null,
      captured_piles: 0,
      score: 0,
      zero_streak: 0,
      turns_won: 0,
      perfect_rounds: 0,
    })),
    hand: mySeat === null ? null : [],
    redeal: null,
    declaration_order: [],
    declaration_total: 0,
    turn: null,
    last_turn: null,
    played_pieces: [],
    round_scores: null,
    result: null,
  };
}

function startRound(game: GameView, change: PhaseChange): void {
  game.round = change.round;
  game.starter_seat = null;
  game.starter_reason = null;
  game.declaration_order = [];
  game.declaration_total = 0;
  game.turn = null;
  game.last_turn = null;
  game.played_pieces = [];
  game.round_scores = null;
  for (const p of game.players) {
    p.declared = null;
    p.captured_piles = 0;
    p.hand_size = 8;
  }
}

/** Applies a `phase_change` broadcast. */
export function applyPhaseChange(game: GameView, change: PhaseChange): void {
  if (change.phase === "PREPARATION") {
    // A new round, or a redeal inside the same round: either way a new deal.
    startRound(game, change);
    const weak = change.weak_seats ?? [];
    game.redeal = { weak_seats: weak.slice(), decisions: [] };
    game.waiting = weak.length > 0
      ? { kind: "redeal", seats: weak.slice() }
      : { kind: "advance", after: "deal" };
  }
  game.phase = change.phase;
  game.round = change.round;
  if (change.redeal_multiplier !== undefined) game.redeal_multiplier = change.redeal_multiplier;
  switch (change.phase) {
    case "DECLARATION":
      game.redeal = null;
      game.starter_seat = change.starter_seat ?? null;
      game.starter_reason = change.starter_reason ?? null;
      game.declaration_order = (change.declaration_order_seats ?? []).slice();
      game.waiting = { kind: "declare", seat: change.current_seat ?? 0 };
      break;
    case "TURN":
      game.turn = {
        number: change.turn ?? (game.turn?.number ?? 0) + 1,
        starter_seat: change.starter_seat ?? 0,
        order: (change.turn_order_seats ?? []).slice(),
        required_piece_count: null,
        plays: [],
      };
      game.waiting = { kind: "play", seat: change.current_seat ?? 0 };
      break;
    case "TURN_RESULTS":
      (change.pile_counts ?? []).forEach((n, seat) => {
        const player = game.players[seat];
        if (player) player.captured_piles = n;
      });
      game.waiting = { kind: "advance", after: "turn" };
      break;
    case "SCORING":
      game.turn = null;
      (change.total_scores ?? []).forEach((n, seat) => {
        const player = game.players[seat];
        if (player) player.score = n;
      });
      game.waiting = { kind: "advance", after: "round" };
      break;
    case "GAME_OVER":
      game.waiting = { kind: "over" };
      break;
    default:
      break;
  }
}

export function applyRedealDecision(game: GameView, e: RoomServerEvents["redeal_decision"]): void {
  game.redeal?.decisions.push({ seat: e.seat, accept: e.accept });
  if (game.waiting.kind === "redeal") {
    const left = game.waiting.seats.filter((s) => s !== e.seat);
    game.waiting = left.length > 0 ? { kind: "redeal", seats: left } : { kind: "advance", after: "deal" };
  }
}

export function applyDeclared(game: GameView, e: RoomServerEvents["player_declared"]): void {
  const player = game.players[e.seat];
  if (player) {
    player.declared = e.value;
    player.zero_streak = e.value === 0 ? player.zero_streak + 1 : 0;
  }
  game.declaration_total = e.total;
  const next = game.declaration_order.find((s) => game.players[s]?.declared === null);
  if (next !== undefined) game.waiting = { kind: "declare", seat: next };
}

export function applyPlayed(game: GameView, e: RoomServerEvents["player_played"]): void {
  const turn = game.turn;
  if (turn) {
    turn.plays.push({ seat: e.seat, player: e.player, pieces: e.pieces, play_type: e.play_type });
    if (turn.required_piece_count === null) turn.required_piece_count = e.pieces.length;
    const next = turn.order[turn.plays.length];
    if (next !== undefined) game.waiting = { kind: "play", seat: next };
  }
  const player = game.players[e.seat];
  if (player) player.hand_size = Math.max(0, player.hand_size - e.pieces.length);
  game.played_pieces.push(...e.pieces);
  if (e.seat === game.seat && game.hand) {
    const gone = new Set(e.pieces.map((p) => p.id));
    game.hand = game.hand.filter((p) => !gone.has(p.id));
  }
}

export function applyTurnResult(game: GameView, e: RoomServerEvents["turn_result"]): void {
  game.last_turn = { number: e.turn, winner_seat: e.winner_seat, piles_won: e.piles_won, plays: e.plays };
  const winner = game.players[e.winner_seat];
  if (winner) winner.turns_won += 1;
}

export function applyRoundScores(game: GameView, e: RoomServerEvents["round_scores"]): void {
  game.round_scores = e.scores;
  for (const s of e.scores) {
    const player = game.players[s.seat];
    if (player) {
      player.score = s.total_score;
      if (isPerfect(s.declared, s.actual)) player.perfect_rounds += 1;
    }
  }
}

export function applyGameOver(game: GameView, e: RoomServerEvents["game_over"]): void {
  game.phase = "GAME_OVER";
  game.waiting = { kind: "over" };
  game.result = { winners: e.winners, winner_seats: e.winner_seats, rankings: e.rankings };
}
