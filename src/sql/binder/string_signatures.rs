//! The signatures of the string functions beyond the basic ones:
//! split_part, lpad/rpad, starts_with, md5, encode/decode, chr/ascii,
//! initcap, reverse, translate, regexp_replace, regexp_match (format is
//! variadic and bound where the call is resolved).

use crate::sql::expr::Function;
use crate::types::DataType;

/// (function, argument types, result type), or None if `name` is not one
/// of these or the arguments do not fit.
pub(super) fn signature(
    name: &str,
    types: &[DataType],
) -> Option<(Function, Vec<DataType>, DataType)> {
    use DataType as T;
    let text = |i: usize| types.get(i).is_some_and(|t| t.is_string());
    let int = |i: usize| matches!(types.get(i), Some(T::Int2 | T::Int4 | T::Unknown));
    let all_text = |n: usize| types.len() == n && (0..n).all(text);
    Some(match (name, types.len()) {
        ("split_part", 3) if text(0) && text(1) && int(2) => (
            Function::SplitPart,
            vec![T::Text, T::Text, T::Int4],
            T::Text,
        ),
        ("lpad" | "rpad", 2 | 3) if text(0) && int(1) && (types.len() == 2 || text(2)) => {
            let f = if name == "lpad" {
                Function::Lpad
            } else {
                Function::Rpad
            };
            let mut sig = vec![T::Text, T::Int4];
            if types.len() == 3 {
                sig.push(T::Text);
            }
            (f, sig, T::Text)
        }
        ("starts_with", 2) if all_text(2) => (Function::StartsWith, vec![T::Text; 2], T::Bool),
        ("md5", 1) if types[0] == T::Bytea => (Function::Md5, vec![T::Bytea], T::Text),
        ("md5", 1) if text(0) => (Function::Md5, vec![T::Text], T::Text),
        ("encode", 2) if matches!(types[0], T::Bytea | T::Unknown) && text(1) => {
            (Function::Encode, vec![T::Bytea, T::Text], T::Text)
        }
        ("decode", 2) if all_text(2) => (Function::Decode, vec![T::Text; 2], T::Bytea),
        ("chr", 1) if int(0) => (Function::Chr, vec![T::Int4], T::Text),
        ("ascii", 1) if text(0) => (Function::Ascii, vec![T::Text], T::Int4),
        ("initcap", 1) if text(0) => (Function::Initcap, vec![T::Text], T::Text),
        ("reverse", 1) if text(0) => (Function::Reverse, vec![T::Text], T::Text),
        ("translate", 3) if all_text(3) => (Function::Translate, vec![T::Text; 3], T::Text),
        ("regexp_replace", 3 | 4) if (0..types.len()).all(text) => {
            (Function::RegexpReplace, vec![T::Text; types.len()], T::Text)
        }
        ("regexp_match", 2 | 3) if (0..types.len()).all(text) => (
            Function::RegexpMatch,
            vec![T::Text; types.len()],
            T::Array(&T::Text),
        ),
        _ => return None,
    })
}
