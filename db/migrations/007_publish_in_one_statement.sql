-- Ids made in the database, in the format of domain/ids.ts (`<prefix>_<ms since epoch, base 36,
-- 9 digits><20 hex of randomness>`), so publishing can write an event, its deliveries and their
-- outbox rows in a single statement (db/queries/publish.ts).
CREATE FUNCTION hookline_new_id(prefix text) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  ms bigint := floor(extract(epoch from clock_timestamp()) * 1000);
  digits constant text := '0123456789abcdefghijklmnopqrstuvwxyz';
  time36 text := '';
BEGIN
  WHILE ms > 0 LOOP
    time36 := substr(digits, (ms % 36)::int + 1, 1) || time36;
    ms := ms / 36;
  END LOOP;
  RETURN prefix || '_' || lpad(time36, 9, '0') || substr(md5(gen_random_uuid()::text), 1, 20);
END
$$;
GRANT EXECUTE ON FUNCTION hookline_new_id(text) TO hookline_app;
