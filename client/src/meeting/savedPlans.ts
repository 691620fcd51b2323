import {
  MAX_CASES,
  MAX_PHASES,
  MINUTE_MS,
  PHASE_KINDS,
  type PhasePlan,
} from '../../../shared/meeting/phases';
import type { TemplatePhase } from '../../../shared/meeting/templates';
import { loadJson, saveJson } from '../connection';
import { randomHex } from '../connection/randomId';

/**
 * A leader's own plans (templates), kept on their device only: the server has no accounts and
 * keeps nothing between meetings. The start page offers them next to the built-in ones and sends
 * the chosen one's phases with the new meeting.
 */
export interface SavedPlan {
  id: string;
  name: string;
  phases: TemplatePhase[];
}

const KEY = 'balint.plans';
export const PLAN_NAME_MAX = 80;
const MAX_PLANS = 30;

function isPhase(p: unknown): p is TemplatePhase {
  if (!p || typeof p !== 'object') return false;
  const { kind, minutes, caseIndex } = p as Record<string, unknown>;
  return (
    (PHASE_KINDS as readonly unknown[]).includes(kind) &&
    typeof minutes === 'number' &&
    Number.isInteger(minutes) &&
    minutes >= 1 &&
    minutes <= 180 &&
    (caseIndex === null ||
      (typeof caseIndex === 'number' &&
        Number.isInteger(caseIndex) &&
        caseIndex >= 0 &&
        caseIndex < MAX_CASES))
  );
}

function isPlan(p: unknown): p is SavedPlan {
  if (!p || typeof p !== 'object') return false;
  const { id, name, phases } = p as Record<string, unknown>;
  return (
    typeof id === 'string' &&
    typeof name === 'string' &&
    name.length > 0 &&
    Array.isArray(phases) &&
    phases.length > 0 &&
    phases.length <= MAX_PHASES &&
    phases.every(isPhase)
  );
}

/** Plans saved on this device; anything damaged or from an older shape is left out. */
export function loadPlans(): SavedPlan[] {
  const raw = loadJson<unknown>(KEY);
  return Array.isArray(raw) ? raw.filter(isPlan) : [];
}

/** The phases of a running meeting as a plan: kinds, whole minutes, cases. */
export function phasesOf(phases: PhasePlan[]): TemplatePhase[] {
  return phases.map((p) => ({
    kind: p.kind,
    minutes: Math.min(180, Math.max(1, Math.round(p.plannedMs / MINUTE_MS))),
    caseIndex: p.caseIndex,
  }));
}

/** Saves (or, with the same name, replaces) a plan; the newest first. */
export function savePlan(name: string, phases: TemplatePhase[]): SavedPlan {
  const trimmed = name.trim().slice(0, PLAN_NAME_MAX);
  const others = loadPlans().filter((p) => p.name !== trimmed);
  const plan: SavedPlan = { id: randomHex(8), name: trimmed, phases };
  saveJson(KEY, [plan, ...others].slice(0, MAX_PLANS));
  return plan;
}

export function deletePlan(id: string): void {
  saveJson(
    KEY,
    loadPlans().filter((p) => p.id !== id),
  );
}
