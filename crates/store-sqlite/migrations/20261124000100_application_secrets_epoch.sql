-- Application secrets move the directory-wide security epoch, like the applications
-- themselves (20261123000600_security_epochs): a node may then cache a client's
-- application and secret hashes for the token endpoint, and a secret added, changed or
-- removed — on any node, or by the CLI — voids every cached copy at the next epoch poll
-- (and at once on the node that wrote it, which polls again on its next request).
CREATE TRIGGER application_secrets_security_insert AFTER INSERT ON application_secrets
BEGIN
    UPDATE security_clock SET seq = seq + 1, global_epoch = seq + 1 WHERE id = 1;
END;

CREATE TRIGGER application_secrets_security_update AFTER UPDATE ON application_secrets
BEGIN
    UPDATE security_clock SET seq = seq + 1, global_epoch = seq + 1 WHERE id = 1;
END;

CREATE TRIGGER application_secrets_security_delete AFTER DELETE ON application_secrets
BEGIN
    UPDATE security_clock SET seq = seq + 1, global_epoch = seq + 1 WHERE id = 1;
END;
