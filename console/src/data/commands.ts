import { commandListResponse, commandView, type CommandView, type SendCommandRequest } from '@touchpoint/protocol';
import { api } from './api.js';

export const sendCommand = (deviceId: string, request: SendCommandRequest): Promise<CommandView> =>
  api('POST', `/api/devices/${encodeURIComponent(deviceId)}/commands`, commandView, { body: request });

export const fetchCommand = (id: string): Promise<CommandView> =>
  api('GET', `/api/commands/${encodeURIComponent(id)}`, commandView);

export const listDeviceCommands = async (deviceId: string): Promise<CommandView[]> =>
  (await api('GET', `/api/devices/${encodeURIComponent(deviceId)}/commands`, commandListResponse)).items;
