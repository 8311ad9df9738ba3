import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { AgentClient, ConnectionStatus } from '../data/agent-client.js';

export interface DeviceIdentity {
  deviceId: string;
  model: string;
  agentVersion: string;
}

/** Opens the agent connection while the host is in the document and tracks its status and the device's identity. */
export class AgentConnectionController implements ReactiveController {
  status: ConnectionStatus;
  device: DeviceIdentity | undefined;
  private readonly off: (() => void)[] = [];

  constructor(
    private readonly host: ReactiveControllerHost,
    readonly client: AgentClient,
  ) {
    this.status = client.status;
    host.addController(this);
  }

  hostConnected(): void {
    this.off.push(
      this.client.onStatus((status) => {
        this.status = status;
        this.host.requestUpdate();
      }),
      this.client.onMessage((message) => {
        if (message.type !== 'hello') return;
        this.device = { deviceId: message.deviceId, model: message.model, agentVersion: message.agentVersion };
        this.host.requestUpdate();
      }),
    );
    this.client.connect();
  }

  hostDisconnected(): void {
    for (const off of this.off.splice(0)) off();
    this.client.close();
  }
}
