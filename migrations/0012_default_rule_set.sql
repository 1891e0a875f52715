-- The default rule set of DOMAIN.md "Rule sets" (product defaults, changed through PUT /v1/admin/rule-sets
-- by adding a later version). In force from the first register year of the 2018 standards; periods
-- that started earlier fall under it too (the earliest set governs anything before it).
INSERT INTO rule_sets (effective_from, year_start_month, year_start_day, requirements, category_caps, grace_days, reminder_offsets, grace_reminder_days, pro_rate_first_period)
VALUES (
  '2018-04-01', 4, 1,
  '[{"metric":"cpd_hours","minimum":10,"body":null},
    {"metric":"send_cpd_hours","minimum":5,"body":null},
    {"metric":"practice_hours","minimum":15,"body":null},
    {"metric":"send_mediations","minimum":2,"body":null},
    {"metric":"supervision_hours","minimum":4,"body":"com"}]'::jsonb,
  '{}'::jsonb, 60, '{60,30,7}', 14, true
)
ON CONFLICT (effective_from) DO NOTHING;
