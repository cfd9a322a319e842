import { dateTime, messageTime } from '../format/time.ts';

/** A message's time (Unix seconds, as the API gives it), in the Send screen's one format, the full date on hover. */
export function MessageTime({ seconds }: { seconds: number }) {
  const ms = seconds * 1000;
  return (
    <time dateTime={new Date(ms).toISOString()} title={dateTime(ms)}>
      {messageTime(ms)}
    </time>
  );
}
