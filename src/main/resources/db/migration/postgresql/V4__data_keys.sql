-- Each stored namespace name's data key, wrapped by the master key whose id
-- is beside it (io.actorkv.crypto.DataKeys); wrapped is NULL once the
-- namespace was shredded.
CREATE TABLE actorkv_data_key (
  storage_name VARCHAR(100) PRIMARY KEY,
  master_key_id VARCHAR(64),
  wrapped BYTEA
);

-- Whether the key index holds a value sealed with its namespace's data key.
ALTER TABLE actorkv_key_index ADD COLUMN sealed BOOLEAN DEFAULT FALSE NOT NULL;
