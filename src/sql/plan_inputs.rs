//! Rebuilding a plan node with new inputs: `Node::map_inputs` applies a
//! function to each input node (not to the plans subquery expressions
//! carry), for passes over a finished plan.

use super::plan::Node;

impl Node {
    /// The node with each of its inputs replaced by `f(input)` (the first
    /// error ends it).
    pub fn map_inputs<E>(self, f: &mut dyn FnMut(Node) -> Result<Node, E>) -> Result<Node, E> {
        let mut one = |input: Box<Node>| -> Result<Box<Node>, E> { Ok(Box::new(f(*input)?)) };
        Ok(match self {
            Node::Values { .. }
            | Node::SeqScan { .. }
            | Node::Series { .. }
            | Node::IndexScan { .. }
            | Node::WorkTable { .. } => self,
            Node::WithAddress { scan } => Node::WithAddress { scan: one(scan)? },
            Node::Pruned { scan, keep } => Node::Pruned {
                scan: one(scan)?,
                keep,
            },
            Node::LockRows {
                input,
                table,
                address,
                waiting,
            } => Node::LockRows {
                input: one(input)?,
                table,
                address,
                waiting,
            },
            Node::Filter { input, predicate } => Node::Filter {
                input: one(input)?,
                predicate,
            },
            Node::Project { input, exprs } => Node::Project {
                input: one(input)?,
                exprs,
            },
            Node::Aggregate {
                input,
                group_by,
                aggregates,
                sets,
            } => Node::Aggregate {
                input: one(input)?,
                group_by,
                aggregates,
                sets,
            },
            Node::Sort { input, keys } => Node::Sort {
                input: one(input)?,
                keys,
            },
            Node::Distinct { input } => Node::Distinct { input: one(input)? },
            Node::DistinctOn { input, columns } => Node::DistinctOn {
                input: one(input)?,
                columns,
            },
            Node::Limit {
                input,
                limit,
                offset,
                ties,
            } => Node::Limit {
                input: one(input)?,
                limit,
                offset,
                ties,
            },
            Node::ProjectSet { input, calls } => Node::ProjectSet {
                input: one(input)?,
                calls,
            },
            Node::Window { input, calls } => Node::Window {
                input: one(input)?,
                calls,
            },
            Node::SetOp {
                left,
                right,
                op,
                all,
            } => Node::SetOp {
                left: one(left)?,
                right: one(right)?,
                op,
                all,
            },
            Node::RecursiveUnion {
                base,
                recursive,
                work_table,
                all,
            } => Node::RecursiveUnion {
                base: one(base)?,
                recursive: one(recursive)?,
                work_table,
                all,
            },
            Node::Lateral {
                left,
                right,
                right_width,
                correlated,
                left_outer,
                predicate,
            } => Node::Lateral {
                left: one(left)?,
                right: one(right)?,
                right_width,
                correlated,
                left_outer,
                predicate,
            },
            Node::NestedLoopJoin {
                left,
                right,
                predicate,
                left_outer,
                right_width,
                right_outer,
            } => Node::NestedLoopJoin {
                left: one(left)?,
                right: one(right)?,
                predicate,
                left_outer,
                right_width,
                right_outer,
            },
            Node::IndexNestedLoop {
                left,
                right,
                right_width,
                predicate,
                index_cond,
                left_outer,
            } => Node::IndexNestedLoop {
                left: one(left)?,
                right: one(right)?,
                right_width,
                predicate,
                index_cond,
                left_outer,
            },
            Node::MergeJoin {
                left,
                right,
                right_width,
                key,
                predicate,
                left_outer,
            } => Node::MergeJoin {
                left: one(left)?,
                right: one(right)?,
                right_width,
                key,
                predicate,
                left_outer,
            },
        })
    }
}
