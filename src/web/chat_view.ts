// Chat beside the table: messages and what happened at the table, in order, always as plain text.

import type { AppState } from "./app_state.ts";
import { h, renderInto } from "./dom.ts";

export function mountChat(root: HTMLElement): (state: AppState) => void {
  const log = h("ol", { class: "log", id: "chat-log", "aria-live": "polite" });
  const input = h("input", {
    type: "text",
    "data-testid": "chat-input",
    maxlength: 500,
    placeholder: "Say something",
    "aria-label": "Message",
    autocomplete: "off",
  });
  const form = h(
    "form",
    { class: "chat-form", "data-form": "chat" },
    input,
    h("button", { type: "submit", "data-action": "send-chat" }, "Send"),
  );
  root.replaceChildren(h("h2", {}, "Table talk"), log, form);
  return (state) => {
    input.disabled = state.me === null;
    input.placeholder = state.me === null ? "Join or watch to chat" : "Say something";
    const lines = state.log;
    renderInto(log, `${lines.length}:${lines.at(-1)?.at ?? 0}:${lines.at(-1)?.text ?? ""}`, () => {
      if (lines.length === 0) {
        return h("li", { class: "event" }, "Nothing said yet. What happens at the table shows here too.");
      }
      const items = lines.map((line) =>
        line.kind === "chat"
          // Each in its own <bdi>: a right-to-left name or message (or one with direction marks, which chat
          // allows) is laid out on its own and cannot reorder the other.
          ? h(
            "li",
            { class: "chat" },
            h("strong", {}, h("bdi", {}, line.who ?? "")),
            " ",
            h("bdi", {}, line.text),
          )
          : h("li", { class: "event" }, line.text)
      );
      return items;
    });
    log.scrollTop = log.scrollHeight;
  };
}
