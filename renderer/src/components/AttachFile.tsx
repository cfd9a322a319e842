import { useEffect, useId, useRef, useState, type DragEvent } from 'react';
import { flushSync } from 'react-dom';
import type { MediaKind } from '../../../server/contract/media.ts';
import { MEDIA_MAX_BYTES, sizeInWords } from '../../../server/contract/limits.ts';
import { KIND_WORDS } from '../../../server/contract/message-content.ts';
import { VoiceRecorder } from './VoiceRecorder.tsx';

/** A file the user attached, and what it goes as. */
export interface Attachment {
  file: File;
  kind: MediaKind;
}

/** The kinds a file can go as, judged from the type the browser gives it; the first is the default. */
export function kindsFor(file: File): MediaKind[] {
  const type = file.type.toLowerCase();
  if (type === 'image/webp') return ['image', 'sticker', 'document'];
  if (type.startsWith('image/')) return ['image', 'document'];
  if (type.startsWith('video/')) return ['video', 'document'];
  if (type === 'audio/ogg' || type === 'audio/opus') return ['audio', 'voice', 'document'];
  if (type.startsWith('audio/')) return ['audio', 'document'];
  return ['document'];
}

/** Why the attachment cannot go as it is, in words; null when it can. */
export function attachmentProblem({ file, kind }: Attachment): string | null {
  const limit = MEDIA_MAX_BYTES[kind];
  if (file.size === 0) return 'This file is empty.';
  if (file.size <= limit) return null;
  const asDocument =
    kind !== 'document' && file.size <= MEDIA_MAX_BYTES.document
      ? ` Send it as a document instead (up to ${sizeInWords(MEDIA_MAX_BYTES.document)}).`
      : '';
  return `This file is ${sizeInWords(file.size)}: WhatsApp takes a ${KIND_WORDS[kind].toLowerCase()} of up to ${sizeInWords(limit)}.${asDocument}`;
}

/** The "Send as" select's id: Send moves the focus there when the file cannot go as it is. */
export const ATTACH_KIND_ID = 'attach-kind';

/** Kinds that carry a caption under them. */
export const CAPTIONED: ReadonlySet<MediaKind> = new Set(['image', 'video', 'document']);

/** Drag and drop of a file anywhere on the form: the props for the form, and whether a file is over it. */
export function useFileDrop(onFile: (file: File) => void) {
  const [over, setOver] = useState(false);
  const carriesFile = (event: DragEvent) => event.dataTransfer.types.includes('Files');
  return {
    over,
    props: {
      onDragOver(event: DragEvent) {
        if (!carriesFile(event)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
        setOver(true);
      },
      onDragLeave(event: DragEvent) {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setOver(false);
      },
      onDrop(event: DragEvent) {
        if (!carriesFile(event)) return;
        event.preventDefault();
        setOver(false);
        const file = event.dataTransfer.files[0];
        if (file) onFile(file);
      },
    },
  };
}

interface Props {
  attachment: Attachment | null;
  onChange(attachment: Attachment | null): void;
  /** The error said about the attachment on Send, if any (its id ties it to the controls). */
  errorId: string;
  error: string | null;
}

/** "Attach a file…" (or drop one on the form), a voice note when the browser can record one, and the preview. */
export function AttachFile({ attachment, onChange, errorId, error }: Props) {
  const picker = useRef<HTMLInputElement>(null);
  const attachButton = useRef<HTMLButtonElement>(null);
  const hintId = useId();

  function pick(file: File | undefined): void {
    if (file) onChange({ file, kind: kindsFor(file)[0]! });
  }

  return (
    <div className="attach">
      {!attachment && (
        <div className="attach-actions">
          <button
            type="button"
            ref={attachButton}
            aria-describedby={`${hintId} ${errorId}`}
            onClick={() => picker.current?.click()}
          >
            Attach a file…
          </button>
          <VoiceRecorder onRecorded={(file) => onChange({ file, kind: 'voice' })} />
          <span id={hintId} className="hint">
            Or drop a file on the form. Photos and videos up to {sizeInWords(MEDIA_MAX_BYTES.image)}, documents up to{' '}
            {sizeInWords(MEDIA_MAX_BYTES.document)}.
          </span>
          <input
            ref={picker}
            type="file"
            hidden
            aria-label="File to attach"
            onChange={(event) => {
              pick(event.target.files?.[0]);
              event.target.value = '';
            }}
          />
        </div>
      )}
      {attachment && (
        <Preview
          attachment={attachment}
          onKind={(kind) => onChange({ ...attachment, kind })}
          onRemove={() => {
            // The Remove button goes with the preview: the focus goes to "Attach a file…", which replaces it.
            flushSync(() => onChange(null));
            attachButton.current?.focus();
          }}
          errorId={errorId}
          error={error}
        />
      )}
      {!attachment && (
        <p id={errorId} className="error-text field-error">
          {error ?? ''}
        </p>
      )}
    </div>
  );
}

function Preview({
  attachment,
  onKind,
  onRemove,
  errorId,
  error,
}: {
  attachment: Attachment;
  onKind(kind: MediaKind): void;
  onRemove(): void;
  errorId: string;
  error: string | null;
}) {
  const { file, kind } = attachment;
  const limitId = useId();
  const thumbnail = useDataUrl(file.type.startsWith('image/') ? file : null);
  const problem = error ?? attachmentProblem(attachment);
  const kinds = kindsFor(file);
  if (!kinds.includes(kind)) kinds.push(kind);

  return (
    <figure className="attachment" aria-label={`Attached: ${file.name}`}>
      {thumbnail && <img className="thumb" src={thumbnail} alt={`Preview of ${file.name}`} />}
      <figcaption>
        <p className="file-name">{file.name}</p>
        <p className="hint">
          {file.type || 'type unknown'}, {sizeInWords(file.size)}
        </p>
        <div className="row">
          <label htmlFor={ATTACH_KIND_ID}>Send as</label>
          <select
            id={ATTACH_KIND_ID}
            value={kind}
            aria-invalid={problem !== null}
            aria-describedby={`${limitId} ${errorId}`}
            onChange={(event) => onKind(event.target.value as MediaKind)}
          >
            {kinds.map((k) => (
              <option key={k} value={k}>
                {KIND_WORDS[k]}
              </option>
            ))}
          </select>
          <button type="button" className="link-button" onClick={onRemove}>
            Remove {file.name}
          </button>
        </div>
        <p id={limitId} className="hint">
          WhatsApp takes a {KIND_WORDS[kind].toLowerCase()} of up to {sizeInWords(MEDIA_MAX_BYTES[kind])}.
          {kind === 'voice' && ' A voice note must be Ogg/Opus.'}
        </p>
        <p id={errorId} className="error-text field-error">
          {problem ?? ''}
        </p>
      </figcaption>
    </figure>
  );
}

/**
 * The picked image as a data: URL, for its thumbnail: the dashboard's Content-Security-Policy lets images come from
 * WaGate itself and data: URLs only (not blob:).
 */
function useDataUrl(file: File | null): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    setUrl(null);
    if (!file) return;
    const reader = new FileReader();
    reader.addEventListener('load', () => setUrl(typeof reader.result === 'string' ? reader.result : null));
    reader.readAsDataURL(file);
    return () => reader.abort();
  }, [file]);
  return url;
}
