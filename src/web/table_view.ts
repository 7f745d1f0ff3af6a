// The table: four seats around the felt, who is to act, each seat's declaration, piles and score, and the
// pieces of the turn in front of whoever played them. Before a game, the host fills seats from here.

import type { Piece } from "../game/pieces.ts";
import type { AppState } from "./app_state.ts";
import { h, renderInto } from "./dom.ts";
import { pieceDisc } from "./piece_node.ts";
import { playTypeName } from "./pieces_display.ts";
import { hostControlsOpen, type SeatView, seatViews } from "./table_model.ts";

const POSITIONS = ["bottom", "right", "top", "left"] as const;

function stat(label: string, testid: string, seat: number, value: number | null, title: string) {
  return h(
    "span",
    { class: "stat", title },
    h("span", { class: "stat-label" }, label),
    h(
      "span",
      { class: "stat-value", "data-testid": testid, "data-seat": seat },
      value === null ? "–" : value,
    ),
  );
}

function seatControls(view: SeatView, host: boolean, phaseOpen: boolean) {
  if (!host || !phaseOpen) return null;
  if (view.occupant === "empty") {
    return h(
      "button",
      { type: "button", class: "small", "data-action": "add-bot", "data-seat": view.seat },
      "Add bot",
    );
  }
  if (view.occupant === "bot") {
    return h("button", {
      type: "button",
      class: "small",
      "data-action": "remove-bot",
      "data-seat": view.seat,
    }, "Remove bot");
  }
  if (!view.isYou) {
    return h(
      "button",
      { type: "button", class: "small danger", "data-action": "remove-player", "data-seat": view.seat },
      "Remove",
    );
  }
  return null;
}

function seatCard(view: SeatView, state: AppState, inGame: boolean) {
  const host = hostControlsOpen(state);
  const classes = ["seat", POSITIONS[view.position], view.occupant];
  if (view.toAct) classes.push("to-act");
  if (view.isYou) classes.push("you");
  if (view.occupant === "human" && !view.connected) classes.push("away");
  const badges = [
    view.isHost ? h("span", { class: "tag host", title: "Host" }, "host") : null,
    view.occupant === "bot" ? h("span", { class: "tag", title: "A computer player" }, "bot") : null,
    view.botStandIn
      ? h("span", { class: "tag warn", title: "A bot plays until they come back" }, "bot playing")
      : null,
    view.occupant === "human" && !view.connected && !view.botStandIn
      ? h("span", { class: "tag warn", title: "Connection lost" }, "away")
      : null,
  ];
  return h(
    "div",
    {
      class: classes.join(" "),
      "data-seat": view.seat,
      "data-occupant": view.occupant,
      "data-you": view.isYou,
      "aria-label": view.occupant === "empty"
        ? `Seat ${view.seat + 1}, empty`
        : `Seat ${view.seat + 1}, ${view.name}`,
    },
    h(
      "div",
      { class: "seat-name" },
      h("span", {
        class: `dot${view.connected || view.occupant === "bot" ? " on" : ""}`,
        "aria-hidden": "true",
      }),
      h("span", { class: "name" }, view.occupant === "empty" ? "Empty seat" : view.name),
      view.isYou ? h("span", { class: "tag you" }, "you") : null,
      badges,
    ),
    inGame
      ? h(
        "div",
        { class: "seat-stats" },
        stat("bid", "declared", view.seat, view.declared, "Declared this round"),
        stat("won", "captured", view.seat, view.captured, "Piles captured this round"),
        stat("score", "score", view.seat, view.score, "Total score"),
      )
      : null,
    view.toAct ? h("div", { class: "acting" }, view.isYou ? "your move" : "thinking…") : null,
    seatControls(view, host, !inGame || state.room?.phase === "GAME_OVER"),
  );
}

function trickSlot(position: string, pieces: Piece[] | undefined, winner: boolean) {
  return h(
    "div",
    { class: `slot ${position}${winner ? " winner" : ""}` },
    pieces === undefined ? null : pieces.map((p) => pieceDisc(p)),
  );
}

function centre(state: AppState, views: SeatView[]) {
  const game = state.game;
  const phase = game?.phase;
  if (game === null || state.room?.phase === "WAITING") {
    const free = views.filter((v) => v.occupant === "empty").length;
    return h(
      "div",
      { class: "centre-note" },
      h("strong", {}, free === 0 ? "The table is full" : `${free} seat${free === 1 ? "" : "s"} free`),
      h("span", {}, free === 0 ? "The host can start the game" : "Invite friends with the link, or add bots"),
    );
  }
  const showing = phase === "TURN_RESULTS" || (phase === "SCORING" && game.last_turn !== null)
    ? game.last_turn
    : null;
  const plays = showing?.plays ?? game.turn?.plays ?? [];
  const bySeat = new Map(plays.map((p) => [p.seat, p.pieces]));
  const lead = game.turn?.plays[0];
  let caption: string;
  if (showing !== null) {
    const winner = game.players[showing.winner_seat]?.name ?? "";
    caption = `${winner} wins ${showing.piles_won} pile${showing.piles_won === 1 ? "" : "s"}`;
  } else if (phase === "TURN" && game.turn) {
    caption = lead === undefined
      ? `Turn ${game.turn.number}: ${game.players[game.turn.starter_seat]?.name} leads`
      : `Turn ${game.turn.number}: ${lead.player} led ${playTypeName(lead.play_type, true)}`;
  } else if (phase === "DECLARATION") {
    caption = `Bids so far: ${game.declaration_total} for 8 piles`;
  } else if (phase === "PREPARATION") {
    caption = game.redeal !== null && game.redeal.weak_seats.length > 0
      ? `Weak hand: redeal? (x${game.redeal_multiplier} now)`
      : `Round ${game.round}: dealing`;
  } else if (phase === "SCORING") {
    caption = `Round ${game.round} scored`;
  } else {
    caption = "Game over";
  }
  return [
    ...views.map((v) =>
      trickSlot(POSITIONS[v.position]!, bySeat.get(v.seat as 0), showing?.winner_seat === v.seat)
    ),
    h(
      "div",
      { class: "centre-note" },
      h("strong", {}, caption),
      h(
        "span",
        { class: "muted-light" },
        // No-break spaces inside each part: a narrow table breaks the line only between them.
        `Round\u00a0${game.round} · x${game.redeal_multiplier} · to\u00a0${game.target_score}`,
      ),
    ),
  ];
}

export function mountTable(root: HTMLElement): (state: AppState) => void {
  const seats = h("div", { class: "seats" });
  const felt = h("div", { class: "trick", "aria-live": "polite" });
  root.replaceChildren(h("div", { class: "table" }, felt, seats));
  return (state) => {
    const views = seatViews(state);
    const inGame = state.game !== null && state.room?.phase !== "WAITING";
    const host = hostControlsOpen(state);
    renderInto(
      seats,
      JSON.stringify([views, inGame, host, state.room?.phase]),
      () => views.map((v) => seatCard(v, state, inGame)),
    );
    const game = state.game;
    felt.classList.toggle("waiting-room", !inGame);
    renderInto(
      felt,
      JSON.stringify([
        views.map((v) => [v.position, v.occupant]),
        state.room?.phase,
        game?.phase,
        game?.turn,
        game?.last_turn,
        game?.round,
        game?.declaration_total,
        game?.redeal,
        game?.redeal_multiplier,
      ]),
      () => centre(state, views),
    );
  };
}
