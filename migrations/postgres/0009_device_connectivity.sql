-- Device connectivity over MQTT (issue 16): what the devices report and the commands they are
-- sent. Keep this file and migrations/sqlite/0009_device_connectivity.sql in step.

-- The connection that set `is_online`: an offline (a last will, a dropped socket) counts only
-- when it ends that same connection, so a late "offline" of an old connection never hides a
-- newer one. `last_logout` is when the device last went offline.
ALTER TABLE devices ADD COLUMN mqtt_session TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN last_logout BIGINT;

-- The latest values a device reported (one row a device, written by the telemetry consumer).
-- Counters are totals since the device was made: power-on and work minutes, water dispensed in
-- millilitres; water quality as TDS (ppm) before and after the filters. `filters` is the JSON
-- array the device reported ([{"order", "used_minutes", "used_ml"}]); `lng`/`lat` are decimal text.
CREATE TABLE device_telemetry (
    device_id        BIGINT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
    power_on_minutes BIGINT NOT NULL DEFAULT 0,
    work_minutes     BIGINT NOT NULL DEFAULT 0,
    water_ml         BIGINT NOT NULL DEFAULT 0,
    tds_in           BIGINT,
    tds_out          BIGINT,
    filters          TEXT NOT NULL DEFAULT '[]',
    run_state        BIGINT NOT NULL DEFAULT 0,
    locked           BOOLEAN NOT NULL DEFAULT FALSE,
    lng              TEXT NOT NULL DEFAULT '',
    lat              TEXT NOT NULL DEFAULT '',
    telemetry_time   BIGINT,
    state_time       BIGINT
);

-- Hourly and daily sums of what the counters rose by (span 'h' or 'd'; bucket: the period's
-- start, ms), for charts and the device statistics.
CREATE TABLE device_stats (
    device_id        BIGINT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    span             TEXT NOT NULL,
    bucket           BIGINT NOT NULL,
    water_ml         BIGINT NOT NULL DEFAULT 0,
    work_minutes     BIGINT NOT NULL DEFAULT 0,
    power_on_minutes BIGINT NOT NULL DEFAULT 0,
    reports          BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (device_id, span, bucket)
);

-- Every message a device sent, as it came, kept for MQTT_RETENTION_DAYS.
CREATE TABLE device_messages (
    id           BIGSERIAL PRIMARY KEY,
    device_id    BIGINT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,            -- state, telemetry, ack, status
    payload      TEXT NOT NULL,
    receive_time BIGINT NOT NULL
);
CREATE INDEX device_messages_time ON device_messages (receive_time);
CREATE INDEX device_messages_device ON device_messages (device_id, id);

-- Commands to devices. status: pending (not yet handed to the device), sent, acked (the device
-- did it), failed (the device refused; `result` says why), timeout (no answer by `deadline`).
CREATE TABLE device_commands (
    id            TEXT PRIMARY KEY,
    device_id     BIGINT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    params        TEXT NOT NULL DEFAULT '{}',
    status        TEXT NOT NULL,
    result        TEXT NOT NULL DEFAULT '',
    creator       TEXT NOT NULL DEFAULT '',
    create_time   BIGINT NOT NULL,
    deadline      BIGINT NOT NULL,
    sent_time     BIGINT,
    finish_time   BIGINT
);
CREATE INDEX device_commands_device ON device_commands (device_id, create_time);
CREATE INDEX device_commands_open ON device_commands (status, deadline);
