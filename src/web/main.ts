// The page's entry: picks the lobby or a room from the address, holds the one state value, feeds server frames
// through `receive`, carries out effects, and turns clicks, forms and keys into messages. Bundled to /app.js.

import type { ServerFrame } from "../protocol/server_events.ts";
import { type AppState, initialState, type LinkStatus, routeOf } from "./app_state.ts";
import { mountChat } from "./chat_view.ts";
import { h } from "./dom.ts";
import { mountHand } from "./hand_view.ts";
import { type LobbyLink, openLobbyLink, openRoomLink, type RoomLink } from "./link.ts";
import { clearSelection, markSent, setLink, showError, toggleSelection } from "./local_actions.ts";
import { mountLobby, type Pace, PACES } from "./lobby_view.ts";
import { pieceCommand } from "./keyboard.ts";
import { chatLine, playerNameProblem, roomNameProblem } from "./names.ts";
import { type Effect, receive } from "./receive.ts";
import { mountRoomParts, NUMBER_SETTINGS } from "./room_view.ts";
import { mountScores } from "./scores_view.ts";
import { session } from "./session.ts";
import { currentPhase, playCheck, turnTitle } from "./table_model.ts";
import { mountTable } from "./table_view.ts";

/** How long a notice or an error stays up. */
const SHOW_MS = 8_000;

const LINK_WORDS: Record<LinkStatus, string> = {
  connecting: "connecting…",
  open: "connected",
  reconnecting: "reconnecting…",
  replaced: "open in another tab",
  removed: "closed by the operator",
  closed: "offline",
};

const route = routeOf(location.pathname);
const params = new URLSearchParams(location.search);
let state: AppState = initialState(route, session.name());
let views: ((state: AppState, now: number) => void)[] = [];
let roomLink: RoomLink | null = null;
let lobbyLink: LobbyLink | null = null;
/** From a lobby "Join"/"Watch" click: join as soon as the room channel is open. */
let autoJoin: "player" | "spectator" | null = params.get("join") !== null
  ? "player"
  : params.get("watch") !== null
  ? "spectator"
  : null;

const el = <T extends HTMLElement = HTMLElement>(selector: string) => document.querySelector<T>(selector)!;

function renderChrome(now: number): void {
  const phase = el("[data-testid=phase]");
  const current = currentPhase(state);
  phase.hidden = route.kind !== "room";
  if (phase.dataset.phase !== current) {
    phase.dataset.phase = current;
    phase.textContent = current.replace("_", " ").toLowerCase();
  }
  const link = el("#link");
  // Only on a change: this runs every 250 ms, and a status set again is a mutation to observers and assistive tech.
  if (link.dataset.status !== state.link) {
    link.dataset.status = state.link;
    link.textContent = LINK_WORDS[state.link];
  }
  const notice = state.notice !== null && now - state.notice.at < SHOW_MS ? state.notice.text : "";
  const noticeBar = el("#notice");
  if (noticeBar.textContent !== notice) noticeBar.textContent = notice;
  noticeBar.classList.toggle("shown", notice !== "");
  const error = state.error !== null && now - state.error.at < SHOW_MS ? state.error : null;
  const toast = el("#error");
  const key = error === null ? "" : `${error.at}:${error.message}`;
  if (toast.dataset.key !== key) {
    toast.dataset.key = key;
    // A tap (or a click) dismisses it: on a phone it may sit over what the player wants to touch next.
    toast.replaceChildren(
      error === null ? "" : h(
        "p",
        { "data-testid": "error", "data-action": "dismiss-error", title: "Tap to dismiss" },
        error.message,
      ),
    );
  }
  const title = [turnTitle(state), state.room?.room_name, "Liap Tui"].filter((t) => t != null).join(" · ");
  if (document.title !== title) document.title = title;
}

function render(): void {
  const now = Date.now();
  renderChrome(now);
  for (const view of views) view(state, now);
}

function setState(next: AppState): void {
  if (next === state) return;
  state = next;
  render();
}

function runEffect(effect: Effect): void {
  switch (effect.kind) {
    case "send":
      roomLink?.send(effect.event, {});
      break;
    case "navigate":
      location.assign(effect.path);
      break;
  }
}

function onFrame(frame: ServerFrame): void {
  const { state: next, effects } = receive(state, frame, Date.now());
  setState(next);
  for (const effect of effects) runEffect(effect);
  if (autoJoin !== null && frame.event === "connected" && state.me === null) {
    join(autoJoin);
    autoJoin = null;
    history.replaceState(null, "", location.pathname);
  }
}

function onStatus(status: LinkStatus): void {
  setState(setLink(state, status));
}

function nameOrComplain(): string | null {
  const name = state.playerName.trim();
  const problem = playerNameProblem(name);
  if (problem !== null) {
    setState(showError(state, problem, Date.now()));
    document.querySelector<HTMLInputElement>("[data-testid=player-name]")?.focus();
    return null;
  }
  return name;
}

function join(as: "player" | "spectator"): void {
  const name = nameOrComplain();
  if (name !== null) roomLink?.send("join_room", { player_name: name, as });
}

function sendDecision(send: () => boolean): void {
  if (send()) setState(markSent(state));
  else setState(showError(state, "Not connected: trying again…", Date.now()));
}

function play(): void {
  const check = playCheck(state);
  if (check === null || state.yourTurn?.sent) return;
  if (!check.canPlay) {
    setState(showError(state, check.message, Date.now()));
    return;
  }
  const ids = state.selection.slice();
  sendDecision(() => roomLink?.send("play", { piece_ids: ids }) ?? false);
}

function saveSettings(form: HTMLFormElement): void {
  const patch: Record<string, number | boolean | string> = {};
  for (const s of NUMBER_SETTINGS) {
    const input = form.querySelector<HTMLInputElement>(`[data-setting=${s.key}]`);
    if (input === null) continue;
    const value = Number(input.value);
    if (!Number.isInteger(value) || value < s.min || value > s.max) {
      setState(showError(state, `${s.label}: a whole number from ${s.min} to ${s.max}`, Date.now()));
      input.focus();
      return;
    }
    patch[s.key] = value;
  }
  const difficulty = form.querySelector<HTMLSelectElement>("[data-setting=bot_difficulty]")?.value;
  if (difficulty === "easy" || difficulty === "normal") patch.bot_difficulty = difficulty;
  const listed = form.querySelector<HTMLInputElement>("[data-setting=is_public]");
  if (listed !== null) patch.is_public = listed.checked;
  roomLink?.send("update_settings", patch);
}

function onAction(action: string, target: HTMLElement): void {
  const seat = Number(target.dataset.seat);
  switch (action) {
    case "join":
    case "watch": {
      if (route.kind === "room") {
        join(action === "watch" ? "spectator" : "player");
        return;
      }
      const roomId = target.closest<HTMLElement>("[data-room-id]")?.dataset.roomId;
      if (roomId === undefined) return;
      if (action === "join" && nameOrComplain() === null) return;
      location.assign(`/room/${encodeURIComponent(roomId)}?${action}=1`);
      return;
    }
    case "add-bot":
      roomLink?.send("add_bot", { seat });
      return;
    case "remove-bot":
      roomLink?.send("remove_bot", { seat });
      return;
    case "remove-player":
      roomLink?.send("remove_player", { seat });
      return;
    case "start": {
      const fill = document.querySelector<HTMLInputElement>("[data-testid=fill-with-bots]");
      roomLink?.send("start_game", { fill_with_bots: fill?.checked ?? false });
      return;
    }
    case "leave":
      roomLink?.send("leave_room", {});
      return;
    case "declare":
      sendDecision(() => roomLink?.send("declare", { value: Number(target.dataset.value) }) ?? false);
      return;
    case "accept-redeal":
      sendDecision(() => roomLink?.send("accept_redeal", {}) ?? false);
      return;
    case "decline-redeal":
      sendDecision(() => roomLink?.send("decline_redeal", {}) ?? false);
      return;
    case "play":
      play();
      return;
    case "clear-selection":
      setState(clearSelection(state));
      return;
    case "dismiss-error":
      setState({ ...state, error: null });
      return;
    case "copy-link": {
      const url = location.href.split("?")[0] ?? location.href;
      navigator.clipboard?.writeText(url).then(
        () =>
          setState({ ...state, notice: { text: "Link copied: send it to your friends", at: Date.now() } }),
        () => document.querySelector<HTMLInputElement>("input.share")?.select(),
      );
      return;
    }
  }
}

function onSubmit(form: HTMLFormElement): void {
  switch (form.dataset.form) {
    case "create-room": {
      const name = nameOrComplain();
      if (name === null) return;
      const roomName = form.querySelector<HTMLInputElement>("[data-testid=room-name]")?.value.trim() ?? "";
      const problem = roomNameProblem(roomName);
      if (problem !== null) {
        setState(showError(state, problem, Date.now()));
        form.querySelector<HTMLInputElement>("[data-testid=room-name]")?.focus();
        return;
      }
      const field = (n: string) => form.querySelector<HTMLSelectElement>(`[name=${n}]`)?.value ?? "";
      const pace = PACES[(field("pace") in PACES ? field("pace") : "normal") as Pace];
      const listed = form.querySelector<HTMLInputElement>("[name=is_public]")?.checked ?? true;
      lobbyLink?.send("create_room", {
        room_name: roomName,
        player_name: name,
        is_public: listed,
        settings: {
          ...pace,
          target_score: Number(field("target_score")) || 50,
          turn_timeout_ms: Number(field("turn_timeout_ms")),
          bot_difficulty: field("bot_difficulty") === "easy" ? "easy" : "normal",
        },
      });
      return;
    }
    case "join":
      join("player");
      return;
    case "settings":
      saveSettings(form);
      return;
    case "chat": {
      const input = form.querySelector<HTMLInputElement>("[data-testid=chat-input]");
      const message = chatLine(input?.value ?? "");
      if (input === null || message === "") return;
      if (roomLink?.send("chat", { message })) input.value = "";
      return;
    }
  }
}

function onKey(event: KeyboardEvent): void {
  const target = event.target as HTMLElement | null;
  // Enter on another focused button (declare, leave, …) is that button's own click.
  if (event.key === "Enter" && target?.closest("button:not([data-piece-id])")) return;
  if (target?.closest("input, select, textarea") || event.altKey || event.ctrlKey || event.metaKey) return;
  const focused = target?.closest<HTMLElement>("[data-piece-id]")?.dataset.pieceId;
  const command = pieceCommand(state, event.key, focused === undefined ? null : Number(focused));
  if (command === null) return;
  event.preventDefault();
  switch (command.kind) {
    case "toggle":
      setState(toggleSelection(state, command.pieceId));
      document.querySelector<HTMLElement>(`[data-piece-id="${command.pieceId}"]`)?.focus();
      return;
    case "play":
      play();
      return;
    case "clear":
      setState(clearSelection(state));
      return;
    case "focus":
      document.querySelector<HTMLElement>(command.selector)?.focus();
      return;
  }
}

function wireEvents(): void {
  document.addEventListener("click", (event) => {
    const target = event.target as HTMLElement;
    const piece = target.closest<HTMLElement>("[data-piece-id]");
    if (piece !== null && piece.tagName === "BUTTON") {
      setState(toggleSelection(state, Number(piece.dataset.pieceId)));
      return;
    }
    const actionEl = target.closest<HTMLElement>("[data-action]");
    if (actionEl === null || (actionEl as HTMLButtonElement).disabled) return;
    if (actionEl.getAttribute("type") === "submit") return; // The form's submit handler takes it.
    onAction(actionEl.dataset.action ?? "", actionEl);
  });
  document.addEventListener("submit", (event) => {
    event.preventDefault();
    onSubmit(event.target as HTMLFormElement);
  });
  document.addEventListener("input", (event) => {
    const input = event.target as HTMLInputElement;
    if (input.dataset.testid === "player-name") {
      session.setName(input.value);
      state = { ...state, playerName: input.value };
    }
  });
  document.addEventListener("keydown", onKey);
}

function mountRoom(roomId: string): void {
  const app = el("#app");
  const headRoot = h("div", { class: "room-head" });
  const joinRoot = h("div", { class: "join-wrap" });
  const tableRoot = h("section", { class: "table-wrap", "aria-label": "Table" });
  const handRoot = h("section", { class: "hand-wrap", "aria-label": "Your hand" });
  const scoresRoot = h("section", { class: "scores-wrap" });
  const hostRoot = h("section", { class: "host-wrap" });
  const chatRoot = h("aside", { class: "panel chat", "aria-label": "Chat" });
  app.replaceChildren(
    headRoot,
    h(
      "div",
      { class: "room-grid" },
      h("div", { class: "play-col" }, joinRoot, scoresRoot, tableRoot, handRoot, hostRoot),
      chatRoot,
    ),
  );
  const renderTable = mountTable(tableRoot);
  const renderHand = mountHand(handRoot);
  const renderScores = mountScores(scoresRoot);
  const renderChat = mountChat(chatRoot);
  const renderParts = mountRoomParts(headRoot, hostRoot, joinRoot);
  views = [renderParts, renderTable, renderHand, renderScores, renderChat];
  roomLink = openRoomLink(roomId, { frame: onFrame, status: onStatus });
}

function mountLobbyPage(): void {
  const app = el("#app");
  views = [mountLobby(app, state.playerName)];
  lobbyLink = openLobbyLink({ frame: onFrame, status: onStatus });
}

function start(): void {
  wireEvents();
  if (route.kind === "room") mountRoom(route.roomId);
  else mountLobbyPage();
  render();
  // Countdown, and notices and errors that time out.
  setInterval(render, 250);
}

start();
