//! Hash aggregation: one accumulator set per distinct group key, groups
//! returned in first-seen order. Without group keys there is exactly one
//! group, even over no rows (so `count(*)` of an empty table is 0). With
//! grouping sets, every row counts once in each set, whose rows carry
//! NULL for the keys it leaves out (an empty set is one group, like no
//! keys).

use std::collections::{HashMap, HashSet};

use bigdecimal::BigDecimal;

use super::super::eval::eval;
use super::super::expr::{AggregateCall, AggregateFunction, Expr};
use super::{ExecContext, Row, Rows};
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::types::interval::Interval;
use crate::types::{numeric, DataType, Value};

/// Groups the input and computes the aggregates: group keys then values.
pub fn aggregate<'a>(
    input: Rows<'a>,
    group_by: &[Expr],
    aggregates: &[AggregateCall],
    sets: &[Vec<usize>],
    ctx: &ExecContext,
) -> Result<Rows<'a>> {
    let all: Vec<usize> = (0..group_by.len()).collect();
    let sets: Vec<&[usize]> = if sets.is_empty() {
        vec![&all]
    } else {
        sets.iter().map(Vec::as_slice).collect()
    };
    // Groups by (set, key): a NULL a set puts in is not a NULL in the data.
    let mut index: HashMap<(usize, Row), usize> = HashMap::new();
    let mut groups: Vec<(usize, Row, Vec<Accumulator>)> = Vec::new();
    let fresh = || aggregates.iter().map(Accumulator::new).collect::<Vec<_>>();
    for (s, set) in sets.iter().enumerate() {
        if set.is_empty() {
            groups.push((s, vec![Value::Null; group_by.len()], fresh()));
            index.insert((s, vec![Value::Null; group_by.len()]), groups.len() - 1);
        }
    }
    for r in input {
        let row = r?;
        let values = group_by
            .iter()
            .map(|e| eval(e, &row, ctx))
            .collect::<Result<Row>>()?;
        for (s, set) in sets.iter().enumerate() {
            let key: Row = values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    if set.contains(&i) {
                        v.clone()
                    } else {
                        Value::Null
                    }
                })
                .collect();
            let slot = match index.get(&(s, key.clone())) {
                Some(i) => *i,
                None => {
                    groups.push((s, key.clone(), fresh()));
                    index.insert((s, key), groups.len() - 1);
                    groups.len() - 1
                }
            };
            for (acc, call) in groups[slot].2.iter_mut().zip(aggregates) {
                acc.add_row(call, &row, ctx)?;
            }
        }
    }
    let out: Vec<Result<Row>> = groups
        .into_iter()
        .map(|(s, mut key, accs)| {
            for (acc, call) in accs.into_iter().zip(aggregates) {
                key.push(match call.func {
                    AggregateFunction::Grouping => grouping_bits(call, sets[s]),
                    _ => acc.finish()?,
                });
            }
            Ok(key)
        })
        .collect();
    Ok(Box::new(out.into_iter()))
}

/// GROUPING(…) in a group of a set: a bit per argument (the first the
/// highest), set where the set leaves the argument's key out.
fn grouping_bits(call: &AggregateCall, set: &[usize]) -> Value {
    let Some(Expr::Literal(Value::Array(positions), _)) = &call.arg else {
        return Value::Null;
    };
    let mut bits = 0i32;
    for p in &positions.items {
        let grouped = p.as_i64().is_some_and(|p| set.contains(&(p as usize)));
        bits = (bits << 1) | i32::from(!grouped);
    }
    Value::Int4(bits)
}

/// Running state of one aggregate in one group (or window frame).
#[derive(Clone)]
pub(super) struct Accumulator {
    func: AggregateFunction,
    input: DataType,
    seen: Option<HashSet<Value>>,
    count: i64,
    int_sum: i128,
    float_sum: f64,
    interval_sum: Interval,
    decimal_sum: BigDecimal,
    /// A NaN or infinity among numeric inputs: it decides sum and avg.
    special: Option<crate::types::numeric::Special>,
    /// Σx² for the numeric variances.
    square_sum: BigDecimal,
    /// The float variances' running Sxx (Youngs-Cramer, as PostgreSQL's
    /// float8_accum).
    float_sxx: f64,
    best: Option<Value>,
    /// array_agg's values.
    items: Vec<Value>,
    /// string_agg's text so far, and the current row's delimiter.
    joined: Option<Value>,
    separator: Value,
    /// With ORDER BY in the call: (sort keys, value, delimiter) per row,
    /// taken in order at the end.
    pending: Option<Vec<(Vec<Value>, Value, Value)>>,
    order_by: Vec<crate::sql::plan::SortKey>,
}

impl Accumulator {
    /// Takes one input row: the call's argument (and delimiter, and ORDER
    /// BY keys) evaluated over it.
    pub(super) fn add_row(
        &mut self,
        call: &AggregateCall,
        row: &[Value],
        ctx: &ExecContext,
    ) -> Result<()> {
        if let Some(filter) = &call.filter {
            if !super::super::eval::eval_predicate(filter, row, ctx)? {
                return Ok(());
            }
        }
        let v = match &call.arg {
            Some(arg) => eval(arg, row, ctx)?,
            None => Value::Bool(true),
        };
        let sep = match &call.separator {
            Some(sep) => eval(sep, row, ctx)?,
            None => Value::Null,
        };
        if let Some(pending) = &mut self.pending {
            let keys = call
                .order_by
                .iter()
                .map(|k| eval(&k.expr, row, ctx))
                .collect::<Result<Vec<_>>>()?;
            pending.push((keys, v, sep));
            return Ok(());
        }
        self.separator = sep;
        self.add(v)
    }

    pub(super) fn new(call: &AggregateCall) -> Self {
        Accumulator {
            func: call.func,
            input: call.arg.as_ref().map_or(DataType::Int8, Expr::data_type),
            seen: call.distinct.then(HashSet::new),
            count: 0,
            int_sum: 0,
            float_sum: 0.0,
            interval_sum: Interval::ZERO,
            decimal_sum: BigDecimal::from(0),
            special: None,
            square_sum: BigDecimal::from(0),
            float_sxx: 0.0,
            best: None,
            items: Vec::new(),
            joined: None,
            separator: Value::Null,
            pending: (!call.order_by.is_empty()).then(Vec::new),
            order_by: call.order_by.clone(),
        }
    }

    fn add(&mut self, v: Value) -> Result<()> {
        let keeps_nulls = matches!(
            self.func,
            AggregateFunction::ArrayAgg | AggregateFunction::JsonAgg | AggregateFunction::JsonbAgg
        );
        if v.is_null() && keeps_nulls && self.seen.is_none() {
            self.items.push(v);
            self.count += 1;
            return Ok(());
        }
        if v.is_null() {
            return Ok(());
        }
        if let Some(seen) = &mut self.seen {
            if !seen.insert(v.clone()) {
                return Ok(());
            }
        }
        self.count += 1;
        match self.func {
            AggregateFunction::Count
            | AggregateFunction::CountStar
            | AggregateFunction::Grouping => {}
            AggregateFunction::ArrayAgg
            | AggregateFunction::JsonAgg
            | AggregateFunction::JsonbAgg => self.items.push(v),
            AggregateFunction::StringAgg => {
                self.joined = Some(match (self.joined.take(), v) {
                    (None, v) => v,
                    (Some(Value::Text(mut s)), Value::Text(t)) => {
                        if let Value::Text(sep) = &self.separator {
                            s.push_str(sep);
                        }
                        s.push_str(&t);
                        Value::Text(s)
                    }
                    (Some(Value::Bytea(mut s)), Value::Bytea(t)) => {
                        if let Value::Bytea(sep) = &self.separator {
                            s.extend_from_slice(sep);
                        }
                        s.extend_from_slice(&t);
                        Value::Bytea(s)
                    }
                    (Some(other), _) => other,
                });
            }
            AggregateFunction::Sum | AggregateFunction::Avg => match &v {
                Value::Int2(_) | Value::Int4(_) | Value::Int8(_) => {
                    self.int_sum += v.as_i64().unwrap_or(0) as i128;
                }
                Value::Float4(f) => self.float_sum += *f as f64,
                Value::Float8(f) => self.float_sum += f,
                Value::Numeric(d) => self.decimal_sum += d,
                Value::NumericSpecial(s) => {
                    self.special = Some(crate::types::numeric::Special::sum(self.special, *s))
                }
                Value::Interval(i) => self.interval_sum = self.interval_sum.checked_add(*i)?,
                _ => {}
            },
            AggregateFunction::VarSamp
            | AggregateFunction::VarPop
            | AggregateFunction::StddevSamp
            | AggregateFunction::StddevPop => match &v {
                Value::Float4(_) | Value::Float8(_) => {
                    let x = match v {
                        Value::Float4(f) => f as f64,
                        Value::Float8(f) => f,
                        _ => 0.0,
                    };
                    self.float_sum += x;
                    let n = self.count as f64;
                    if self.count > 1 {
                        let tmp = x * n - self.float_sum;
                        self.float_sxx += tmp * tmp / (n * (n - 1.0));
                    }
                }
                Value::NumericSpecial(_) => {
                    self.special = Some(crate::types::numeric::Special::NaN);
                }
                other => {
                    let d = match other {
                        Value::Numeric(d) => d.clone(),
                        _ => BigDecimal::from(other.as_i64().unwrap_or(0)),
                    };
                    self.square_sum += &d * &d;
                    self.decimal_sum += d;
                }
            },
            AggregateFunction::Min
            | AggregateFunction::Max
            | AggregateFunction::BoolAnd
            | AggregateFunction::BoolOr => {
                let replace = match &self.best {
                    None => true,
                    Some(b) => {
                        let ord = v.compare(b);
                        if matches!(
                            self.func,
                            AggregateFunction::Min | AggregateFunction::BoolAnd
                        ) {
                            ord.is_lt()
                        } else {
                            ord.is_gt()
                        }
                    }
                };
                if replace {
                    self.best = Some(v);
                }
            }
        }
        Ok(())
    }

    fn exact_sum(&self) -> BigDecimal {
        if self.input == DataType::Numeric {
            self.decimal_sum.clone()
        } else {
            BigDecimal::from(bigdecimal::num_bigint::BigInt::from(self.int_sum))
        }
    }

    pub(super) fn finish(mut self) -> Result<Value> {
        if let Some(mut pending) = self.pending.take() {
            let keys = std::mem::take(&mut self.order_by);
            pending.sort_by(|(a, ..), (b, ..)| super::sort::compare_keys(a, b, &keys));
            for (_, v, sep) in pending {
                self.separator = sep;
                self.add(v)?;
            }
        }
        Ok(match self.func {
            AggregateFunction::Count | AggregateFunction::CountStar => Value::Int8(self.count),
            // Computed per grouping set by `aggregate`.
            AggregateFunction::Grouping => Value::Null,
            _ if self.count == 0 => Value::Null,
            AggregateFunction::Sum | AggregateFunction::Avg if self.special.is_some() => {
                Value::NumericSpecial(self.special.unwrap_or(crate::types::numeric::Special::NaN))
            }
            AggregateFunction::VarSamp
            | AggregateFunction::VarPop
            | AggregateFunction::StddevSamp
            | AggregateFunction::StddevPop
                if self.special.is_some() =>
            {
                Value::NumericSpecial(crate::types::numeric::Special::NaN)
            }
            AggregateFunction::Sum => match self.input {
                DataType::Int2 | DataType::Int4 => {
                    Value::Int8(i64::try_from(self.int_sum).map_err(|_| {
                        errinput!(sqlstate::NUMERIC_VALUE_OUT_OF_RANGE, "bigint out of range")
                    })?)
                }
                DataType::Float4 => Value::Float4(self.float_sum as f32),
                DataType::Float8 => Value::Float8(self.float_sum),
                DataType::Interval => Value::Interval(self.interval_sum),
                _ => Value::Numeric(self.exact_sum()),
            },
            AggregateFunction::Avg => match self.input {
                DataType::Float4 | DataType::Float8 => {
                    Value::Float8(self.float_sum / self.count as f64)
                }
                DataType::Interval => {
                    Value::Interval(self.interval_sum.divided_by(self.count as f64)?)
                }
                _ => Value::Numeric(numeric::divide(
                    &self.exact_sum(),
                    &BigDecimal::from(self.count),
                )?),
            },
            AggregateFunction::Min
            | AggregateFunction::Max
            | AggregateFunction::BoolAnd
            | AggregateFunction::BoolOr => self.best.unwrap_or(Value::Null),
            AggregateFunction::ArrayAgg => {
                Value::Array(Box::new(crate::types::array::ArrayValue {
                    elem: self.input,
                    items: self.items,
                }))
            }
            AggregateFunction::StringAgg => self.joined.unwrap_or(Value::Null),
            AggregateFunction::JsonAgg | AggregateFunction::JsonbAgg => {
                let array = Value::Array(Box::new(crate::types::array::ArrayValue {
                    elem: self.input,
                    items: self.items,
                }));
                let ty = if self.func == AggregateFunction::JsonAgg {
                    DataType::Json
                } else {
                    DataType::Jsonb
                };
                crate::sql::eval::to_json(array, ty)?
            }
            AggregateFunction::VarSamp
            | AggregateFunction::VarPop
            | AggregateFunction::StddevSamp
            | AggregateFunction::StddevPop => self.variance()?,
        })
    }

    /// The variances and standard deviations, computed as PostgreSQL
    /// does: NULL for a sample of one; numerics exactly, with the
    /// division's scale (and the square root rounded to it).
    fn variance(&self) -> Result<Value> {
        let sample = matches!(
            self.func,
            AggregateFunction::VarSamp | AggregateFunction::StddevSamp
        );
        let root = matches!(
            self.func,
            AggregateFunction::StddevSamp | AggregateFunction::StddevPop
        );
        if sample && self.count < 2 {
            return Ok(Value::Null);
        }
        if matches!(self.input, DataType::Float4 | DataType::Float8) {
            let n = self.count as f64;
            let var = self.float_sxx / if sample { n - 1.0 } else { n };
            return Ok(Value::Float8(if root { var.sqrt() } else { var }));
        }
        let n = BigDecimal::from(self.count);
        let sum = &self.decimal_sum;
        let numerator = &n * &self.square_sum - sum * sum;
        if numerator.sign() != bigdecimal::num_bigint::Sign::Plus {
            return Ok(Value::Numeric(BigDecimal::from(0)));
        }
        let denominator = if sample {
            &n * (&n - BigDecimal::from(1))
        } else {
            &n * &n
        };
        let quotient = numeric::divide(&numerator, &denominator)?;
        if !root {
            return Ok(Value::Numeric(quotient));
        }
        let scale = quotient.as_bigint_and_exponent().1;
        let root = quotient
            .sqrt()
            .ok_or_else(|| crate::errinternal!("square root of a negative variance"))?;
        Ok(Value::Numeric(numeric::round(&root, scale)))
    }
}
