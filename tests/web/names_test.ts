// The page's own check of a name before it is sent: each refusal the server would give, in a person's words,
// and the names the server accepts pass. No browser.

import assert from "node:assert/strict";
import * as v from "valibot";
import { ChatText, PlayerName, RoomName } from "../../src/protocol/fields.ts";
import { chatLine, playerNameProblem, roomNameProblem } from "../../src/web/names.ts";

Deno.test("a player name the server would refuse is explained before it is sent", () => {
  assert.equal(playerNameProblem("  "), "Pick a name first");
  assert.match(playerNameProblem("Ann\u200b") ?? "", /invisible characters/);
  assert.match(playerNameProblem("\u202eAnn") ?? "", /invisible characters/);
  assert.match(playerNameProblem("A\u0007n") ?? "", /invisible characters/);
  assert.equal(playerNameProblem("<b>Mallory</b>"), "Names cannot contain < or >");
  assert.equal(playerNameProblem("A".repeat(25)), "Names are at most 24 characters");
});

Deno.test("the page passes exactly the player names the server accepts", () => {
  const names = [
    "Ann",
    "  Zoë  ",
    "Zoe\u0301",
    "👩‍💻 coder",
    "A".repeat(24),
    "Ann\u200b",
    "\u202eAnn",
    "<b>",
    "",
    "A".repeat(25),
    "\u{1F600}".repeat(12),
    "\u{1F600}".repeat(13),
  ];
  for (const name of names) {
    assert.equal(
      playerNameProblem(name) === null,
      v.safeParse(PlayerName, name).success,
      JSON.stringify(name),
    );
  }
});

Deno.test("a room name the server would refuse is explained before it is sent", () => {
  assert.equal(roomNameProblem(" "), "Give the room a name");
  assert.match(roomNameProblem("Friday\u200b") ?? "", /invisible characters/);
  for (
    const name of ["Friday night", '<img> & "x"', "Friday\u200b", "\u2028", "B".repeat(48), "B".repeat(49)]
  ) {
    assert.equal(roomNameProblem(name) === null, v.safeParse(RoomName, name).success, JSON.stringify(name));
  }
});

Deno.test("a chat line loses the control characters the server refuses before it is sent, and nothing else", () => {
  assert.equal(chatLine("  gg\r wp\u001b[0m \u0007 "), "gg wp[0m");
  assert.equal(chatLine("\u0000\u009b "), "");
  const kept = "tab\there, line\nbreak, é 👩‍💻 \u200f<b>";
  assert.equal(chatLine(kept), kept);
  // What is left is always a message the server's schema takes.
  for (const raw of ["a\u0085b", "\u007f x", "x\u0008\u0008y", "\u001b\u001b!"]) {
    assert.ok(v.safeParse(ChatText, chatLine(raw)).success, JSON.stringify(raw));
  }
});
