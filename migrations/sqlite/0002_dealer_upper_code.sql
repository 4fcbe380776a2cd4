-- The upper dealer's code, kept beside its id: the dealer list filters and sorts by it, and a
-- dealer's place in the tree never changes after it is created.
ALTER TABLE dealers ADD COLUMN upper_dealer_code TEXT NOT NULL DEFAULT '';
