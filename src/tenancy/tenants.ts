import { randomUUID } from 'node:crypto';
import { KefuError, ErrorCodes } from '../errors/index.js';
import type { Db } from '../store/database.js';
import type { TenantRow } from '../store/schema.js';
import { toStoredTenantSettings, type TenantSettingsInput } from './tenant-settings.js';

export interface Tenant {
  id: string;
  slug: string;
  name: string;
  locale: string;
  domain: string;
  status: 'active' | 'suspended';
  /**
   * As stored, unparsed: read it through parseTenantSettings, which names this tenant and the
   * field when it is wrong. Parsing here would make one tenant's bad settings break every listing.
   */
  settings: Record<string, unknown>;
  createdAt: Date;
}

export function toTenant(row: TenantRow): Tenant {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    locale: row.locale,
    domain: row.domain,
    status: row.status,
    settings: row.settings,
    createdAt: row.created_at,
  };
}

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export function assertValidSlug(slug: string): void {
  if (!SLUG.test(slug)) {
    throw new KefuError(
      ErrorCodes.validation,
      `invalid tenant slug "${slug}": use 1–64 lower-case letters, digits and inner hyphens`,
    );
  }
}

export interface NewTenant {
  slug: string;
  name: string;
  locale?: string;
  domain?: string;
  settings?: TenantSettingsInput;
}

export async function createTenant(db: Db, input: NewTenant): Promise<Tenant> {
  assertValidSlug(input.slug);
  const existing = await findTenantBySlug(db, input.slug);
  if (existing) throw new KefuError(ErrorCodes.tenantExists, `tenant "${input.slug}" already exists`, { status: 409 });
  const row = await db
    .insertInto('tenants')
    .values({
      id: randomUUID(),
      slug: input.slug,
      name: input.name,
      locale: input.locale ?? 'zh-CN',
      domain: input.domain ?? 'general',
      status: 'active',
      settings: JSON.stringify(toStoredTenantSettings(input.settings ?? {}, input.slug)),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toTenant(row);
}

export async function findTenantBySlug(db: Db, slug: string): Promise<Tenant | undefined> {
  const row = await db.selectFrom('tenants').selectAll().where('slug', '=', slug).executeTakeFirst();
  return row ? toTenant(row) : undefined;
}

export async function findTenantById(db: Db, id: string): Promise<Tenant | undefined> {
  const row = await db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toTenant(row) : undefined;
}

export async function requireTenantBySlug(db: Db, slug: string): Promise<Tenant> {
  const tenant = await findTenantBySlug(db, slug);
  if (!tenant) throw new KefuError(ErrorCodes.tenantNotFound, `no tenant "${slug}"`, { status: 404 });
  return tenant;
}

export async function listTenants(db: Db): Promise<Tenant[]> {
  const rows = await db.selectFrom('tenants').selectAll().orderBy('slug').execute();
  return rows.map(toTenant);
}
