import { defaultRules, MINUTE_MS, type PhaseKind, type PhasePlan } from './phases';

export interface TemplatePhase {
  kind: PhaseKind;
  minutes: number;
  caseIndex: number | null;
}

export interface Template {
  id: string;
  /** Built-in templates are named by a message-catalogue key; saved ones by their leader. */
  nameKey?: string;
  name?: string;
  phases: TemplatePhase[];
}

function casePhases(caseIndex: number, minutes: Partial<Record<PhaseKind, number>>): TemplatePhase[] {
  return (Object.entries(minutes) as [PhaseKind, number][]).map(([kind, m]) => ({
    kind,
    minutes: m,
    caseIndex,
  }));
}

/** The defaults from DOMAIN.md; leaders edit every one before and during a meeting. */
export const BUILT_IN_TEMPLATES: readonly Template[] = [
  {
    id: 'classic-90-one-case',
    nameKey: 'template.classic90one',
    phases: [
      { kind: 'opening', minutes: 5, caseIndex: null },
      ...casePhases(0, { 'case-choice': 3, presentation: 10, questions: 10, speculation: 40, return: 12 }),
      { kind: 'closing', minutes: 10, caseIndex: null },
    ],
  },
  {
    id: 'classic-90-two-cases',
    nameKey: 'template.classic90two',
    phases: [
      ...casePhases(0, { presentation: 8, questions: 7, speculation: 22, return: 6 }),
      ...casePhases(1, { presentation: 8, questions: 7, speculation: 22, return: 6 }),
      { kind: 'closing', minutes: 4, caseIndex: null },
    ],
  },
  {
    id: 'step-back-30',
    nameKey: 'template.stepBack30',
    phases: casePhases(0, { presentation: 10, questions: 5, speculation: 10, return: 5 }),
  },
];

export const DEFAULT_TEMPLATE_ID = 'classic-90-one-case';

export function findBuiltInTemplate(id: string): Template | undefined {
  return BUILT_IN_TEMPLATES.find((t) => t.id === id);
}

/** Turns a template into the meeting's own phase list; `makeId` gives each phase its id. */
export function planFromTemplate(template: Template, makeId: (index: number) => string): PhasePlan[] {
  return template.phases.map((p, i) => ({
    id: makeId(i),
    kind: p.kind,
    plannedMs: p.minutes * MINUTE_MS,
    caseIndex: p.caseIndex,
    rules: defaultRules(p.kind),
  }));
}
