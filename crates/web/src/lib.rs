//! portcullis-web
