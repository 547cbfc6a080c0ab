/**
 * Reading dates and numbers the way queries compare them.
 */

/**
 * A date or date and time, local time: `2024-05-01`, `2024-05-01T14:30`,
 * `2024-05-01 14:30:15`, `2024-05-01T14:30:15.250`.
 */
const DATE_TEXT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?$/;

/**
 * The span of time a date covers, as precise as it is written (a whole day,
 * minute, second or millisecond), in epoch milliseconds with `end` excluded;
 * `null` when the text is not a date or names one that does not exist.
 */
export function parseDate(text: string): { start: number; end: number } | null {
  const found = DATE_TEXT.exec(text.trim());
  if (!found) {
    return null;
  }
  const parts = found.slice(1, 7).map(part => (part ? Number(part) : 0));
  const [year, month, day, hours, minutes, seconds] = parts;
  const millis = found[7] ? Number(found[7].padEnd(3, '0')) : 0;
  const date = new Date(year, month - 1, day, hours, minutes, seconds, millis);
  // `new Date` rolls 2024-02-30 over to March: refuse what it had to fix.
  const exists =
    date.getFullYear() === year &&
    date.getMonth() === month - 1 &&
    date.getDate() === day &&
    date.getHours() === hours &&
    date.getMinutes() === minutes &&
    date.getSeconds() === seconds;
  if (!exists) {
    return null;
  }
  const start = date.getTime();
  if (found[7]) {
    return { start, end: start + 1 };
  }
  if (found[6]) {
    return { start, end: start + 1000 };
  }
  if (found[4]) {
    return { start, end: start + 60000 };
  }
  // The next day's midnight, not 24 hours later: days change length with DST.
  const end = new Date(year, month - 1, day + 1).getTime();
  return { start, end };
}

/**
 * A value as a number when it is one or is text that reads as one (`"69"`,
 * `" 1e-3 "`), else `undefined`. NaN is no number: it compares with nothing.
 */
export function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return value === value ? value : undefined;
  }
  if (typeof value === 'string' && value.trim() !== '') {
    const number = Number(value);
    return number === number ? number : undefined;
  }
  return undefined;
}
