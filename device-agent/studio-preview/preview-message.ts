import { z } from 'zod';
import { deviceProfile, helpFlow, sensorValue } from '@touchpoint/protocol';

/**
 * What the console's flow studio posts to the preview frame (issue 18): the flow being edited with its
 * model's profile, the language, the sensor values and active error codes the staff member chose, and the
 * version's images (base64). Checked on arrival like any message that crosses a window.
 */
export const previewLoad = z.object({
  type: z.literal('preview.load'),
  flow: helpFlow,
  profile: deviceProfile,
  locale: z.enum(['de', 'en']),
  sensors: z.record(z.string().max(64), sensorValue),
  errors: z.array(z.string().max(16)).max(64),
  /** The version's images, base64 by path (as in the content body). */
  images: z.record(z.string().max(128), z.string().max(3 * 1024 * 1024)),
});

/** New sensor values or errors for the running preview: the next check step reads them. */
export const previewDevice = z.object({
  type: z.literal('preview.device'),
  sensors: z.record(z.string().max(64), sensorValue),
  errors: z.array(z.string().max(16)).max(64),
});

export const previewLocale = z.object({ type: z.literal('preview.locale'), locale: z.enum(['de', 'en']) });

export const previewInbound = z.discriminatedUnion('type', [previewLoad, previewDevice, previewLocale]);
export type PreviewInbound = z.infer<typeof previewInbound>;

/** What the frame tells the studio after every screen: the step on it, so the studio can follow along. */
export interface PreviewState {
  type: 'preview.state';
  flowId: string;
  stepId: string | null;
  kind: string;
  locale: 'de' | 'en';
}

/** The frame's answer to a message it could not use. */
export interface PreviewRefused {
  type: 'preview.refused';
  reason: string;
}
