//! Byte encodings of engine data: rows as stored in heap tuples.

pub mod row;
