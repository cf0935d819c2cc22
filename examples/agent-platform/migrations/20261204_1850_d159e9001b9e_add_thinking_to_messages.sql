-- athanor:revision d159e9001b9e
-- athanor:down-revision 96ba4f07d59f
-- athanor:message add thinking to messages
-- Migration 001 of seed 003's history, as its team wrote them: plain SQL in its own BEGIN/COMMIT.
-- The model's reasoning, kept beside its answer.
-- Created: 2026-12-04

-- athanor:up

BEGIN;

ALTER TABLE messages
ADD COLUMN thinking TEXT;

COMMIT;

-- athanor:down

ALTER TABLE messages DROP COLUMN thinking;
