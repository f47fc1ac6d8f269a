// The shapes of the HTTP API, derived from the zod schemas the server validates and serialises with, so the web
// app cannot drift from them. Type-only: importing this bundles nothing of the server.
import type { z } from 'zod';
import type * as auth from './modules/auth/auth.schemas.js';
import type * as deviceImport from './modules/device-import/device-import.schemas.js';
import type * as devices from './modules/devices/devices.schemas.js';
import type * as exams from './modules/exams/exams.schemas.js';
import type * as org from './modules/org/org.schemas.js';

export type CampusView = z.output<typeof org.CampusView>;
export type DepartmentView = z.output<typeof org.DepartmentView>;
export type CampusInput = z.input<typeof org.CampusBody>;
export type DepartmentInput = z.input<typeof org.DepartmentBody>;
export type DepartmentKind = DepartmentView['kind'];

export type DeviceView = z.output<typeof devices.DeviceView>;
export type DeviceInput = z.input<typeof devices.DeviceBody>;
export type DeviceChanges = z.input<typeof devices.DevicePatch>;

export type UserView = z.output<typeof auth.UserView>;
export type NewUser = z.input<typeof auth.CreateUserBody>;
export type UserChanges = z.input<typeof auth.UpdateUserBody>;
export type RoleView = z.output<typeof auth.RoleView>;
export type RoleInput = z.input<typeof auth.CreateRoleBody>;
export type PermissionInfo = z.output<typeof auth.PermissionList>[number];

export type ScanResult = z.output<typeof exams.ScanReply>;
export type ScannedPatient = ScanResult['patient'];
export type PendingOrder = ScanResult['orders'][number];
export type RegisteredExam = z.output<typeof exams.RegisterReply>['exams'][number];
export type ManualRegistration = z.input<typeof exams.ManualRegisterBody>;
export type WorklistExam = z.output<typeof exams.WorklistReply>[number];

export type ReceivedFile = z.output<typeof deviceImport.Received>;
export type ImportStatus = ReceivedFile['status'];
export type ImportedFile = z.output<typeof deviceImport.FileList>[number];
export type Measurement = z.output<typeof deviceImport.Measurements>[number];
