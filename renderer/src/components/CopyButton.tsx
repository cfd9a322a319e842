import { useState } from 'react';
import { useAnnounce } from '../state/announce.ts';

const FAILED = 'Could not copy: select the text and press Ctrl+C (⌘C on a Mac).';

/** Copies `text` to the clipboard and says so; where the clipboard is refused, says how to copy by hand. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const announce = useAnnounce();

  async function copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
      announce('Copied');
    } catch {
      setState('failed');
      announce(FAILED);
    }
  }

  return (
    <span className="copy">
      <button type="button" onClick={() => void copy()}>
        {label}
      </button>
      <span className="copy-result">{state === 'copied' ? 'Copied' : state === 'failed' ? FAILED : ''}</span>
    </span>
  );
}
