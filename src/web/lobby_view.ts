// The lobby: your name, creating a room with its main settings, and the public rooms, live.

import type { RoomSummary } from "../rooms/room_views.ts";
import type { AppState } from "./app_state.ts";
import { h, renderInto } from "./dom.ts";

const PHASE_WORDS: Record<string, string> = {
  WAITING: "waiting for players",
  GAME_OVER: "game over",
};

/** Presets for the create form: a person picks a pace, not five millisecond values. */
export const PACES = {
  relaxed: { after_deal_ms: 3000, after_turn_ms: 3500, after_round_ms: 9000, bot_think_ms: 1200 },
  normal: { after_deal_ms: 2000, after_turn_ms: 2500, after_round_ms: 6000, bot_think_ms: 900 },
  quick: { after_deal_ms: 800, after_turn_ms: 1200, after_round_ms: 3000, bot_think_ms: 300 },
} as const;
export type Pace = keyof typeof PACES;

function seatChip(seat: RoomSummary["seats"][number], index: number) {
  if (seat === null) return h("li", { class: "chip empty" }, `Seat ${index + 1} free`);
  return h(
    "li",
    { class: `chip ${seat.is_bot ? "bot" : "human"}${seat.connected ? "" : " away"}` },
    seat.is_bot ? h("span", { class: "tag" }, "bot") : null,
    seat.name,
  );
}

function roomCard(room: RoomSummary) {
  const free = room.seats.filter((s) => s === null).length;
  const open = room.phase === "WAITING" || room.phase === "GAME_OVER";
  const phase = PHASE_WORDS[room.phase] ?? "playing";
  return h(
    "li",
    { class: "room-card", "data-room-id": room.room_id },
    h(
      "div",
      { class: "room-card-head" },
      h("strong", { class: "room-card-name" }, room.room_name),
      h("span", { class: `pill ${open ? "open" : "busy"}` }, phase),
    ),
    h("ul", { class: "chips" }, room.seats.map(seatChip)),
    h(
      "div",
      { class: "room-card-foot" },
      h(
        "span",
        { class: "muted" },
        `${room.spectators} watching`,
        room.host === null ? "" : ` · host ${room.host}`,
      ),
      h(
        "span",
        { class: "buttons" },
        h("button", {
          type: "button",
          class: "primary",
          "data-action": "join",
          disabled: !open || free === 0,
          title: !open ? "A game is running: you can watch" : free === 0 ? "All four seats are taken" : null,
        }, "Join"),
        h("button", { type: "button", "data-action": "watch" }, "Watch"),
      ),
    ),
  );
}

/** Builds the lobby's fixed parts once and returns the function that keeps the room list current. */
export function mountLobby(root: HTMLElement, playerName: string): (state: AppState) => void {
  const list = h("ul", { class: "room-list", id: "rooms" });
  root.replaceChildren(
    h(
      "section",
      { class: "lobby" },
      h(
        "div",
        { class: "panel intro" },
        h("h1", {}, "Play Liap Tui"),
        h(
          "p",
          { class: "muted" },
          "Four players, thirty-two Chinese-chess pieces, eight piles a round. Declare how many you will win, then win exactly that many.",
        ),
        h(
          "label",
          { class: "field" },
          "Your name",
          h("input", {
            type: "text",
            "data-testid": "player-name",
            id: "player-name",
            maxlength: 24,
            autocomplete: "nickname",
            placeholder: "How others see you",
            value: playerName,
            required: true,
          }),
        ),
      ),
      h(
        "form",
        { class: "panel create", id: "create-form", "data-form": "create-room" },
        h("h2", {}, "New table"),
        h(
          "label",
          { class: "field" },
          "Room name",
          h("input", {
            type: "text",
            "data-testid": "room-name",
            maxlength: 48,
            placeholder: "Friday night",
            required: true,
          }),
        ),
        h(
          "div",
          { class: "row" },
          h(
            "label",
            { class: "field" },
            "Play to",
            h(
              "select",
              { name: "target_score" },
              [20, 30, 50, 75, 100].map((n) => h("option", { value: n, selected: n === 50 }, `${n} points`)),
            ),
          ),
          h(
            "label",
            { class: "field" },
            "Time to act",
            h(
              "select",
              { name: "turn_timeout_ms" },
              [[20, "20 s"], [30, "30 s"], [60, "60 s"], [120, "2 min"], [0, "no limit"]].map(([s, label]) =>
                h("option", { value: Number(s) * 1000, selected: s === 60 }, String(label))
              ),
            ),
          ),
          h(
            "label",
            { class: "field" },
            "Pace",
            h(
              "select",
              { name: "pace" },
              h("option", { value: "relaxed" }, "relaxed"),
              h("option", { value: "normal", selected: true }, "normal"),
              h("option", { value: "quick" }, "quick"),
            ),
          ),
          h(
            "label",
            { class: "field" },
            "Bots",
            h(
              "select",
              { name: "bot_difficulty" },
              h("option", { value: "normal", selected: true }, "normal"),
              h("option", { value: "easy" }, "easy"),
            ),
          ),
        ),
        h(
          "label",
          { class: "check" },
          h("input", { type: "checkbox", name: "is_public", checked: true }),
          "List it in the lobby (otherwise only people with the link can join)",
        ),
        h("button", { type: "submit", class: "primary big", "data-testid": "create-room" }, "Create room"),
      ),
      h(
        "section",
        { class: "panel rooms" },
        h("h2", {}, "Open tables"),
        list,
      ),
    ),
  );
  return (state) => {
    const rooms = state.lobby.rooms;
    renderInto(list, JSON.stringify([state.lobby.loaded, rooms]), () => {
      if (!state.lobby.loaded) return h("li", { class: "muted empty-list" }, "Loading tables…");
      if (rooms.length === 0) {
        return h("li", { class: "muted empty-list" }, "No public rooms yet. Create one and invite friends.");
      }
      return rooms.map(roomCard);
    });
  };
}
