-- Read model: the tenants' lattices. Counts are exact (NUMERIC): n^d may not fit a bigint. The obstacles
-- themselves stay in the lattice's event stream; the table holds their count. A deleted lattice keeps its row
-- (deleted_at set) so its operations stay readable to analytics.
CREATE TABLE lattices (
    id           VARCHAR(64)              NOT NULL,
    tenant_id    VARCHAR(64)              NOT NULL,
    name         VARCHAR(1000),
    dimensions   INTEGER                  NOT NULL,
    size         INTEGER                  NOT NULL,
    obstacles    INTEGER                  NOT NULL,
    vertices     NUMERIC                  NOT NULL,
    edges        NUMERIC                  NOT NULL,
    memory_bytes BIGINT                   NOT NULL,
    created_by   VARCHAR(64),
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    deleted_at   TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (id)
);
-- GET /api/lattices: the tenant's lattices, newest first (keyset on created_at, id)
CREATE INDEX ix_lattices_tenant_created ON lattices (tenant_id, created_at, id);

-- Read model: the computations performed on lattices (a summary of each; never a whole path).
CREATE TABLE lattice_operations (
    id            VARCHAR(64)              NOT NULL,
    lattice_id    VARCHAR(64)              NOT NULL,
    tenant_id     VARCHAR(64)              NOT NULL,
    operation     VARCHAR(32)              NOT NULL,
    parameters    JSONB                    NOT NULL,
    result        JSONB                    NOT NULL,
    duration_ms   BIGINT                   NOT NULL,
    compute_units BIGINT                   NOT NULL,
    performed_by  VARCHAR(64),
    performed_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (id)
);
-- GET /api/lattices/{id}/operations: newest first (keyset on performed_at, id)
CREATE INDEX ix_lattice_operations_lattice_performed ON lattice_operations (lattice_id, performed_at, id);
CREATE INDEX ix_lattice_operations_tenant_performed ON lattice_operations (tenant_id, performed_at);
