// Postgres text cannot hold U+0000 (SQLite can): the stores write U+FFFD in its place, as for a lone surrogate.
export const pgText = (text: string): string =>
  text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;

export const pgTextOrNull = (text: string | null | undefined): string | null =>
  text === null || text === undefined ? null : pgText(text);
