import type { TenantPack } from '../packs/index.js';

/**
 * The demo packs' data (the data folder of each pack in examples/packs) is written as of this day: one order delivered,
 * one late by a day, one without a scan for twelve days, one being returned, and so on.
 */
export const DEMO_DATA_WRITTEN_FOR = '2026-11-25';

const DATE_TIME = /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

function shiftDay(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The demo pack with every date in its data tables moved by whole days, so that the data is as
 * old relative to `today` as it was to the day it was written for: whenever someone tries the
 * demo, the late parcel is late by a day (not by weeks) and the delivered one was delivered.
 * Times of day and offsets stay as written; ids (order numbers) are left alone.
 */
export function datePackDataAsOf(pack: TenantPack, today: string, writtenFor = DEMO_DATA_WRITTEN_FOR): TenantPack {
  const days = Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${writtenFor}T00:00:00Z`)) / DAY_MS);
  if (!Number.isFinite(days) || days === 0) return pack;
  const shift = (value: string): string => {
    if (DATE_ONLY.test(value)) return shiftDay(value, days);
    const dateTime = DATE_TIME.exec(value);
    return dateTime ? `${shiftDay(dateTime[1]!, days)}${dateTime[2]}` : value;
  };
  return {
    ...pack,
    tables: pack.tables.map((table) => ({
      ...table,
      rows: table.rows.map((row) =>
        Object.fromEntries(Object.entries(row).map(([column, value]) => [column, shift(value)])),
      ),
    })),
  };
}

/** Today's date where the demo shops are (China), as YYYY-MM-DD. */
export function demoToday(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}
