-- Application secrets move the directory-wide security epoch, like the applications
-- themselves (20261123000600_security_epochs): a node may then cache a client's
-- application and secret hashes for the token endpoint, and a secret added, changed or
-- removed — on any node, or by the CLI — voids every cached copy at the next epoch poll
-- (and at once on the node that wrote it, which polls again on its next request).
CREATE TRIGGER application_secrets_security AFTER INSERT OR UPDATE OR DELETE ON application_secrets
    FOR EACH ROW EXECUTE FUNCTION portcullis_global_security();
