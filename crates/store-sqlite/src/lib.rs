//! portcullis-store-sqlite
