// Plans and their quotas. An organisation has a plan; an operator may override single quotas
// for it (organisations.quota_overrides).

export interface Quotas {
  /** live sites per organisation */
  sites: number;
  /** replicas per site */
  replicas: number;
  /** memory per replica, MiB */
  memoryMb: number;
  /** database size per site, MiB */
  databaseMb: number;
  /** uploaded files per site (its media volume), MiB */
  mediaMb: number;
}

export const quotaNames = ['sites', 'replicas', 'memoryMb', 'databaseMb', 'mediaMb'] as const satisfies readonly (keyof Quotas)[];

export const plans: Record<string, { title: string; quotas: Quotas }> = {
  free: { title: 'Free', quotas: { sites: 3, replicas: 1, memoryMb: 256, databaseMb: 256, mediaMb: 512 } },
  pro: { title: 'Pro', quotas: { sites: 25, replicas: 4, memoryMb: 1024, databaseMb: 10240, mediaMb: 10240 } },
  business: { title: 'Business', quotas: { sites: 250, replicas: 16, memoryMb: 4096, databaseMb: 102400, mediaMb: 102400 } },
};

export function quotasOf(plan: string, overrides: Record<string, number>): Quotas {
  const base = plans[plan]?.quotas ?? plans.free!.quotas;
  const out = { ...base };
  for (const k of quotaNames) {
    const v = overrides[k];
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) out[k] = v;
  }
  return out;
}
