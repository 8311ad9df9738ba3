import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { supportReceipt, type SupportReceipt } from '@touchpoint/protocol';
import type { Logger } from '../logger.js';
import { writePrivate } from './kiosk-key.js';

const stored = z.object({ v: z.literal(1), receipts: z.array(supportReceipt) });

/**
 * The customer's support history on the device (issue 16, receipts): newest
 * first, at most `max`, in a JSON file in the data directory so it survives an
 * agent restart (no file: kept in memory only). Receipts are rare (a fix, a case), so the whole file is
 * written again each time, atomically (writePrivate: a temp file renamed over
 * the old one), so a power cut leaves the old list or the new one.
 */
export class SupportHistory {
  private receipts: SupportReceipt[];

  constructor(
    private readonly file: string | undefined,
    private readonly logger: Logger,
    private readonly max = 100,
  ) {
    this.receipts = this.load();
  }

  list(): SupportReceipt[] {
    return this.receipts;
  }

  /** Adds a receipt, or replaces the one with the same id (a case that moved on keeps one line). */
  add(receipt: SupportReceipt): void {
    this.receipts = [receipt, ...this.receipts.filter((r) => r.id !== receipt.id)].slice(0, this.max);
    if (!this.file) return;
    try {
      writePrivate(this.file, `${JSON.stringify({ v: 1, receipts: this.receipts })}\n`);
    } catch (err) {
      // The screen still shows it in this run; the log says why it will not survive a restart.
      this.logger.error('could not store the support history', { code: 'INTERNAL', error: (err as Error).message });
    }
  }

  private load(): SupportReceipt[] {
    if (!this.file) return [];
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return []; // none yet
    }
    try {
      const parsed = stored.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data.receipts.slice(0, this.max);
      this.logger.warn('support history unreadable, starting a new one', { code: 'SCHEMA_INVALID', file: this.file });
    } catch {
      this.logger.warn('support history unreadable, starting a new one', { code: 'BAD_JSON', file: this.file });
    }
    return [];
  }
}
