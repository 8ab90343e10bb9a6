//! Merge join: both inputs arrive ascending in their join key's encoding
//! (index scans). For each left row, the right rows with a smaller key are
//! passed over and the run with its key is gathered (kept while the next
//! left rows share the key); each pair is checked against the join
//! condition. A NULL key matches nothing; LEFT JOIN pads a left row that
//! finds none. Streams: only one run of equal right keys is held.

use super::{ExecContext, Row, Rows};
use crate::encoding::key::encode_value;
use crate::error::Result;
use crate::sql::eval::{eval, eval_predicate};
use crate::sql::plan::Node;
use crate::types::Value;

/// The joined rows of a MergeJoin node: left columns then right columns.
pub fn merge_join<'a>(
    node: &'a Node,
    left: Rows<'a>,
    right: Rows<'a>,
    ctx: &'a ExecContext<'a>,
) -> Result<Rows<'a>> {
    let Node::MergeJoin {
        right_width,
        key,
        predicate,
        left_outer,
        ..
    } = node
    else {
        return Err(crate::errinternal!("merge join of {node:?}"));
    };
    let encode = move |e, row: &Row| -> Result<Option<Vec<u8>>> {
        let v = eval(e, row, ctx)?;
        if v.is_null() {
            return Ok(None);
        }
        let mut encoded = Vec::with_capacity(16);
        encode_value(&v, &key.order, &mut encoded);
        Ok(Some(encoded))
    };
    let mut left = left;
    let mut right = right;
    // The next right row with a key, and the run of right rows sharing
    // `run_key`.
    let mut next_right: Option<(Vec<u8>, Row)> = None;
    let mut right_done = false;
    let mut run_key: Option<Vec<u8>> = None;
    let mut run: Vec<Row> = Vec::new();
    let mut pending: std::vec::IntoIter<Row> = Vec::new().into_iter();
    let mut pull = move |next: &mut Option<(Vec<u8>, Row)>, done: &mut bool| -> Result<()> {
        while next.is_none() && !*done {
            match right.next().transpose()? {
                None => *done = true,
                Some(r) => {
                    if let Some(k) = encode(&key.right, &r)? {
                        *next = Some((k, r));
                    }
                }
            }
        }
        Ok(())
    };
    let mut step = move || -> Result<Option<Row>> {
        loop {
            if let Some(row) = pending.next() {
                return Ok(Some(row));
            }
            let Some(l) = left.next().transpose()? else {
                return Ok(None);
            };
            ctx.check_deadline()?;
            let mut out = Vec::new();
            if let Some(key) = encode(&key.left, &l)? {
                if run_key.as_ref() != Some(&key) {
                    run.clear();
                    loop {
                        pull(&mut next_right, &mut right_done)?;
                        match &next_right {
                            Some((k, _)) if *k < key => next_right = None,
                            Some((k, _)) if *k == key => {
                                if let Some((_, r)) = next_right.take() {
                                    run.push(r);
                                }
                            }
                            _ => break,
                        }
                    }
                    run_key = Some(key);
                }
                for r in &run {
                    let mut joined = Vec::with_capacity(l.len() + r.len());
                    joined.extend(l.iter().cloned());
                    joined.extend(r.iter().cloned());
                    if match predicate {
                        Some(p) => eval_predicate(p, &joined, ctx)?,
                        None => true,
                    } {
                        out.push(joined);
                    }
                }
            }
            if out.is_empty() && *left_outer {
                let mut padded = l;
                padded.extend(std::iter::repeat_n(Value::Null, *right_width));
                out.push(padded);
            }
            pending = out.into_iter();
        }
    };
    Ok(Box::new(std::iter::from_fn(move || step().transpose())))
}
