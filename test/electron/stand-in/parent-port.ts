import { EventEmitter } from 'node:events';

/**
 * `process.parentPort` as Electron gives a utility process, over the IPC channel of the stand-in's child_process.fork
 * (./electron.ts): messages arrive as `{ data, ports }` and wait in a queue until a listener is there, and the process
 * goes when its parent does, as Chromium ends a utility process whose browser process is gone.
 */
class ParentPort extends EventEmitter {
  #queue: unknown[] = [];
  constructor() {
    super();
    this.on('newListener', (event) => {
      if (event !== 'message') return;
      const queued = this.#queue.splice(0);
      queueMicrotask(() => queued.forEach((data) => this.emit('message', { data, ports: [] })));
    });
  }
  receive(data: unknown) {
    if (this.listenerCount('message') === 0) this.#queue.push(data);
    else this.emit('message', { data, ports: [] });
  }
  postMessage(message: unknown) {
    process.send?.(message);
  }
}

const parentPort = new ParentPort();
process.on('message', (data) => parentPort.receive(data));
process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
Object.defineProperty(process, 'parentPort', { value: parentPort });
