-- The nodes that run streaming processors (roles projections or dispatchers), each with its latest heartbeat on
-- the database's clock: a processor's segments are shared out among the live ones (ProcessingNodes).
CREATE TABLE processing_nodes (
    node_id      VARCHAR(255)             NOT NULL PRIMARY KEY,
    roles        VARCHAR(255)             NOT NULL,
    heartbeat_at TIMESTAMP WITH TIME ZONE NOT NULL
);
