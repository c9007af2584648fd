-- Read model: tenants and their users, built from TenantRegistered / UserRegistered (and later user events).
CREATE TABLE tenants (
    id         VARCHAR(64)              NOT NULL,
    name       VARCHAR(200)             NOT NULL,
    slug       VARCHAR(64)              NOT NULL,
    plan       VARCHAR(32)              NOT NULL,
    status     VARCHAR(32)              NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ux_tenants_slug ON tenants (slug);

CREATE TABLE users (
    id            VARCHAR(64)              NOT NULL,
    tenant_id     VARCHAR(64)              NOT NULL,
    email         VARCHAR(254)             NOT NULL,
    password_hash VARCHAR(255)             NOT NULL,
    role          VARCHAR(16)              NOT NULL,
    active        BOOLEAN                  NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ux_users_email ON users (email);
CREATE INDEX ix_users_tenant ON users (tenant_id);
