//! Authentication strengths: built-in definitions and whether used methods satisfy one.
