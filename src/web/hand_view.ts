// Your hand and your decisions: the pieces as buttons, the declaration values (refused ones disabled with the
// reason), the redeal choice, the play button with what is wrong with the selection, and the countdown.

import type { AppState } from "./app_state.ts";
import { h, renderInto } from "./dom.ts";
import { glyph, pieceName, sortHand } from "./pieces_display.ts";
import { canSelect, declareChoices, playCheck, secondsLeft } from "./table_model.ts";

function waitingLine(state: AppState): string {
  const game = state.game;
  if (game === null) return "";
  const name = (seat: number) => game.players[seat]?.name ?? `Seat ${seat + 1}`;
  const w = game.waiting;
  switch (w.kind) {
    case "redeal":
      return `Waiting for ${w.seats.map(name).join(" and ")} to decide on a redeal…`;
    case "declare":
      return `Waiting for ${name(w.seat)} to declare…`;
    case "play":
      return `Waiting for ${name(w.seat)} to play…`;
    case "advance":
      return w.after === "deal"
        ? "Dealing…"
        : w.after === "turn"
        ? "Next turn coming…"
        : "Next round coming…";
    case "over":
      return "The game is over.";
    default:
      return "";
  }
}

function decisionPanel(state: AppState) {
  const turn = state.yourTurn;
  if (turn === null) return h("p", { class: "waiting" }, waitingLine(state));
  const sent = turn.sent;
  const common = {
    "data-testid": "your-turn",
    "data-decision": turn.action,
    class: "your-turn",
  };
  if (turn.action === "declare") {
    const choices = declareChoices(state);
    const refused = choices.filter((c) => !c.allowed);
    return h(
      "div",
      common,
      h(
        "p",
        { class: "prompt" },
        h("strong", {}, "Your declaration"),
        " — how many piles will you win this round?",
      ),
      h(
        "div",
        { class: "declare-row", role: "group", "aria-label": "Declare" },
        choices.map((c) =>
          h("button", {
            type: "button",
            class: "declare",
            "data-action": "declare",
            "data-value": c.value,
            disabled: !c.allowed || sent,
            title: c.reason,
          }, c.value)
        ),
      ),
      refused.length === 0
        ? null
        : h("p", { class: "reason" }, refused.map((c) => `${c.value}: ${c.reason}`).join(" · ")),
    );
  }
  if (turn.action === "redeal") {
    const multiplier = state.game?.redeal_multiplier ?? 1;
    return h(
      "div",
      common,
      h(
        "p",
        { class: "prompt" },
        h("strong", {}, "Weak hand"),
        ` — no piece above 9 points. Ask for a redeal? Scores this round count x${
          multiplier * 2
        } if you do (now x${multiplier}), and you start the round.`,
      ),
      h(
        "div",
        { class: "buttons" },
        h(
          "button",
          { type: "button", class: "primary", "data-action": "accept-redeal", disabled: sent },
          "Redeal",
        ),
        h("button", { type: "button", "data-action": "decline-redeal", disabled: sent }, "Keep my hand"),
      ),
    );
  }
  const check = playCheck(state);
  const count = turn.required_piece_count;
  return h(
    "div",
    { ...common, "data-count": count ?? undefined },
    h(
      "p",
      { class: "prompt" },
      h("strong", {}, count === null ? "You lead" : `Play ${count}`),
      count === null
        ? " — any single piece or one-colour combination"
        : ` piece${count === 1 ? "" : "s"} to follow`,
    ),
    h(
      "div",
      { class: "play-row" },
      h(
        "span",
        { class: `check${check?.canPlay ? " ok" : ""}`, "data-testid": "play-hint" },
        check?.message ?? "",
      ),
      h(
        "span",
        { class: "buttons" },
        h("button", {
          type: "button",
          "data-action": "clear-selection",
          disabled: state.selection.length === 0 || sent,
        }, "Clear"),
        h("button", {
          type: "button",
          class: "primary",
          "data-action": "play",
          disabled: !check?.canPlay || sent,
          "aria-keyshortcuts": "Enter",
        }, "Play"),
      ),
    ),
  );
}

function handRow(state: AppState) {
  const hand = state.game?.hand;
  if (!hand || state.me?.seat === null || state.me === null) return null;
  const pieces = sortHand(hand);
  const selectable = canSelect(state);
  const check = playCheck(state);
  return pieces.map((piece, index) => {
    const selected = state.selection.includes(piece.id);
    const dim = check !== null && state.selection.length > 0 && !selected && !check.hints.has(piece.id);
    return h(
      "button",
      {
        type: "button",
        class: `piece hand-piece ${piece.color.toLowerCase()}${selected ? " selected" : ""}${
          dim ? " dim" : ""
        }`,
        "data-piece-id": piece.id,
        "aria-pressed": selected ? "true" : "false",
        "aria-label": pieceName(piece),
        "aria-keyshortcuts": String(index + 1),
        title: `${pieceName(piece)} (key ${index + 1})`,
        disabled: !selectable,
      },
      h("span", { class: "glyph", "aria-hidden": "true" }, glyph(piece)),
      h("span", { class: "pts", "aria-hidden": "true" }, piece.points),
      h("span", { class: "key", "aria-hidden": "true" }, index + 1),
    );
  });
}

export function mountHand(root: HTMLElement): (state: AppState, now: number) => void {
  const clock = h("span", { class: "countdown", "data-testid": "countdown" });
  const panel = h("div", { class: "decision" });
  const hand = h("div", { class: "hand", role: "group", "aria-label": "Your hand" });
  root.replaceChildren(h("div", { class: "decision-wrap" }, panel, clock), hand);
  return (state, now) => {
    const game = state.game;
    const playing = game !== null && state.room?.phase !== "WAITING" && state.room?.phase !== undefined;
    root.hidden = !playing || state.me === null || state.me.seat === null;
    renderInto(
      panel,
      JSON.stringify([state.yourTurn, state.selection, game?.waiting, game?.players, game?.hand]),
      () => decisionPanel(state),
    );
    renderInto(hand, JSON.stringify([game?.hand, state.selection, state.yourTurn]), () => handRow(state));
    const left = secondsLeft(state, now);
    renderInto(clock, String(left), () => {
      if (left === null) return null;
      const m = Math.floor(left / 60);
      const s = String(left % 60).padStart(2, "0");
      clock.classList.toggle("urgent", left <= 10);
      return [h("span", { class: "muted" }, "time "), `${m}:${s}`];
    });
  };
}
