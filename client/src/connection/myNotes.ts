import type { Result } from '../../../shared/errors';
import type { NoteStatus } from '../../../shared/board/commands';
import type { NoteKind } from '../../../shared/meeting/phases';
import type { MeetingConnection } from './MeetingConnection';
import { newNoteSecret, randomHex } from './randomId';
import { loadJson, meetingKey, saveJson } from './seats';
import { createStore, type Store } from './store';

export type MyNoteStatus = NoteStatus | 'sending' | 'failed';

/**
 * While one of the author's notes waits (for a batch or for a leader's reading), its status is
 * asked again this often: a note moving into the screening queue changes nothing on the public
 * board, so no board change would tell the author.
 */
export const WAITING_REFRESH_MS = 5_000;
const UNSETTLED: ReadonlySet<MyNoteStatus> = new Set(['waiting', 'screening']);

/**
 * A note as its author's device remembers it. The secret is what proves authorship to the
 * server (which keeps only its hash); it never leaves this device except to edit or delete.
 */
export interface MyNote {
  localId: string;
  noteId: string | null;
  secret: string;
  kind: NoteKind;
  text: string;
  status: MyNoteStatus;
  caseIndex: number;
  /** A leader's note for a member without a device, in a named meeting: whose name it carries. */
  onBehalfOf?: string;
}

/** The author's own notes, kept in localStorage per meeting and reconciled after each reconnect. */
export class MyNotes {
  readonly store: Store<MyNote[]>;
  private readonly key: string;
  private refreshing = false;
  private refreshAgain = false;

  constructor(private readonly connection: MeetingConnection) {
    this.key = meetingKey('notes', connection.meetingId);
    this.store = createStore<MyNote[]>(loadJson<MyNote[]>(this.key) ?? []);
  }

  /** Resends what was never acknowledged (same secret: applied once) and asks what became of the rest. */
  resume(): () => void {
    for (const note of this.store.get()) if (note.status === 'sending') void this.send(note);
    void this.refresh();
    const offConnect = this.connection.onConnect(() => void this.refresh());
    const timer = setInterval(() => {
      const online = this.connection.status.get() === 'online';
      if (online && this.store.get().some((n) => UNSETTLED.has(n.status))) void this.refresh();
    }, WAITING_REFRESH_MS);
    return () => {
      offConnect();
      clearInterval(timer);
    };
  }

  async add(kind: NoteKind, text: string, caseIndex: number, onBehalfOf?: string): Promise<Result<unknown>> {
    const note: MyNote = {
      localId: randomHex(8),
      noteId: null,
      secret: newNoteSecret(),
      kind,
      text,
      status: 'sending',
      caseIndex,
      ...(onBehalfOf ? { onBehalfOf } : {}),
    };
    this.update((all) => [...all, note]);
    return this.send(note);
  }

  /** Sends a failed note again, with its own secret (so the server still applies it once). */
  async retry(localId: string): Promise<Result<unknown>> {
    const note = this.find(localId);
    if (!note || note.noteId) return { ok: true, value: undefined };
    this.patch(localId, { status: 'sending' });
    return this.send({ ...note, status: 'sending' });
  }

  async edit(localId: string, text: string): Promise<Result<unknown>> {
    const note = this.find(localId);
    if (!note?.noteId) return { ok: false, error: { code: 'no-such-note', message: 'not sent yet' } };
    const result = await this.connection.request('note:edit', {
      noteId: note.noteId,
      secret: note.secret,
      text,
    });
    if (result.ok) this.patch(localId, { text });
    return result;
  }

  async remove(localId: string): Promise<Result<unknown>> {
    const note = this.find(localId);
    if (!note) return { ok: true, value: undefined };
    if (note.noteId) {
      const result = await this.connection.request('note:delete', {
        noteId: note.noteId,
        secret: note.secret,
      });
      if (!result.ok && result.error.code !== 'no-such-note') return result;
    }
    this.update((all) => all.filter((n) => n.localId !== localId));
    return { ok: true, value: undefined };
  }

  async refresh(): Promise<void> {
    const known = this.store.get().filter((n) => n.noteId !== null);
    if (known.length === 0) return;
    // One question at a time; a change seen meanwhile asks once more after the answer.
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = true;
    const result = await this.connection.request('note:mine', {
      notes: known.slice(-200).map((n) => ({ noteId: n.noteId as string, secret: n.secret })),
    });
    this.refreshing = false;
    if (this.refreshAgain) {
      this.refreshAgain = false;
      void this.refresh();
    }
    if (!result.ok) return;
    this.update((all) =>
      all.map((n) => {
        const status = n.noteId ? result.value[n.noteId] : undefined;
        if (!status) return n;
        // A leader removed it (a patient identifier, say): this device forgets the text too.
        return status === 'removed' ? { ...n, status, text: '' } : { ...n, status };
      }),
    );
  }

  private async send(note: MyNote): Promise<Result<unknown>> {
    const result = await this.connection.request('note:add', {
      secret: note.secret,
      kind: note.kind,
      text: note.text,
      ...(note.onBehalfOf ? { onBehalfOf: note.onBehalfOf } : {}),
    });
    if (result.ok) this.patch(note.localId, { noteId: result.value.noteId, status: result.value.status });
    else this.patch(note.localId, { status: 'failed' });
    return result;
  }

  private find(localId: string): MyNote | undefined {
    return this.store.get().find((n) => n.localId === localId);
  }

  private patch(localId: string, changes: Partial<MyNote>): void {
    this.update((all) => all.map((n) => (n.localId === localId ? { ...n, ...changes } : n)));
  }

  private update(fn: (all: MyNote[]) => MyNote[]): void {
    const next = fn(this.store.get());
    this.store.set(next);
    saveJson(this.key, next);
  }
}
