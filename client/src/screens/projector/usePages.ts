import { useCallback, useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';

/** A full page stays up this long before the next one, so the back row can read it through. */
export const PROJECTOR_PAGE_MS = 20_000;

export interface Pages {
  /** The board's window (fixed size) and the flow inside it that CSS lays out in columns. */
  windowRef: RefObject<HTMLDivElement | null>;
  flowRef: RefObject<HTMLDivElement | null>;
  page: number;
  count: number;
  /** Which page each note (by `data-note-id`) fell on. */
  pageOf: ReadonlyMap<string, number>;
  /** How far the flow moves left to show `page`, in CSS px. */
  offsetPx: number;
  go: (step: 1 | -1) => void;
}

interface Layout {
  count: number;
  stridePx: number;
  pageOf: Map<string, number>;
}

const NO_LAYOUT: Layout = { count: 1, stridePx: 0, pageOf: new Map() };

function sameLayout(a: Layout, b: Layout): boolean {
  if (a.count !== b.count || a.stridePx !== b.stridePx || a.pageOf.size !== b.pageOf.size) return false;
  for (const [id, p] of a.pageOf) if (b.pageOf.get(id) !== p) return false;
  return true;
}

/**
 * Pages through a board that does not fit one screen. The browser lays the notes out in
 * fixed-height columns (extra columns overflow to the right); a page is as many columns as the
 * window shows, and the flow slides one window width (plus the column gap) per page. Type never
 * shrinks to make more fit, and nothing scrolls.
 */
export function usePages(layoutKey: string): Pages {
  const windowRef = useRef<HTMLDivElement | null>(null);
  const flowRef = useRef<HTMLDivElement | null>(null);
  const [layout, setLayout] = useState<Layout>(NO_LAYOUT);
  const [page, setPage] = useState(0);
  // A manual step restarts the interval, so a page someone chose is not replaced at once.
  const [turns, setTurns] = useState(0);

  const measure = useCallback(() => {
    const win = windowRef.current;
    const flow = flowRef.current;
    if (!win || !flow) return;
    const gapPx = parseFloat(getComputedStyle(flow).columnGap) || 0;
    const stridePx = win.clientWidth + gapPx;
    if (stridePx <= 0) return;
    // Rects move with the slide; their distance from the flow's own left edge does not.
    const left = flow.getBoundingClientRect().left;
    const pageOf = new Map<string, number>();
    let last = 0;
    for (const el of flow.querySelectorAll<HTMLElement>('[data-note-id]')) {
      const p = Math.max(0, Math.floor((el.getBoundingClientRect().left - left + 1) / stridePx));
      pageOf.set(el.dataset.noteId ?? '', p);
      last = Math.max(last, p);
    }
    const next = { count: last + 1, stridePx, pageOf };
    setLayout((prev) => (sameLayout(prev, next) ? prev : next));
  }, []);

  useLayoutEffect(measure, [measure, layoutKey]);

  useEffect(() => {
    const win = windowRef.current;
    if (!win) return;
    const observer = new ResizeObserver(measure);
    observer.observe(win);
    return () => observer.disconnect();
  }, [measure]);

  const count = layout.count;
  const shown = Math.min(page, count - 1);

  useEffect(() => {
    if (count < 2) return;
    const timer = setInterval(() => setPage((p) => (Math.min(p, count - 1) + 1) % count), PROJECTOR_PAGE_MS);
    return () => clearInterval(timer);
  }, [count, turns]);

  const go = useCallback(
    (step: 1 | -1) => {
      setPage((p) => (Math.min(p, count - 1) + step + count) % count);
      setTurns((n) => n + 1);
    },
    [count],
  );

  return {
    windowRef,
    flowRef,
    page: shown,
    count,
    pageOf: layout.pageOf,
    offsetPx: shown * layout.stridePx,
    go,
  };
}
