export type Lang = 'en' | 'ja';
export const LANGS: readonly Lang[] = ['en', 'ja'];

/** A user-facing sentence in every language the tool speaks. */
export interface Text {
  en: string;
  ja: string;
}

export function t(en: string, ja: string): Text {
  return { en, ja };
}

/** Language from the locale variables, in POSIX precedence: LC_ALL, then LC_MESSAGES, then LANG. */
export function langFromEnv(env: NodeJS.ProcessEnv): Lang {
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^ja([_.@-]|$)/i.test(locale) ? 'ja' : 'en';
}

/** What fills a `{name}` placeholder: the same word in every language, or a Text of its own. */
export type Param = string | number | Text;
export type Params = Readonly<Record<string, Param>>;

const PLACEHOLDER = /\{(\w+)\}/g;

/**
 * A template split once at its placeholders: words at even indices, parameter names at odd ones.
 * Filling it is then a join, not a regular expression per message (a 10,000-instance fleet fills
 * about 400,000 of them).
 */
type Compiled = readonly string[];

const compile = (template: string): Compiled => template.split(PLACEHOLDER);

/** A template filled in one language; a placeholder with no parameter is a bug in the caller, not data. */
function fill(parts: Compiled, lang: Lang, params: Params): string {
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) {
    const v = params[parts[i]!];
    if (v === undefined) throw new Error(`message parameter {${parts[i]}} is missing`);
    out += (typeof v === 'object' ? v[lang] : String(v)) + parts[i + 1]!;
  }
  return out;
}

/** The placeholders of a template, for the test that both languages of a message take the same ones. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!).sort();
}

/** A check's messages: declared once as templates in both languages, filled by key. */
export interface Messages<K extends string> {
  (key: K, params?: Params): Text;
  readonly table: Readonly<Record<K, Text>>;
}

/**
 * Declares a table of messages (ESLint's `meta.messages`): each a `{en, ja}` pair of templates with
 * `{name}` placeholders; `evaluate` picks a key and fills the parameters.
 */
export function defineMessages<K extends string>(table: Record<K, Text>): Messages<K> {
  const compiled = {} as Record<K, { en: Compiled; ja: Compiled }>;
  const names = (parts: Compiled) => [...new Set(parts.filter((_, i) => i % 2 === 1))].sort().join();
  for (const [key, tpl] of Object.entries<Text>(table) as [K, Text][]) {
    const c = { en: compile(tpl.en), ja: compile(tpl.ja) };
    // A template whose languages take different parameters would print a placeholder or drop a fact: refuse it at load.
    if (names(c.en) !== names(c.ja)) throw new Error(`message ${key} takes {${names(c.en)}} in English but {${names(c.ja)}} in Japanese`);
    compiled[key] = c;
  }
  const m = (key: K, params: Params = {}): Text => {
    const c = compiled[key];
    return { en: fill(c.en, 'en', params), ja: fill(c.ja, 'ja', params) };
  };
  return Object.assign(m, { table });
}

/** Texts joined with a separator of each language's own (`'; '` and `'。'`). */
export function joinText(texts: readonly Text[], en: string, ja: string): Text {
  return { en: texts.map((x) => x.en).join(en), ja: texts.map((x) => x.ja).join(ja) };
}

/** One text after another. */
export function catText(...texts: readonly Text[]): Text {
  return { en: texts.map((x) => x.en).join(''), ja: texts.map((x) => x.ja).join('') };
}

/** The empty text: an optional part of a message that is not there. */
export const NO_TEXT: Text = { en: '', ja: '' };
