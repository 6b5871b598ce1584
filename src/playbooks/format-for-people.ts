/**
 * Values as a person reads them. Connectors and tables hold machine values
 * (`2026-11-23T16:30:00+08:00`); a reply says 「11月23日 16:30」 or "Nov 23, 16:30". The wall-clock
 * time is kept as the source wrote it (with its own offset), since that is the local time of the
 * place the event happened. Everything that is not a date is shown as before.
 */

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export type PeopleLanguage = 'zh' | 'en';

/** The language a template is written in: Chinese when it has Han characters. */
export function templateLanguage(template: string): PeopleLanguage {
  return /\p{Script=Han}/u.test(template) ? 'zh' : 'en';
}

function day(language: PeopleLanguage, year: number, month: number, date: number, currentYear: number): string {
  if (language === 'zh') return `${year === currentYear ? '' : `${year}年`}${month}月${date}日`;
  return `${MONTHS[month - 1]} ${date}${year === currentYear ? '' : `, ${year}`}`;
}

/** A date or date-time string formatted for people; any other value unchanged. */
export function formatForPeople(text: string, language: PeopleLanguage, now: Date = new Date()): string {
  const currentYear = now.getFullYear();
  const dateTime = DATE_TIME.exec(text);
  if (dateTime) {
    const [, year, month, date, hour, minute] = dateTime.map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    if (month < 1 || month > 12 || date < 1 || date > 31 || hour > 23 || minute > 59) return text;
    const clock = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
    return language === 'zh'
      ? `${day(language, year, month, date, currentYear)} ${clock}`
      : `${day(language, year, month, date, currentYear)}, ${clock}`;
  }
  const dateOnly = DATE_ONLY.exec(text);
  if (dateOnly) {
    const [, year, month, date] = dateOnly.map(Number) as [number, number, number, number];
    if (month < 1 || month > 12 || date < 1 || date > 31) return text;
    return day(language, year, month, date, currentYear);
  }
  return text;
}
