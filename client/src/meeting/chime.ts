/**
 * A soft two-note chime made with WebAudio on the leader's own device: no audio file, nothing
 * downloaded, never on anyone else's screen. Off by default; the choice is kept per device.
 */
const STORAGE_KEY = 'balint.chime';
const PEAK_GAIN = 0.06;
const NOTE_S = 1.4;

let context: AudioContext | null = null;

export function chimeEnabled(): boolean {
  try {
    return localStorage.getItem(STORAGE_KEY) === '1';
  } catch {
    return false;
  }
}

export function setChimeEnabled(on: boolean): void {
  try {
    if (on) localStorage.setItem(STORAGE_KEY, '1');
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    // Storage refused: the choice lasts for this page.
  }
  // Browsers start audio only from a person's gesture: this runs inside the switch's handler.
  if (on) void audio()?.resume();
}

function audio(): AudioContext | null {
  if (context) return context;
  const Ctor = globalThis.AudioContext as typeof AudioContext | undefined;
  if (!Ctor) return null;
  context = new Ctor();
  return context;
}

function tone(ctx: AudioContext, frequency: number, startAt: number): void {
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.type = 'sine';
  osc.frequency.value = frequency;
  gain.gain.setValueAtTime(0.0001, startAt);
  gain.gain.exponentialRampToValueAtTime(PEAK_GAIN, startAt + 0.04);
  gain.gain.exponentialRampToValueAtTime(0.0001, startAt + NOTE_S);
  osc.connect(gain).connect(ctx.destination);
  osc.start(startAt);
  osc.stop(startAt + NOTE_S + 0.05);
}

/** Two quiet, falling notes (E5, B4): a reminder, not an alarm. */
export function playChime(): void {
  const ctx = audio();
  if (!ctx) return;
  void ctx.resume();
  const now = ctx.currentTime + 0.02;
  tone(ctx, 659.25, now);
  tone(ctx, 493.88, now + 0.35);
}
