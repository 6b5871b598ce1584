import { CronExpressionParser } from 'cron-parser';

/** Whether `schedule` is a cron expression cron-parser accepts (the check tenant settings and campaigns share). */
export function isCronExpression(schedule: string): boolean {
  try {
    CronExpressionParser.parse(schedule, { tz: 'UTC' });
    return true;
  } catch {
    return false;
  }
}
