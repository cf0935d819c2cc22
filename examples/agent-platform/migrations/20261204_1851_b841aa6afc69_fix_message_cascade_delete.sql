-- athanor:revision b841aa6afc69
-- athanor:down-revision d159e9001b9e
-- athanor:message fix message cascade delete
-- Migration 002 of seed 003's history: deleting a conversation deletes its messages.
-- PostgreSQL changes the foreign key in place; SQLite cannot alter a foreign key, so its
-- section rebuilds the table as https://www.sqlite.org/lang_altertable.html#otheralter says
-- (the migrator runs SQLite revisions with foreign keys off and checks them before COMMIT).
-- Created: 2026-12-04

-- athanor:up

BEGIN;

-- athanor:dialect postgres
ALTER TABLE messages DROP CONSTRAINT messages_conversation_id_fkey;
ALTER TABLE messages
  ADD CONSTRAINT messages_conversation_id_fkey FOREIGN KEY (conversation_id)
  REFERENCES conversations (id) ON DELETE CASCADE;

-- athanor:dialect sqlite
CREATE TABLE messages_new (
  id UUID TEXT NOT NULL DEFAULT (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))),
  conversation_id UUID TEXT NOT NULL,
  role VARCHAR(50) NOT NULL,
  content TEXT NOT NULL,
  extra_data JSON TEXT,
  input_tokens INTEGER,
  output_tokens INTEGER,
  created_at TIMESTAMP TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  updated_at TIMESTAMP TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  thinking TEXT,
  CONSTRAINT messages_pkey PRIMARY KEY (id),
  CONSTRAINT messages_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE
);
INSERT INTO messages_new (id, conversation_id, role, content, extra_data, input_tokens, output_tokens, created_at, updated_at, thinking)
  SELECT id, conversation_id, role, content, extra_data, input_tokens, output_tokens, created_at, updated_at, thinking FROM messages;
DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;
CREATE INDEX ix_messages_conversation_id_created_at ON messages (conversation_id, created_at);

-- athanor:dialect all
COMMIT;

-- Rollback: the same change, back to ON DELETE NO ACTION.
-- athanor:down

BEGIN;

-- athanor:dialect postgres
ALTER TABLE messages DROP CONSTRAINT messages_conversation_id_fkey;
ALTER TABLE messages
  ADD CONSTRAINT messages_conversation_id_fkey FOREIGN KEY (conversation_id)
  REFERENCES conversations (id);

-- athanor:dialect sqlite
CREATE TABLE messages_old (
  id UUID TEXT NOT NULL DEFAULT (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))),
  conversation_id UUID TEXT NOT NULL,
  role VARCHAR(50) NOT NULL,
  content TEXT NOT NULL,
  extra_data JSON TEXT,
  input_tokens INTEGER,
  output_tokens INTEGER,
  created_at TIMESTAMP TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  updated_at TIMESTAMP TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  thinking TEXT,
  CONSTRAINT messages_pkey PRIMARY KEY (id),
  CONSTRAINT messages_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES conversations (id)
);
INSERT INTO messages_old (id, conversation_id, role, content, extra_data, input_tokens, output_tokens, created_at, updated_at, thinking)
  SELECT id, conversation_id, role, content, extra_data, input_tokens, output_tokens, created_at, updated_at, thinking FROM messages;
DROP TABLE messages;
ALTER TABLE messages_old RENAME TO messages;
CREATE INDEX ix_messages_conversation_id_created_at ON messages (conversation_id, created_at);

-- athanor:dialect all
COMMIT;
