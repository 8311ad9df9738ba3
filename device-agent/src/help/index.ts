// Help flows on the device: the engine (pure), its port, the screen view model and the loader.
export { createFlowSession, type FlowSession, type FlowSessionOptions, type HelpTrigger } from './session.js';
export type { HelpPort, ActionRunResult } from './port.js';
export type { HelpScreen, HelpScreenKind, ScreenCommon, ScreenView, ActionInfo } from './screen.js';
export { flowsForError, menuFlows } from './flows-for-error.js';
export { loadFlows, loadProfile, type LoadedFlows } from './load-flows.js';
export { defaultTexts } from './texts.js';
