-- Product defaults (DOMAIN.md), changeable later as data.
INSERT INTO register_settings (key, value) VALUES
  ('application_thresholds', '{"foundationHours": 40, "sendTrainingHours": 12, "supportedCases": 3, "insuranceCoverGbp": 1000000}'),
  ('grandfathering_compliance_start', '"2025-04-01"')
ON CONFLICT (key) DO NOTHING;
