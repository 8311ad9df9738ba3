import type { DeviceProfile } from '@touchpoint/protocol';
import type { TrustedKey } from '@touchpoint/protocol/signing';
import type { CommandSigner, SignerKeys } from '../signer/signer.js';
import type { Db } from '../db/database.js';
import { sqliteStore, type SqlStore } from '../db/sql-store.js';
import type { Logger } from '../logger.js';
import { AuditLog } from './audit.js';
import { Cases } from './cases.js';
import { Commands, type Publish } from './commands.js';
import { Devices } from './devices.js';
import { Integrations } from './integrations.js';
import { Ingest, type IngestOptions } from './ingest.js';
import { KeyDistribution } from './key-distribution.js';
import { LiveBus } from './live.js';
import { OnlineResync } from './online-resync.js';
import { Quarantine } from './quarantine.js';
import { Receipts } from './receipts.js';
import { SupportBundles } from './bundles.js';
import { ChatService, type ChatOptions } from '../chat/chat-service.js';
import { ContentProposals, ContentRoles, ContentVersions } from '../content/index.js';
import { DEFAULT_RETENTION, Retention, type RetentionOptions } from './retention.js';
import { FleetFixes } from '../fleet-fixes/fleet-fixes.js';
import { Rollouts } from '../rollouts/rollouts.js';
import { Staff } from './staff.js';

/** What one device may send, and how long its history is kept (issue 12 #9). */
export interface FleetLimits {
  ingest?: Omit<IngestOptions, 'profiles'>;
  retention?: RetentionOptions;
  /** The live chat's canned replies and staff rate (issue 17). */
  chat?: ChatOptions;
}

/** The fleet service: one object per concern, sharing one database. */
export class Fleet {
  /**
   * The async store layer (issue 15) on the same SQLite connection: the stores converted to it so far
   * (ingest, quarantine, devices, integrations, audit) use it; the others still call `db` directly.
   */
  readonly store: SqlStore;
  readonly live: LiveBus;
  readonly devices: Devices;
  readonly staff: Staff;
  readonly audit: AuditLog;
  readonly ingest: Ingest;
  readonly quarantine: Quarantine;
  /** MQTT accounts for makers' backends, and the built-in service account (issue 13). */
  readonly integrations: Integrations;
  readonly commands: Commands;
  readonly cases: Cases;
  /** Support bundle requests and the bundles customers sent (issue 17). */
  readonly bundles: SupportBundles;
  /** The live chat's staff side; the customer's side is stored by ingest (issue 17, broker/src/chat). */
  readonly chat: ChatService;
  /** Deletes old diagnostics, events and presence history; start-broker starts its timer. */
  readonly retention: Retention;
  /** The signed key list and its delivery to devices (issue 12 item 10). */
  readonly keys: KeyDistribution;
  /** Tells devices which reports ingest settled, so their outboxes delete them (issue 15). */
  readonly receipts: Receipts;
  /** On a device's birth: its pending commands and its newest case's status again, nothing from retained messages (issue 15). */
  readonly resync: OnlineResync;
  /** Help content versions with their review (issue 18, broker/src/content), and who may author and review them. */
  readonly content: ContentVersions;
  readonly contentRoles: ContentRoles;
  /** Staged rollouts of approved content versions, and every device's desired content (issue 18, broker/src/rollouts). */
  readonly rollouts: Rollouts;
  /** An allow-listed action to every device matching a query, in waves (issue 18, broker/src/fleet-fixes). */
  readonly fleetFixes: FleetFixes;
  readonly proposals: ContentProposals;

  constructor(
    readonly db: Db,
    readonly profiles: ReadonlyMap<string, DeviceProfile>,
    signing: { signer: CommandSigner; keys: SignerKeys },
    readonly publish: Publish,
    log: Logger,
    limits: FleetLimits = {},
  ) {
    this.live = new LiveBus((event, err) =>
      log.error('live listener failed', { event, code: 'INTERNAL', reason: (err as Error).message }),
    );
    this.store = sqliteStore(db);
    this.devices = new Devices(this.store);
    this.staff = new Staff(db, (err) =>
      log.error('staff session listener failed', { code: 'INTERNAL', reason: (err as Error).message }),
    );
    this.audit = new AuditLog(this.store, (err, entry) =>
      log.error('audit write failed', { action: entry.action, code: 'INTERNAL', reason: (err as Error).message }),
    );
    this.ingest = new Ingest(this.store, this.live, { profiles, ...limits.ingest });
    this.quarantine = new Quarantine(this.store);
    this.receipts = new Receipts(publish, log);
    this.integrations = new Integrations(this.store, (err) =>
      log.error('integration change listener failed', { code: 'INTERNAL', reason: (err as Error).message }),
    );
    this.keys = new KeyDistribution(signing.signer, signing.keys, db, publish, log);
    this.commands = new Commands(db, this.devices, profiles, this.keys, this.audit, this.live, publish);
    this.cases = new Cases(db, this.audit, this.live, publish);
    this.bundles = new SupportBundles(db, this.audit, this.live, publish);
    this.chat = new ChatService(this.ingest.chat, this.audit, this.live, publish, limits.chat);
    this.resync = new OnlineResync(db, this.commands, this.staff, publish, log, this.live);
    this.retention = new Retention(db, this.live, limits.retention ?? DEFAULT_RETENTION, log);
    this.content = new ContentVersions(this.store, this.audit, (model) => profiles.get(model));
    this.contentRoles = new ContentRoles(this.store, this.audit);
    const rolloutDeps = { commands: this.commands, staff: this.staff, audit: this.audit, live: this.live, log };
    this.rollouts = new Rollouts(this.store, { ...rolloutDeps, versions: this.content });
    this.fleetFixes = new FleetFixes(this.store, { ...rolloutDeps, profiles });
    this.proposals = new ContentProposals(this.store, this.audit);
  }

  /** The public half of the key that signs commands now: what a device's config trusts. */
  get signer(): TrustedKey {
    return this.keys.current();
  }

  provisionDevice(deviceId: string, model: string, tags: string[] = []): Promise<{ deviceId: string; token: string }> {
    return this.devices.provision(deviceId, model, tags);
  }
}
