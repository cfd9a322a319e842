import { useEffect, useRef, useState } from 'react';
import { useNow } from '../state/clock.ts';
import { useAnnounce } from '../state/announce.ts';
import { webmToOgg } from '../audio/webm-to-ogg.ts';

/**
 * WhatsApp plays voice notes in Ogg/Opus. Firefox records that; Chromium (and so the desktop app) records Opus only
 * in WebM, which is rewrapped into Ogg here. Null when the browser can record neither.
 */
function recordingType(): string | null {
  if (typeof MediaRecorder === 'undefined' || typeof navigator.mediaDevices?.getUserMedia !== 'function') return null;
  return (
    ['audio/ogg;codecs=opus', 'audio/webm;codecs=opus'].find((type) => MediaRecorder.isTypeSupported(type)) ?? null
  );
}

/** The recording as the Ogg/Opus file to send. */
async function voiceNote(chunks: Blob[], type: string): Promise<File> {
  const recorded = new Blob(chunks, { type });
  const ogg = type.startsWith('audio/ogg') ? recorded : webmToOgg(new Uint8Array(await recorded.arrayBuffer()));
  return new File([ogg], 'voice-note.ogg', { type: 'audio/ogg' });
}

type State = { kind: 'idle' } | { kind: 'recording'; since: number } | { kind: 'refused'; reason: string };

/** Records a voice note with the microphone, where the browser allows it (otherwise the user attaches a file). */
export function VoiceRecorder({ onRecorded }: { onRecorded(file: File): void }) {
  const [state, setState] = useState<State>({ kind: 'idle' });
  const recorder = useRef<MediaRecorder | null>(null);
  const now = useNow(1000, state.kind === 'recording');
  const announce = useAnnounce();

  useEffect(() => () => stopTracks(recorder.current), []);

  const type = recordingType();
  if (!type) return null;

  async function start(): Promise<void> {
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      setState({ kind: 'refused', reason: `the browser did not let WaGate use the microphone (${reason})` });
      return;
    }
    const chunks: Blob[] = [];
    const made = new MediaRecorder(stream, { mimeType: type! });
    made.addEventListener('dataavailable', (event) => chunks.push(event.data));
    made.addEventListener('stop', () => {
      stopTracks(made);
      voiceNote(chunks, type!).then(
        (file) => {
          setState({ kind: 'idle' });
          onRecorded(file);
          announce('Voice note recorded and attached.');
        },
        (error: unknown) =>
          setState({ kind: 'refused', reason: error instanceof Error ? error.message : String(error) }),
      );
    });
    recorder.current = made;
    made.start();
    setState({ kind: 'recording', since: Date.now() });
    announce('Recording. Press Stop recording when done.');
  }

  if (state.kind === 'recording') {
    return (
      <span className="recording">
        <button type="button" className="danger" onClick={() => recorder.current?.stop()}>
          Stop recording
        </button>
        <span className="hint">Recording… {Math.max(0, Math.round((now - state.since) / 1000))} s</span>
      </span>
    );
  }
  return (
    <>
      <button type="button" onClick={() => void start()}>
        Record a voice note
      </button>
      {state.kind === 'refused' && (
        <span className="error-text" role="alert">
          No voice note: {state.reason}. Attach an Ogg/Opus audio file instead.
        </span>
      )}
    </>
  );
}

function stopTracks(recorder: MediaRecorder | null): void {
  for (const track of recorder?.stream.getTracks() ?? []) track.stop();
}
