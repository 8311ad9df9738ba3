import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Anything playwright can photograph: a page or a locator. */
interface Photographable {
  screenshot(options: { path: string }): Promise<unknown>;
}

const DOC_IMAGES = fileURLToPath(new URL('../../docs/images/', import.meta.url));

/**
 * Takes a documentation screenshot into docs/images only when `TP_SCREENSHOTS=1`,
 * so an ordinary test run never rewrites tracked files; run the test once with
 * the variable set to refresh the picture in the docs.
 */
export async function docScreenshot(target: Photographable, fileName: string): Promise<void> {
  if (process.env.TP_SCREENSHOTS !== '1') return;
  await target.screenshot({ path: join(DOC_IMAGES, fileName) });
}
