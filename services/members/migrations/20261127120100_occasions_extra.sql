-- migrate:up
-- Workstations: a member's own workstations and duty list are looked up by member.
CREATE INDEX workstation_member_member_idx ON workstation_member (member_id);
CREATE INDEX duty_rota_member_idx ON duty_rota (member_id, duty_date);
ALTER TABLE duty_rota
    ADD CONSTRAINT duty_rota_shift_check
        CHECK (shift IN ('day', 'morning', 'afternoon', 'evening'));
-- A township (9 digits) or community (12 digits) extends its county's code.
ALTER TABLE workstation
    ADD CONSTRAINT workstation_locality_in_region CHECK (
        locality_code IS NULL
        OR (locality_code ~ '^[0-9]{9}([0-9]{3})?$' AND left(locality_code, 6) = region_code));

-- Occasions: every one concerns some sectors and regions; only calendar festivals have a key.
ALTER TABLE occasion
    ADD CONSTRAINT occasion_has_sectors CHECK (cardinality(sector_codes) > 0),
    ADD CONSTRAINT occasion_has_regions CHECK (cardinality(region_codes) > 0),
    ADD CONSTRAINT occasion_festival_key_iff_festival
        CHECK ((kind = 'sector_festival') = (festival_key IS NOT NULL));
CREATE INDEX occasion_occurs_on_idx ON occasion (occurs_on);

-- migrate:down
DROP INDEX occasion_occurs_on_idx;
ALTER TABLE occasion
    DROP CONSTRAINT occasion_festival_key_iff_festival,
    DROP CONSTRAINT occasion_has_regions,
    DROP CONSTRAINT occasion_has_sectors;
ALTER TABLE workstation DROP CONSTRAINT workstation_locality_in_region;
ALTER TABLE duty_rota DROP CONSTRAINT duty_rota_shift_check;
DROP INDEX duty_rota_member_idx;
DROP INDEX workstation_member_member_idx;
