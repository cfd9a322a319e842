import { standingNotices } from '../../../server/contract/standing-words.ts';
import { untilTime } from '../format/time.ts';
import type { SessionView } from '../state/session.ts';

/** What WhatsApp says about the number (a reach-out time lock, the new-chat cap), on every screen, in plain words. */
export function StandingBanners({ session }: { session: SessionView | null }) {
  if (!session) return null;
  return standingNotices(session, (seconds) => untilTime(seconds * 1000)).map((notice) => (
    <div
      key={notice.kind}
      className={`banner ${notice.restricting ? 'error' : 'warning'} standing`}
      role="status"
      data-testid={`standing-${notice.kind}`}
    >
      <strong>{notice.headline}.</strong> {notice.advice}
    </div>
  ));
}
