//! Reading policy files exactly as Entra exports them (any encoding, `@odata` annotations).
