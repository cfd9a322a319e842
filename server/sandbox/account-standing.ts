import { ApiError } from '../api-error.ts';
import { endSeconds, unixSeconds } from '../contract/time.ts';
import type { Connection } from './connection.ts';
import { requireContact } from './contact-book.ts';
import type { Delivery } from './delivery.ts';
import { type BinaryNode, child, node, nowSeconds, S_WHATSAPP_NET, serverId } from './frames.ts';
import type { SandboxState } from './sandbox-state.ts';
import type { ContactState } from './virtual-contacts.ts';
import type { CappingStatus, RejectionCode } from '../contract/sandbox.ts';

/** The control API's times are Unix seconds (server/contract/time.ts); the stored standing keeps ms. */
export interface TimelockInput {
  active: boolean;
  /** Unix seconds when the lock ends; absent: WhatsApp Web's default, a minute from now. */
  until?: number;
  enforcement_type?: string;
}

export interface CappingInput {
  status: CappingStatus;
  used: number;
  quota: number;
  /** Unix seconds when the current cycle ends. */
  cycle_ends_at?: number;
}

/** The account's standing with the server: what it locks, caps and refuses. */
export interface StandingView {
  reachout_timelock: { active: boolean; until: number | null; enforcement_type: string };
  message_capping: CappingInput | null;
  /** Numbers whose messages the server refuses, with the code it answers. */
  rejections: Record<string, RejectionCode>;
  /** Every message the server refused, oldest first (the last 200): a resend would show here twice. */
  refused: Refusal[];
}

export interface Refusal {
  message_id: string;
  number: string;
  error: RejectionCode;
  /** Unix seconds. */
  at: number;
}

/** As the sandbox's store keeps it: times in Unix ms. */
interface StoredStanding {
  timelock: { active: boolean; until: number | null; enforcementType: string };
  capping: { status: CappingStatus; used: number; quota: number; cycleEndsMs?: number } | null;
  /** A list, not an object keyed by number: the store's JSON would read numeric keys back as a buffer. */
  rejections: { number: string; error: RejectionCode }[];
  /** `at` in Unix ms. */
  refused: Refusal[];
}

/** Baileys' query ids (`QueryIds` in Types/Mex.js) for the two w:mex queries about the account's standing. */
const REACHOUT_TIMELOCK_QUERY = '23983697327930364';
const MESSAGE_CAPPING_QUERY = '24503548349331633';

export interface AccountStanding {
  view(): StandingView;
  /** Makes the server answer every message to `number` with `code` on its ack (null: accept them again). */
  rejectMessages(number: string, code: RejectionCode | null): StandingView;
  /** Sets the reach-out time lock and tells the linked devices (a `mex` notification). */
  setReachoutTimelock(input: TimelockInput): StandingView;
  /** Sets the new-chat message cap and tells the linked devices. */
  setMessageCapping(input: CappingInput): StandingView;
  /** The error a message to this contact gets on its ack (the refusal is logged), or null if the server takes it. */
  refuse(contact: ContactState, messageId: string): RejectionCode | null;
  /** Answers a `w:mex` query about the standing; false if the query is not one of those. */
  answerMexQuery(conn: Connection, iq: BinaryNode): boolean;
}

/**
 * The server's view of the linked account: a reach-out time lock (while it is on, messages to contacts that never
 * wrote get 463, as real WhatsApp refuses new chats from a restricted account), a cap on new-chat messages, and
 * per-number refusals. Changes reach Baileys as the `mex` notifications the real server sends.
 */
export function createAccountStanding(state: SandboxState, delivery: Delivery): AccountStanding {
  const stored: StoredStanding = state.store.get<StoredStanding>('standing') ?? {
    timelock: { active: false, until: null, enforcementType: 'DEFAULT' },
    capping: null,
    rejections: [],
    refused: [],
  };
  const save = () => state.store.set('standing', stored);

  const lockActive = () =>
    stored.timelock.active && (stored.timelock.until === null || stored.timelock.until > Date.now());

  const cappingView = (): CappingInput | null => {
    if (!stored.capping) return null;
    const { status, used, quota, cycleEndsMs } = stored.capping;
    return { status, used, quota, ...(cycleEndsMs ? { cycle_ends_at: endSeconds(cycleEndsMs) } : {}) };
  };

  const view = (): StandingView => ({
    reachout_timelock: {
      active: lockActive(),
      until: lockActive() && stored.timelock.until !== null ? endSeconds(stored.timelock.until) : null,
      enforcement_type: stored.timelock.enforcementType,
    },
    message_capping: cappingView(),
    rejections: Object.fromEntries(stored.rejections.map((r) => [r.number, r.error])),
    refused: stored.refused.map((r) => ({ ...r, at: unixSeconds(r.at) })),
  });

  /** What `xwa2_fetch_account_reachout_timelock` and the notification carry. */
  const timelockPayload = () => ({
    is_active: lockActive(),
    time_enforcement_ends: lockActive() && stored.timelock.until ? String(endSeconds(stored.timelock.until)) : '0',
    enforcement_type: stored.timelock.enforcementType,
  });

  const cappingPayload = () => {
    const c = stored.capping;
    if (!c) return { capping_status: 'NONE' };
    return {
      total_quota: c.quota,
      used_quota: c.used,
      capping_status: c.status,
      server_sent_timestamp: nowSeconds(),
      ...(c.cycleEndsMs ? { cycle_end_timestamp: String(endSeconds(c.cycleEndsMs)) } : {}),
    };
  };

  /** `<notification type="mex"><update op_name>` with the GraphQL payload as JSON, as Baileys' handleMexNotification reads it. */
  const notify = (opName: string, data: Record<string, unknown>) =>
    delivery.toLinked(() =>
      node('notification', { from: S_WHATSAPP_NET, type: 'mex', id: serverId(), t: nowSeconds() }, [
        node('update', { op_name: opName }, Buffer.from(JSON.stringify({ data }))),
      ]),
    );

  return {
    view,
    rejectMessages(number, code) {
      const c = requireContact(state, number);
      stored.rejections = stored.rejections.filter((r) => r.number !== c.number);
      if (code !== null) stored.rejections.push({ number: c.number, error: code });
      save();
      return view();
    },
    setReachoutTimelock(input) {
      const untilMs = input.until === undefined ? undefined : input.until * 1000;
      if (input.active && untilMs !== undefined && untilMs <= Date.now())
        throw new ApiError(400, 'until must be in the future');
      stored.timelock = {
        active: input.active,
        // WhatsApp Web's default when the server names no end: a minute from now.
        until: input.active ? (untilMs ?? Date.now() + 60_000) : null,
        enforcementType: input.enforcement_type ?? 'DEFAULT',
      };
      save();
      void notify('NotificationUserReachoutTimelockUpdate', {
        xwa2_notify_account_reachout_timelock: timelockPayload(),
      });
      return view();
    },
    setMessageCapping(input) {
      if (input.used > input.quota) throw new ApiError(400, 'used cannot be more than quota');
      const { status, used, quota, cycle_ends_at } = input;
      stored.capping = { status, used, quota, ...(cycle_ends_at ? { cycleEndsMs: cycle_ends_at * 1000 } : {}) };
      save();
      void notify('MessageCappingInfoNotification', {
        xwa2_notify_new_chat_messages_capping_info_update: cappingPayload(),
      });
      return view();
    },
    refuse(contact, messageId) {
      const newChat = contact.sent.length === 0 && !state.store.hasInbox(contact.number);
      const rejected = stored.rejections.find((r) => r.number === contact.number);
      const error = rejected?.error ?? (lockActive() && newChat ? 463 : null);
      if (error === null) return null;
      stored.refused.push({ message_id: messageId, number: contact.number, error, at: Date.now() });
      stored.refused.splice(0, stored.refused.length - 200);
      save();
      return error;
    },
    answerMexQuery(conn, iq) {
      const query = child(iq, 'query');
      const queryId = query?.attrs.query_id;
      let data: Record<string, unknown>;
      if (queryId === REACHOUT_TIMELOCK_QUERY) data = { xwa2_fetch_account_reachout_timelock: timelockPayload() };
      else if (queryId === MESSAGE_CAPPING_QUERY) data = { xwa2_message_capping_info: cappingPayload() };
      else return false;
      conn.send(
        node('iq', { from: S_WHATSAPP_NET, type: 'result', id: iq.attrs.id }, [
          node('result', {}, Buffer.from(JSON.stringify({ data }))),
        ]),
      );
      return true;
    },
  };
}
