/** The benchmark's output: named figures (for the completeness check) and tables per part. */

export class Section {
  private header: string[] = [];
  private rows: string[][] = [];
  private notes: string[] = [];
  error: string | null = null;

  constructor(
    readonly id: string,
    readonly title: string,
  ) {}

  columns(header: string[]): void {
    this.header = header;
  }

  row(cells: string[]): void {
    this.rows.push(cells);
  }

  note(text: string): void {
    this.notes.push(text);
  }

  markdown(): string {
    const out = [`### ${this.title}`, ''];
    if (this.header.length > 0 && this.rows.length > 0) out.push(table(this.header, this.rows), '');
    for (const n of this.notes) out.push(`- ${n}`);
    if (this.error) out.push(`- **Not measured:** ${this.error}`);
    return out.join('\n').trimEnd();
  }
}

function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(3, ...all.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => `| ${widths.map((w, c) => (cells[c] ?? '').padEnd(w)).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

export interface TargetResult {
  name: string;
  met: boolean;
  text: string;
}

export const NOT_AT_THIS_SCALE = 'not measured at this scale';

export class Report {
  readonly sections: Section[] = [];
  readonly targets: TargetResult[] = [];
  private figures = new Map<string, number>();

  /** Quick mode runs at a tiny scale: a target it misses was not really put to the test. */
  constructor(private readonly quick = false) {}

  section(id: string, title: string): Section {
    const s = new Section(id, title);
    this.sections.push(s);
    return s;
  }

  set(key: string, value: number): void {
    this.figures.set(key, value);
  }

  get(key: string): number {
    return this.figures.get(key) ?? Number.NaN;
  }

  /** Figures that were required but not produced (or not a number). */
  missing(required: readonly string[]): string[] {
    return required.filter((k) => !Number.isFinite(this.get(k)));
  }

  /** Compares a figure with its target, remembers the verdict and returns it as table text. */
  target(value: number, op: '<' | '<=' | '>=', limit: number, unit: string, name?: string): string {
    const met = op === '<' ? value < limit : op === '<=' ? value <= limit : value >= limit;
    const sign = op === '<' ? '<' : op === '<=' ? '≤' : '≥';
    const verdict = met ? 'met' : this.quick ? NOT_AT_THIS_SCALE : 'MISSED';
    const text = `${sign} ${limit} ${unit}: ${Number.isFinite(value) ? verdict : 'not measured'}`;
    if (name) this.targets.push({ name, met: met && Number.isFinite(value), text });
    return text;
  }

  markdown(): string {
    return this.sections.map((s) => s.markdown()).join('\n\n');
  }
}

export const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(v < 10 ? 2 : 1)} ms` : 'n/a');
export const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : 'n/a');
export const added = (a: number, b: number) =>
  Number.isFinite(a - b) ? `${a - b >= 0 ? '+' : '−'}${Math.abs(a - b).toFixed(2)} ms` : 'n/a';
export const mib = (bytes: number) =>
  Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(0)} MiB` : 'n/a';
export const kib = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 1024).toFixed(1)} KiB` : 'n/a');
