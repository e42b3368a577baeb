-- Who each sign-in transaction is about, beside its document, so that a step reads the
-- transaction and its user's facts in one statement: the user once identified, else the
-- typed name normalised as users.upn_lower. Rows written before these columns have
-- neither; the service then reads the subject by itself (the document stays the truth).

ALTER TABLE sign_in_transactions ADD COLUMN user_id TEXT;
ALTER TABLE sign_in_transactions ADD COLUMN upn_lower TEXT;
