// What the browser remembers between visits: the player's name. (Session tokens per room are kept by the typed
// client's token store, under the same localStorage.)

const NAME_KEY = "liaptui.name";

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // Storage disabled (private mode, policy): the page works, it just forgets.
  }
}

function write(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Storage disabled or full: nothing to keep, and nothing else depends on it having worked.
  }
}

export const session = {
  name: (): string => read(NAME_KEY) ?? "",
  setName: (name: string): void => write(NAME_KEY, name.trim() === "" ? null : name.trim()),
};
