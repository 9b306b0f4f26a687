//! Unit tests of the pipeline value.
