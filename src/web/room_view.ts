// The room around the table: its name and link, leaving, joining or watching as a visitor, spectators, and
// the host's controls (every room setting with its bounds, start with "fill empty seats with bots").

import { DEFAULT_SETTINGS, type RoomSettings, SETTING_LIMITS } from "../rooms/settings.ts";
import type { AppState } from "./app_state.ts";
import { h, renderInto } from "./dom.ts";
import { hostControlsOpen } from "./table_model.ts";

interface NumberSetting {
  key: Exclude<keyof RoomSettings, "bot_difficulty" | "is_public">;
  label: string;
  min: number;
  max: number;
  unit: string;
}

/** Every numeric setting of protocol.md, with the bounds the server enforces. */
export const NUMBER_SETTINGS: readonly NumberSetting[] = [
  { key: "target_score", label: "Play to", min: 1, max: SETTING_LIMITS.maxTargetScore, unit: "points" },
  {
    key: "max_rounds",
    label: "Round limit",
    min: 0,
    max: SETTING_LIMITS.maxRounds,
    unit: "rounds, 0 = none",
  },
  {
    key: "turn_timeout_ms",
    label: "Time to act",
    min: 0,
    max: SETTING_LIMITS.maxTimeoutMs,
    unit: "ms, 0 = none",
  },
  {
    key: "redeal_timeout_ms",
    label: "Time for a redeal decision",
    min: 0,
    max: SETTING_LIMITS.maxTimeoutMs,
    unit: "ms, 0 = none",
  },
  { key: "bot_think_ms", label: "Bot thinking time", min: 0, max: SETTING_LIMITS.maxDelayMs, unit: "ms" },
  { key: "after_deal_ms", label: "Pause after a deal", min: 0, max: SETTING_LIMITS.maxDelayMs, unit: "ms" },
  { key: "after_turn_ms", label: "Pause after a turn", min: 0, max: SETTING_LIMITS.maxDelayMs, unit: "ms" },
  { key: "after_round_ms", label: "Pause after a round", min: 0, max: SETTING_LIMITS.maxDelayMs, unit: "ms" },
  {
    key: "reconnect_grace_ms",
    label: "Wait for a dropped player",
    min: 0,
    max: SETTING_LIMITS.maxTimeoutMs,
    unit: "ms",
  },
  { key: "max_spectators", label: "Spectators", min: 0, max: SETTING_LIMITS.maxSpectators, unit: "at most" },
];

function settingsForm(state: AppState) {
  const settings = state.room?.settings ?? DEFAULT_SETTINGS;
  const waiting = state.room?.phase === "WAITING";
  const free = state.room?.seats.filter((s) => s === null).length ?? 4;
  return h(
    "form",
    { class: "panel host", "data-form": "settings" },
    h(
      "div",
      { class: "host-head" },
      h("h2", {}, "Host controls"),
      waiting
        ? h(
          "span",
          { class: "buttons" },
          free === 0 ? null : h(
            "label",
            { class: "check" },
            h("input", { type: "checkbox", "data-testid": "fill-with-bots", checked: true }),
            `Fill ${free} empty seat${free === 1 ? "" : "s"} with bots`,
          ),
          h("button", { type: "button", class: "primary big", "data-action": "start" }, "Start game"),
        )
        : null,
    ),
    h(
      "div",
      { class: "settings-grid" },
      NUMBER_SETTINGS.map((s) =>
        h(
          "label",
          { class: "field" },
          s.label,
          h("input", {
            type: "number",
            inputmode: "numeric",
            "data-setting": s.key,
            min: s.min,
            max: s.max,
            step: 1,
            value: settings[s.key],
            required: true,
          }),
          h("small", { class: "muted" }, `${s.min}–${s.max} ${s.unit}`),
        )
      ),
      h(
        "label",
        { class: "field" },
        "Bots play",
        h(
          "select",
          { "data-setting": "bot_difficulty" },
          h("option", { value: "normal", selected: settings.bot_difficulty === "normal" }, "normal"),
          h("option", { value: "easy", selected: settings.bot_difficulty === "easy" }, "easy"),
        ),
      ),
      h(
        "label",
        { class: "check" },
        h("input", { type: "checkbox", "data-setting": "is_public", checked: settings.is_public }),
        "Listed in the lobby",
      ),
    ),
    h(
      "div",
      { class: "buttons spread" },
      h("small", { class: "muted" }, "Play-to and the round limit take effect when a game starts."),
      h("button", { type: "submit", "data-action": "save-settings" }, "Save settings"),
    ),
  );
}

function joinPanel(state: AppState) {
  const running = state.room !== null && state.room.phase !== "WAITING" && state.room.phase !== "GAME_OVER";
  const full = state.room !== null && state.room.seats.every((s) => s !== null);
  return h(
    "form",
    { class: "panel join", "data-form": "join" },
    h("h2", {}, state.room === null ? "A new table" : `Join ${state.room.room_name}`),
    h(
      "label",
      { class: "field" },
      "Your name",
      h("input", {
        type: "text",
        "data-testid": "player-name",
        maxlength: 24,
        autocomplete: "nickname",
        value: state.playerName,
        required: true,
      }),
    ),
    h(
      "div",
      { class: "buttons" },
      h("button", {
        type: "submit",
        class: "primary",
        "data-action": "join-room",
        disabled: running || full,
        title: running
          ? "A game is running: watch it, or join when it ends"
          : full
          ? "All seats are taken"
          : null,
      }, "Take a seat"),
      h("button", { type: "button", "data-action": "watch" }, "Watch"),
    ),
  );
}

function head(state: AppState) {
  const room = state.room;
  const url = location.href.split("?")[0] ?? location.href;
  const spectators = room?.spectators ?? [];
  return [
    h(
      "div",
      { class: "room-head-main" },
      h("h1", {}, room?.room_name ?? (state.route.kind === "room" ? state.route.roomId : "")),
      h(
        "p",
        { class: "muted" },
        spectators.length === 0 ? "Nobody watching" : `Watching: ${spectators.map((s) => s.name).join(", ")}`,
      ),
    ),
    h(
      "div",
      { class: "buttons" },
      h("input", {
        type: "text",
        readonly: true,
        class: "share",
        value: url,
        "aria-label": "Link to this room",
      }),
      h("button", { type: "button", "data-action": "copy-link" }, "Copy link"),
      state.me === null
        ? null
        : h("button", { type: "button", class: "quiet", "data-action": "leave" }, "Leave"),
    ),
  ];
}

export function mountRoomParts(
  headRoot: HTMLElement,
  hostRoot: HTMLElement,
  joinRoot: HTMLElement,
): (state: AppState) => void {
  return (state) => {
    const room = state.room;
    renderInto(
      headRoot,
      JSON.stringify([room?.room_name, room?.spectators, state.me === null, state.route]),
      () => head(state),
    );
    const host = hostControlsOpen(state);
    hostRoot.hidden = !host;
    renderInto(
      hostRoot,
      JSON.stringify([host, room?.settings, room?.phase, room?.seats.map((s) => s === null)]),
      () => (host ? settingsForm(state) : null),
    );
    const visitor = state.me === null && state.link === "open";
    joinRoot.hidden = !visitor;
    renderInto(
      joinRoot,
      JSON.stringify([visitor, room?.phase, room?.seats.map((s) => s === null), room?.room_name]),
      () => (visitor ? joinPanel(state) : null),
    );
  };
}
