//! portcullis-store-postgres
