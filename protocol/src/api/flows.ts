import { z } from 'zod';
import { helpFlow } from '../flow/schema.js';

/** GET /api/flows/:flowId: the flow definition, so the mirror can show the customer's screen. */
export const flowResponse = z.object({ flow: helpFlow });
export type FlowResponse = z.infer<typeof flowResponse>;
