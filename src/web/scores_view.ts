// Round scores as a table (declared, captured, base, multiplier, total), the final ranking and "play again".

import type { AppState } from "./app_state.ts";
import { h, renderInto } from "./dom.ts";
import { isHost } from "./table_model.ts";

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

/** A column title in full on wide screens and short on phones, where seven columns must fit. */
function header(long: string, short: string) {
  return h(
    "th",
    { scope: "col", class: "num", title: long },
    h("span", { class: "long" }, long),
    h("span", { class: "short", "aria-hidden": "true" }, short),
  );
}

function roundTable(state: AppState) {
  const game = state.game;
  const scores = game?.round_scores;
  if (!game || !scores) return null;
  return h(
    "div",
    { class: "panel round-scores", "data-testid": "round-scores" },
    h("h2", {}, `Round ${game.round} scores`),
    h(
      "div",
      { class: "table-scroll" },
      h(
        "table",
        {},
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, "Player"),
            header("Declared", "Bid"),
            header("Captured", "Won"),
            header("Base", "Base"),
            header("Multiplier", "×"),
            header("Round", "Rnd"),
            header("Total", "Total"),
          ),
        ),
        h(
          "tbody",
          {},
          scores.map((s) =>
            h(
              "tr",
              { class: s.declared === s.actual ? "hit" : "miss" },
              h("th", { scope: "row" }, s.player),
              h("td", { class: "num" }, s.declared),
              h("td", { class: "num" }, s.actual),
              h("td", { class: "num" }, signed(s.base_score)),
              h("td", { class: "num" }, `×${s.multiplier}`),
              h("td", { class: "num strong" }, signed(s.final_score)),
              h("td", { class: "num strong" }, s.total_score),
            )
          ),
        ),
      ),
    ),
  );
}

/** Every round seen in this session, one row each, so a game's story reads at a glance. */
function scoreSheet(state: AppState) {
  const rounds = state.roundHistory;
  const players = state.game?.players ?? [];
  if (rounds.length < 2 || players.length === 0) return null;
  return h(
    "div",
    { class: "panel round-scores sheet" },
    h("h2", {}, "Score sheet"),
    h(
      "div",
      { class: "table-scroll" },
      h(
        "table",
        {},
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, "Round"),
            players.map((p) => h("th", { scope: "col", class: "num" }, p.name)),
          ),
        ),
        h(
          "tbody",
          {},
          rounds.map((r) =>
            h(
              "tr",
              {},
              h("th", { scope: "row" }, r.round),
              players.map((p) => {
                const entry = r.scores.find((s) => s.seat === p.seat);
                return h("td", { class: "num" }, entry === undefined ? "" : signed(entry.final_score));
              }),
            )
          ),
          h(
            "tr",
            { class: "totals" },
            h("th", { scope: "row" }, "Total"),
            players.map((p) => h("td", { class: "num strong" }, p.score)),
          ),
        ),
      ),
    ),
  );
}

/** "You win!", "Bo wins!", "Bo and you win!" */
function headline(winners: readonly string[], me: string | null): string {
  const names = winners.map((w) => (w === me ? "you" : w));
  if (names.length === 1 && names[0] === "you") return "You win!";
  const joined = names.join(" and ");
  return `${joined.charAt(0).toUpperCase()}${joined.slice(1)} win${names.length === 1 ? "s" : ""}!`;
}

function gameOver(state: AppState) {
  const result = state.game?.result;
  if (!result || state.game?.phase !== "GAME_OVER") return null;
  const host = isHost(state);
  const ranked = result.rankings.slice().sort((a, b) => a.rank - b.rank || a.seat - b.seat);
  return h(
    "div",
    { class: "panel game-over", "data-testid": "game-over" },
    h("h2", {}, headline(result.winners, state.me?.name ?? null)),
    h(
      "ol",
      { class: "ranking" },
      ranked.map((r) =>
        h(
          "li",
          { "data-rank": r.rank, class: r.rank === 1 ? "first" : "" },
          h("span", { class: "rank" }, `#${r.rank}`),
          h("span", { class: "rank-name" }, r.player),
          h("span", { class: "rank-score" }, `${r.score} pts`),
          h(
            "span",
            { class: "muted" },
            `${r.turns_won} turn${r.turns_won === 1 ? "" : "s"} won · ${r.perfect_rounds} perfect`,
          ),
        )
      ),
    ),
    host
      ? h(
        "div",
        { class: "buttons" },
        h("button", {
          type: "button",
          class: "primary big",
          "data-action": "start",
          "data-testid": "play-again",
        }, "Play again"),
      )
      : h("p", { class: "muted" }, "The host can start another game with the same seats."),
  );
}

export function mountScores(root: HTMLElement): (state: AppState) => void {
  return (state) => {
    const game = state.game;
    const showRound = game !== null && (game.phase === "SCORING" || game.phase === "GAME_OVER");
    renderInto(
      root,
      JSON.stringify([
        showRound,
        game?.round_scores,
        game?.result,
        game?.phase,
        isHost(state),
        state.roundHistory,
      ]),
      () => [gameOver(state), showRound ? roundTable(state) : null, showRound ? scoreSheet(state) : null],
    );
  };
}
