/** The agent version carried in presence. Bumped with device-agent/package.json. */
export const AGENT_VERSION = '0.1.0';
