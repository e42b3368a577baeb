//! portcullis-service
