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
