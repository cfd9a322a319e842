import { dateTime, messageTime } from '../format/time.ts';

/** A message's time (Unix seconds, as the API gives it), in the dashboard's one format (Send screen, Virtual phone), the full date on hover. */
export function MessageTime({ seconds }: { seconds: number }) {
  const ms = seconds * 1000;
  return (
    <time dateTime={new Date(ms).toISOString()} title={dateTime(ms)}>
      {messageTime(ms)}
    </time>
  );
}
