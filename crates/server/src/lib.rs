//! portcullis-server
