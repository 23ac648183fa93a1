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

/** A template filled in one language; a placeholder with no parameter is a bug in the caller, not data. */
function fill(template: string, lang: Lang, params: Params): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`message parameter {${name}} is missing`);
    return typeof v === 'object' ? v[lang] : String(v);
  });
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
  // A template whose languages take different parameters would print a placeholder or drop a fact: refuse it at load.
  for (const [key, tpl] of Object.entries<Text>(table)) {
    const en = [...new Set(placeholders(tpl.en))].join();
    const ja = [...new Set(placeholders(tpl.ja))].join();
    if (en !== ja) throw new Error(`message ${key} takes {${en}} in English but {${ja}} in Japanese`);
  }
  const m = (key: K, params: Params = {}): Text => {
    const tpl = table[key];
    return { en: fill(tpl.en, 'en', params), ja: fill(tpl.ja, 'ja', params) };
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
