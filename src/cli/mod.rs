//! CLI front end.
