import { EventEmitter } from 'node:events';
import type { CoreEventMap } from './contract/events.ts';

/** The bus of the core's state changes; what each event is and carries is in server/contract/events.ts. */
export type CoreEvents = EventEmitter<CoreEventMap>;

export function createEventBus(): CoreEvents {
  const bus = new EventEmitter<CoreEventMap>();
  // The dashboard streams and the tray each subscribe; many listeners are normal here, not a leak.
  bus.setMaxListeners(0);
  return bus;
}
