/**
 * Leader election through a coordination.k8s.io Lease, as client-go's leaderelection does: the
 * holder renews the Lease every retry period; another candidate takes it over only once the
 * holder has let it lapse for a full lease duration. Writes carry the resourceVersion read, so
 * two candidates racing for the same Lease cannot both win.
 */
import { CoordinationV1Api, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { isConflict, isNotFound } from './kube.js';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds: number;
  retryPeriodMs: number;
}

export interface LeaderCallbacks {
  onStartedLeading(): void;
  onStoppedLeading(): void;
}

/** MicroTime as the API server wants it: RFC 3339 with six fractional digits. */
function microTime(date: Date): Date {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z') as unknown as Date;
}

export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private timer?: NodeJS.Timeout;
  private leading = false;
  private stopped = false;
  private lastRenew = 0;

  constructor(
    kc: KubeConfig,
    private readonly options: LeaderElectionOptions,
    private readonly callbacks: LeaderCallbacks,
    private readonly log: Logger,
  ) {
    this.api = kc.makeApiClient(CoordinationV1Api);
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    void this.tick();
  }

  /** Stops campaigning; a leader gives the Lease up so the next one need not wait it out. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.leading) {
      await this.release().catch((err: unknown) => {
        this.log.warn({ err }, 'unable to release lease');
      });
      this.setLeading(false);
    }
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      const held = await this.tryAcquireOrRenew();
      if (held) this.lastRenew = Date.now();
      // A leader that cannot renew within the lease duration must assume someone else took over.
      const stillValid = Date.now() - this.lastRenew < this.options.leaseDurationSeconds * 1000;
      this.setLeading(held || (this.leading && stillValid));
    } catch (err) {
      this.log.warn({ err: (err as Error).message, lease: this.options.name }, 'unable to acquire or renew lease');
      if (this.leading && Date.now() - this.lastRenew >= this.options.leaseDurationSeconds * 1000)
        this.setLeading(false);
    }
    // stop() may have run during the await above; TypeScript keeps `stopped` narrowed to false across it.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see the line above
    if (!this.stopped) {
      this.timer = setTimeout(() => void this.tick(), this.options.retryPeriodMs);
      this.timer.unref();
    }
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    this.log.info(
      { identity: this.options.identity, lease: `${this.options.namespace}/${this.options.name}` },
      leading ? 'became leader' : 'stopped leading',
    );
    if (leading) this.callbacks.onStartedLeading();
    else this.callbacks.onStoppedLeading();
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity, leaseDurationSeconds } = this.options;
    const now = new Date();
    let lease: V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ namespace, name });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      try {
        await this.api.createNamespacedLease({
          namespace,
          body: {
            metadata: { name, namespace },
            spec: {
              holderIdentity: identity,
              leaseDurationSeconds,
              acquireTime: microTime(now),
              renewTime: microTime(now),
              leaseTransitions: 0,
            },
          },
        });
        return true;
      } catch (createErr) {
        if (isConflict(createErr)) return false;
        throw createErr;
      }
    }
    const spec = lease.spec ?? {};
    const mine = spec.holderIdentity === identity;
    const renewed = spec.renewTime ? new Date(spec.renewTime).getTime() : 0;
    const expired =
      !spec.holderIdentity || renewed + (spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000 < now.getTime();
    if (!mine && !expired) return false;
    const body: V1Lease = {
      ...lease,
      spec: {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds,
        renewTime: microTime(now),
        ...(!mine && { acquireTime: microTime(now), leaseTransitions: (spec.leaseTransitions ?? 0) + 1 }),
        ...(mine && spec.acquireTime && { acquireTime: microTime(new Date(spec.acquireTime)) }),
      },
    };
    try {
      await this.api.replaceNamespacedLease({ namespace, name, body });
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  }

  private async release(): Promise<void> {
    const { namespace, name, identity } = this.options;
    const lease = await this.api.readNamespacedLease({ namespace, name });
    if (lease.spec?.holderIdentity !== identity) return;
    await this.api.replaceNamespacedLease({
      namespace,
      name,
      body: {
        ...lease,
        spec: {
          ...lease.spec,
          holderIdentity: undefined,
          acquireTime: undefined,
          renewTime: undefined,
          leaseDurationSeconds: 1,
        },
      },
    });
  }
}
