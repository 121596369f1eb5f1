import type { AnswerRateUnit, Granularity } from "../config/types.js";
import type { CallFigures, Snapshot } from "../vobiz/health.js";

/**
 * The answered share of calls, 0 to 1. Counts are preferred since they leave no doubt;
 * otherwise `answerRate` is read as `unit` says (`auto`: above 1 means percent).
 * Undefined when there were no calls or nothing to derive it from.
 */
export function answerRatio(
  figures: CallFigures,
  unit: AnswerRateUnit,
): number | undefined {
  const { totalCalls, answeredCalls, answerRate } = figures;
  if (totalCalls === 0) return undefined;
  if (totalCalls !== undefined && answeredCalls !== undefined) {
    return answeredCalls / totalCalls;
  }

  if (answerRate === undefined) return undefined;
  const percent = unit === "percent" || (unit === "auto" && answerRate > 1);
  return percent ? answerRate / 100 : answerRate;
}

const PERIOD_MS: Record<Granularity, number> = {
  daily: 24 * 60 * 60 * 1000,
  hourly: 60 * 60 * 1000,
};

/**
 * The newest snapshot whose period has ended by `nowMs`. Vobiz's newest snapshot may
 * cover a period still running, whose partial figures would read as a drop.
 */
export function newestCompletePeriod(
  snapshots: readonly Snapshot[],
  granularity: Granularity,
  nowMs: number,
): Snapshot | undefined {
  let newest: Snapshot | undefined;
  for (const snapshot of snapshots) {
    const ended = snapshot.startMs + PERIOD_MS[granularity] <= nowMs;
    if (ended && (newest === undefined || snapshot.startMs > newest.startMs)) {
      newest = snapshot;
    }
  }
  return newest;
}
