//! Byte encodings of engine data: rows as stored in heap tuples, and
//! order-preserving index keys.

pub mod key;
pub mod row;
