-- Reports that went missing on their way (issue 16). A device may number its telemetry reports
-- (`seq`, rising by one a report, restarting at any value after a reboot); a jump in the
-- numbers means reports were lost between the device and the database (a broker that dropped
-- them). The counters are totals, so the values stay right; this says that it happened.
-- Keep this file and its twin of the other backend in step.
ALTER TABLE device_telemetry ADD COLUMN report_seq BIGINT;
ALTER TABLE device_telemetry ADD COLUMN missed_reports BIGINT NOT NULL DEFAULT 0;
