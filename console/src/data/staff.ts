import {
  staffListResponse,
  staffWithPassword,
  type CreateStaffRequest,
  type UpdateStaffRequest,
} from '@touchpoint/protocol';
import { api } from './api.js';

export const listStaff = async () => (await api('GET', '/api/staff', staffListResponse)).items;
export const createStaff = (request: CreateStaffRequest) =>
  api('POST', '/api/staff', staffWithPassword, { body: request });
export const updateStaff = (id: string, change: UpdateStaffRequest) =>
  api('POST', `/api/staff/${encodeURIComponent(id)}`, staffWithPassword, { body: change });
