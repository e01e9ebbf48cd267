import { MigrationInterface, QueryRunner } from 'typeorm';

/** Versioned SJT/JDT/global configurations and the per-tenant competency dictionary. */
export class Configurations1763800000000 implements MigrationInterface {
  name = 'Configurations1763800000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE configurations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid REFERENCES tenants(id) ON DELETE CASCADE,
        scope varchar(10) NOT NULL CHECK (scope IN ('system', 'tenant')),
        config_type varchar(10) NOT NULL CHECK (config_type IN ('sjt', 'jdt', 'global')),
        config_data jsonb NOT NULL CHECK (jsonb_typeof(config_data) = 'object'),
        version integer NOT NULL CHECK (version >= 1),
        is_active boolean NOT NULL DEFAULT true,
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_configurations_scope_tenant CHECK ((scope = 'system') = (tenant_id IS NULL))
      )`);
    // NULL (system scope) is folded to the zero uuid so system rows collide with each other like tenant rows do
    // (a plain unique index treats every NULL as distinct). The original's UNIQUE (tenant_id, config_type,
    // is_active) also allowed only one *inactive* row, so the second re-save failed: here only active rows count.
    await q.query(`
      CREATE UNIQUE INDEX ux_configurations_one_active
        ON configurations (coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid), config_type)
        WHERE is_active`);
    await q.query(`
      CREATE UNIQUE INDEX ux_configurations_version
        ON configurations (coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid), config_type, version)`);
    await q.query(`CREATE INDEX ix_configurations_tenant_created ON configurations (tenant_id, created_at DESC)`);
    // A saved version is immutable: only is_active (and updated_at with it) may change.
    await q.query(`
      CREATE FUNCTION configurations_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.tenant_id IS DISTINCT FROM OLD.tenant_id OR NEW.scope IS DISTINCT FROM OLD.scope
           OR NEW.config_type IS DISTINCT FROM OLD.config_type OR NEW.config_data IS DISTINCT FROM OLD.config_data
           OR NEW.version IS DISTINCT FROM OLD.version OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
          RAISE EXCEPTION 'configuration versions are immutable; save a new version instead';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER tr_configurations_immutable BEFORE UPDATE ON configurations
        FOR EACH ROW EXECUTE FUNCTION configurations_immutable()`);

    await q.query(`
      CREATE TABLE competency_dictionaries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        competency_code varchar(100) NOT NULL CHECK (competency_code <> '' AND competency_code = btrim(competency_code)),
        competency_name varchar(255) NOT NULL,
        competency_description text,
        meta_competency varchar(255),
        translations jsonb,
        category varchar(100),
        industry varchar(100),
        role_category varchar(100),
        is_active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX ux_competency_dictionaries_tenant_code ON competency_dictionaries (tenant_id, lower(competency_code))`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE competency_dictionaries`);
    await q.query(`DROP TABLE configurations`);
    await q.query(`DROP FUNCTION configurations_immutable()`);
  }
}
