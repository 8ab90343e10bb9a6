//! Structural check of one B+tree (for `flintdb check`): every node is a
//! B+tree page, items are in strictly ascending order, levels step down by
//! one to the leaves, every entry lies within the separators that lead to
//! it, and no page is reached twice.

use std::collections::HashSet;

use super::{node, BTree, ROOT};
use crate::error::Result;
use crate::storage::{RelId, Tid};

/// What a check of one tree found.
#[derive(Debug, Default)]
pub struct TreeReport {
    /// Every leaf entry in order: key and heap address.
    pub entries: Vec<(Vec<u8>, Tid)>,
    /// Problems, each a readable sentence.
    pub problems: Vec<String>,
}

impl BTree {
    /// Walks a whole tree, checking its structure; call with no writer
    /// running (the server stopped).
    pub fn verify(&self, rel: RelId) -> Result<TreeReport> {
        let mut report = TreeReport::default();
        let mut seen = HashSet::new();
        let root_level = match self.read_node(rel, ROOT) {
            Ok(root) => node::level(&root),
            Err(e) => {
                report
                    .problems
                    .push(format!("index relation {}: {e}", rel.0));
                return Ok(report);
            }
        };
        self.verify_node(rel, ROOT, root_level, None, None, &mut seen, &mut report)?;
        Ok(report)
    }

    #[allow(clippy::too_many_arguments)]
    fn verify_node(
        &self,
        rel: RelId,
        block: u32,
        level: u16,
        low: Option<&[u8]>,
        high: Option<&[u8]>,
        seen: &mut HashSet<u32>,
        report: &mut TreeReport,
    ) -> Result<()> {
        let problem = |report: &mut TreeReport, what: String| {
            report
                .problems
                .push(format!("index relation {} block {block}: {what}", rel.0))
        };
        if !seen.insert(block) {
            problem(report, "reached twice".into());
            return Ok(());
        }
        let n = match self.read_node(rel, block) {
            Ok(n) => n,
            Err(e) => {
                problem(report, e.to_string());
                return Ok(());
            }
        };
        if node::level(&n) != level {
            problem(
                report,
                format!("level {} where {level} was expected", node::level(&n)),
            );
            return Ok(());
        }
        let items = node::items(&n);
        for pair in items.windows(2) {
            let (a, b) = if level == 0 {
                (pair[0].as_slice(), pair[1].as_slice())
            } else {
                (node::separator(&pair[0]), node::separator(&pair[1]))
            };
            if a >= b {
                problem(report, "items out of order".into());
                break;
            }
        }
        if level == 0 {
            for item in &items {
                if low.is_some_and(|l| item.as_slice() < l)
                    || high.is_some_and(|h| item.as_slice() >= h)
                {
                    problem(report, "entry outside its parent's key range".into());
                    break;
                }
            }
            report.entries.extend(
                items
                    .iter()
                    .map(|i| (node::leaf_key(i).to_vec(), node::leaf_tid(i))),
            );
            return Ok(());
        }
        if items.is_empty() {
            problem(report, "empty internal node".into());
            return Ok(());
        }
        for (i, item) in items.iter().enumerate() {
            let child_low = if i == 0 {
                low
            } else {
                Some(node::separator(item))
            };
            if i > 0 && low.is_some_and(|l| node::separator(item) < l) {
                problem(report, "separator below its parent's range".into());
            }
            let child_high = items.get(i + 1).map(|next| node::separator(next)).or(high);
            self.verify_node(
                rel,
                node::child(item),
                level - 1,
                child_low,
                child_high,
                seen,
                report,
            )?;
        }
        Ok(())
    }
}
