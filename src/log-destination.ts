import { write } from 'node:fs';

/** What the destination holds while its file descriptor is slow, before it drops lines. */
export const LOG_BUFFER_BYTES = 4 * 1024 * 1024;
/** How long to wait before trying a destination again after it refused a write. */
const RETRY_MS = 100;

export interface LogDestinationOptions {
  maxBufferBytes?: number;
  /** Told how many lines were lost each time some are (the metrics count them). */
  onDrop?: (lines: number) => void;
}

/**
 * Where the JSON log lines go: a file descriptor (stdout) written asynchronously,
 * one write in flight at a time, so a slow, blocked or failing destination never
 * holds up a request. A full disk, a closed pipe or any other write error drops the
 * lines of that write; a destination that does not keep up fills a bounded buffer
 * and then drops new lines. Each loss is counted (`atelier_log_lines_dropped_total`),
 * and writing resumes by itself once the destination takes lines again.
 * (pino's own destination either blocks the event loop, synchronously, or stops
 * writing for good after an error once its buffer is full.)
 */
export class LogDestination {
  /** Lines lost since start. */
  dropped = 0;
  private queue: string[] = [];
  private queuedBytes = 0;
  private writing = false;
  private idle: Array<() => void> = [];
  private readonly maxBufferBytes: number;

  constructor(
    private readonly fd: number,
    private readonly options: LogDestinationOptions = {},
  ) {
    this.maxBufferBytes = options.maxBufferBytes ?? LOG_BUFFER_BYTES;
  }

  /** Whether lines are waiting or a write is in flight. */
  get pending(): boolean {
    return this.writing || this.queue.length > 0;
  }

  /** pino's destination interface: one serialised line per call. */
  write(line: string): boolean {
    const bytes = Buffer.byteLength(line);
    if (this.queuedBytes + bytes > this.maxBufferBytes) {
      this.drop(1);
      return true;
    }
    this.queue.push(line);
    this.queuedBytes += bytes;
    if (!this.writing) this.writeNext();
    return true;
  }

  /** Resolves once every queued line is written (or dropped), or after `timeoutMs`. */
  flush(timeoutMs: number): Promise<void> {
    if (!this.writing && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref();
      this.idle.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private writeNext(): void {
    if (this.queue.length === 0) {
      this.writing = false;
      for (const resolve of this.idle.splice(0)) resolve();
      return;
    }
    this.writing = true;
    const lines = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    this.writeBuffer(Buffer.from(lines.join('')), lines.length);
  }

  private writeBuffer(buffer: Buffer, lines: number): void {
    write(this.fd, buffer, 0, buffer.length, null, (error, written) => {
      if (error && (error.code === 'EAGAIN' || error.code === 'EWOULDBLOCK')) {
        // A non-blocking pipe that is full: the same bytes, a little later.
        setTimeout(() => this.writeBuffer(buffer, lines), RETRY_MS).unref();
        return;
      }
      if (error) {
        this.drop(lines);
        setTimeout(() => this.writeNext(), RETRY_MS).unref();
        return;
      }
      if (written < buffer.length) return this.writeBuffer(buffer.subarray(written), lines);
      this.writeNext();
    });
  }

  private drop(lines: number): void {
    this.dropped += lines;
    this.options.onDrop?.(lines);
  }
}
