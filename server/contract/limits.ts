/** How much the API takes and gives at once: the server checks these, the dashboard and the CLI say them. */

/** WhatsApp refuses longer texts. */
export const MAX_TEXT_LENGTH = 65_536;

/** A WhatsApp message id, as `reply_to_message_id` or a `before` cursor. */
export const MAX_MESSAGE_ID_LENGTH = 128;

/** An API key's name. */
export const MAX_KEY_NAME_LENGTH = 64;

/** The longest expiry an API key can be given. */
export const MAX_KEY_EXPIRY_DAYS = 3650;

/** A webhook's URL. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** How many rows a list answers when asked with `?limit=`: the default and the most. */
export interface PageSize {
  default: number;
  max: number;
}

/** `GET /chats/{chat_jid}/messages`. */
export const CHAT_PAGE: PageSize = { default: 50, max: 200 };

/** The dashboard's recent messages (`GET /admin/messages`). */
export const RECENT_MESSAGES_PAGE: PageSize = { default: 20, max: 100 };

/** A webhook's delivery log (`GET /admin/webhooks/{id}/deliveries`). */
export const DELIVERIES_PAGE: PageSize = { default: 50, max: 200 };

/** WhatsApp groups hold at most 1024 members, so a message mentions at most that many. */
export const MAX_MENTIONS = 1024;
