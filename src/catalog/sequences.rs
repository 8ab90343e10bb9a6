//! Sequences. A definition (type, start, increment, bounds, cache, cycle,
//! owning column) is a row of `flint_sequence` (relation 9), written by
//! the DDL's transaction like any catalog row. The current value lives in
//! a heap relation of the sequence's own (its OID) holding one live row
//! `(last_value int8, is_called bool)`, written by short internal
//! transactions that commit at once: nextval and setval are never rolled
//! back, as in PostgreSQL.
//!
//! nextval writes ahead: when the values covered by the stored row run
//! out it stores a row [`LOG_AHEAD`] values further and hands out the
//! values in between from memory. After a crash or restart the sequence
//! goes on after the stored value, so a value is never handed out twice
//! and at most [`LOG_AHEAD`] are skipped (PostgreSQL's SEQ_LOG_VALS).
//! The internal commit is not fsynced itself: a transaction that used the
//! value commits after it in the log, and one that wrote nothing waits
//! for [`Catalog::sequence_lsn`] to be durable before it is acknowledged.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::{delete_rows, insert_row, scan, Catalog};
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::storage::heap::Xid;
use crate::storage::wal::Record;
use crate::storage::{RelId, Tid};
use crate::txn;
use crate::types::{DataType, Value};

/// The relation of sequence definitions.
pub(super) const SEQUENCE_REL: RelId = RelId(9);
/// Columns of `flint_sequence`: oid, name, owner, type, start, increment,
/// min, max, cache, cycle, owning table, owning column, namespace (NULL
/// is public).
const SEQUENCE_WIDTH: usize = 13;
/// Values covered by one stored row of a sequence's state.
pub const LOG_AHEAD: i64 = 32;

/// A sequence's definition.
#[derive(Clone, Debug, PartialEq)]
pub struct SequenceDef {
    pub oid: u32,
    pub name: String,
    /// The schema's name.
    pub schema: String,
    /// The database of the schema.
    pub database: u32,
    pub owner: u32,
    /// smallint, integer or bigint.
    pub data_type: DataType,
    pub start: i64,
    pub increment: i64,
    pub min: i64,
    pub max: i64,
    pub cache: i64,
    pub cycle: bool,
    /// The column that owns it (SERIAL, identity, `OWNED BY`): table OID
    /// and column number from 1. Dropped with the table.
    pub owned_by: Option<(u32, i16)>,
}

impl SequenceDef {
    /// The sequence's key in the catalog's maps.
    pub fn key(&self) -> String {
        super::names::key_in(self.database, &self.schema, &self.name)
    }

    /// The relation holding its current value.
    pub fn rel(&self) -> RelId {
        RelId(self.oid)
    }
}

/// A sequence's value in memory.
#[derive(Clone, Copy, Debug)]
pub(super) struct State {
    last: i64,
    is_called: bool,
    /// Values still covered by the stored row.
    covered: i64,
    /// The stored row.
    tid: Option<Tid>,
}

/// The current values of the sequences used since start-up, by OID.
pub(super) type States = HashMap<u32, State>;

/// What a session remembers for currval and lastval.
#[derive(Debug, Default)]
pub struct SessionSequences {
    current: HashMap<u32, i64>,
    last: Option<u32>,
}

impl SessionSequences {
    /// currval: the value nextval last returned for `oid` in this session.
    pub fn current(&self, oid: u32) -> Option<i64> {
        self.current.get(&oid).copied()
    }

    /// lastval: the sequence nextval last used in this session.
    pub fn last(&self) -> Option<u32> {
        self.last
    }

    /// Records a value nextval returned.
    pub fn record(&mut self, oid: u32, value: i64) {
        self.current.insert(oid, value);
        self.last = Some(oid);
    }
}

impl Catalog {
    /// A sequence by name (found along the search path) or key.
    pub fn get_sequence(&self, name: &str) -> Option<Arc<SequenceDef>> {
        super::names::find(&self.sequences.read(), name).map(|(_, s)| s)
    }

    /// A sequence by OID.
    pub fn sequence_by_oid(&self, oid: u32) -> Option<Arc<SequenceDef>> {
        self.sequences
            .read()
            .values()
            .find(|s| s.oid == oid)
            .cloned()
    }

    /// The current database's sequences, by name.
    pub fn sequences(&self) -> Vec<Arc<SequenceDef>> {
        let db = super::names::current_database();
        let mut all: Vec<_> = self
            .sequences
            .read()
            .values()
            .filter(|s| s.database == db)
            .cloned()
            .collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        all
    }

    /// The sequences a table's columns own.
    pub fn sequences_owned_by(&self, table_oid: u32) -> Vec<Arc<SequenceDef>> {
        let mut owned: Vec<_> = self
            .sequences
            .read()
            .values()
            .filter(|s| s.owned_by.is_some_and(|(t, _)| t == table_oid))
            .cloned()
            .collect();
        owned.sort_by_key(|s| s.oid);
        owned
    }

    /// Creates a sequence (its OID is chosen here) and its state relation.
    pub fn create_sequence(&self, mut def: SequenceDef, xid: Xid) -> Result<Arc<SequenceDef>> {
        if self.relation_exists(&def.key()) {
            return Err(errinput!(
                sqlstate::DUPLICATE_TABLE,
                "relation \"{}\" already exists",
                def.name
            ));
        }
        def.database = super::names::current_database();
        def.oid = self.next_oid.fetch_add(1, Ordering::AcqRel);
        self.heap.create(def.rel(), xid)?;
        self.insert_sequence_row(&def, xid)?;
        let mut states = self.sequence_states.lock();
        let state = self.store_state(&def, None, def.start, false, 0)?;
        states.insert(def.oid, state);
        let def = Arc::new(def);
        self.sequences.write().insert(def.key(), def.clone());
        Ok(def)
    }

    /// Replaces a sequence's definition (ALTER SEQUENCE); `restart` sets
    /// its value as setval(…, false) does.
    pub fn alter_sequence(&self, def: SequenceDef, restart: Option<i64>, xid: Xid) -> Result<()> {
        let old = self
            .sequence_by_oid(def.oid)
            .ok_or_else(|| crate::errinternal!("ALTER of a missing sequence"))?;
        self.delete_sequence_row(def.oid, xid)?;
        self.insert_sequence_row(&def, xid)?;
        let mut states = self.sequence_states.lock();
        let state = self.load_state(&mut states, &def)?;
        let (last, is_called) = match restart {
            Some(v) => (v, false),
            None => (state.last, state.is_called),
        };
        // The stored row covered values for the old increment: store anew.
        let state = self.store_state(&def, state.tid, last, is_called, 0)?;
        states.insert(def.oid, state);
        let mut all = self.sequences.write();
        all.remove(&old.key());
        all.insert(def.key(), Arc::new(def));
        Ok(())
    }

    /// Drops a sequence; returns its relation, whose file the caller
    /// removes once the drop has committed.
    pub fn drop_sequence(&self, name: &str, xid: Xid) -> Result<RelId> {
        let def = self.get_sequence(name).ok_or_else(|| {
            errinput!(
                sqlstate::UNDEFINED_TABLE,
                "sequence \"{name}\" does not exist"
            )
        })?;
        self.delete_sequence_row(def.oid, xid)?;
        self.forget_acls(def.oid, xid)?;
        self.forget_descriptions(def.oid, xid)?;
        self.sequences.write().remove(&def.key());
        Ok(def.rel())
    }

    /// Stores a sequence's definition row.
    fn insert_sequence_row(&self, def: &SequenceDef, xid: Xid) -> Result<()> {
        let namespace = self.must_get_schema(&def.schema)?.oid;
        insert_row(
            &self.heap,
            SEQUENCE_REL,
            xid,
            &definition_row(def, namespace),
        )
    }

    fn delete_sequence_row(&self, oid: u32, xid: Xid) -> Result<()> {
        let oid = Value::Int8(oid as i64);
        delete_rows(
            &self.heap,
            &self.clog,
            SEQUENCE_REL,
            SEQUENCE_WIDTH,
            xid,
            |v| v[0] == oid,
        )
    }

    /// nextval: the sequence's next value, never handed out before.
    pub fn nextval(&self, def: &SequenceDef) -> Result<i64> {
        let mut states = self.sequence_states.lock();
        let mut state = self.load_state(&mut states, def)?;
        let next = if state.is_called {
            step(def, state.last)?
        } else {
            state.last
        };
        if state.covered > 0 {
            state.covered -= 1;
            state.last = next;
            state.is_called = true;
        } else {
            // Store a value LOG_AHEAD - 1 steps on (or the last before a
            // bound without CYCLE); the values up to it come from memory.
            let (mut ahead, mut covered) = (next, 0);
            while covered < LOG_AHEAD - 1 {
                match step(def, ahead) {
                    Ok(v) => {
                        ahead = v;
                        covered += 1;
                    }
                    Err(_) => break,
                }
            }
            let stored = self.store_state(def, state.tid, ahead, true, covered)?;
            state = State {
                last: next,
                ..stored
            };
        }
        states.insert(def.oid, state);
        Ok(next)
    }

    /// setval: the value the sequence has last handed out (`is_called`)
    /// or hands out next.
    pub fn setval(&self, def: &SequenceDef, value: i64, is_called: bool) -> Result<()> {
        if value < def.min || value > def.max {
            return Err(errinput!(
                sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
                "setval: value {value} is out of bounds for sequence \"{}\" ({}..{})",
                def.name,
                def.min,
                def.max
            ));
        }
        let mut states = self.sequence_states.lock();
        let state = self.load_state(&mut states, def)?;
        let state = self.store_state(def, state.tid, value, is_called, 0)?;
        states.insert(def.oid, state);
        Ok(())
    }

    /// The last value and is_called as nextval sees them (pg_sequences,
    /// `SELECT * FROM seq`).
    pub fn sequence_value(&self, def: &SequenceDef) -> Result<(i64, bool)> {
        let mut states = self.sequence_states.lock();
        let state = self.load_state(&mut states, def)?;
        Ok((state.last, state.is_called))
    }

    /// The end of the newest sequence write in the log: a transaction that
    /// used a sequence and wrote nothing makes it durable before it is
    /// acknowledged.
    pub fn sequence_lsn(&self) -> u64 {
        self.sequence_lsn.load(Ordering::Acquire)
    }

    fn load_state(&self, states: &mut States, def: &SequenceDef) -> Result<State> {
        if let Some(s) = states.get(&def.oid) {
            return Ok(*s);
        }
        let rel = def.rel();
        let mut found = None;
        for block in 0..self.heap.nblocks(rel)? {
            for tuple in self.heap.read_page(rel, block)? {
                if txn::is_visible_latest(&tuple.header, &self.clog) {
                    let values = crate::encoding::row::decode(&tuple.data, 2)?;
                    if let (Value::Int8(last), Value::Bool(is_called)) = (&values[0], &values[1]) {
                        found = Some(State {
                            last: *last,
                            is_called: *is_called,
                            covered: 0,
                            tid: Some(tuple.tid),
                        });
                    }
                }
            }
        }
        let state = found.ok_or_else(|| {
            crate::error::Error::Corrupted(format!("sequence \"{}\" has no stored value", def.name))
        })?;
        states.insert(def.oid, state);
        Ok(state)
    }

    /// Stores a sequence's value in an internal transaction that commits
    /// at once (replacing the row at `old`).
    fn store_state(
        &self,
        def: &SequenceDef,
        old: Option<Tid>,
        last: i64,
        is_called: bool,
        covered: i64,
    ) -> Result<State> {
        let xid = self.txns.allocate_xid(None);
        let written = (|| -> Result<(Tid, u64)> {
            if let Some(tid) = old {
                self.heap.delete(def.rel(), tid, xid)?;
            }
            let mut buf = Vec::new();
            crate::encoding::row::encode(&[Value::Int8(last), Value::Bool(is_called)], &mut buf);
            let tid = self.heap.insert(def.rel(), xid, &buf)?;
            let lsn = self.wal.append(xid, &Record::Commit { subxids: vec![] })?;
            Ok((tid, lsn))
        })();
        if written.is_err() {
            self.txns.clog().abort(xid);
        }
        self.txns.finish(xid, &[xid]);
        let (tid, lsn) = written?;
        self.sequence_lsn.fetch_max(lsn, Ordering::AcqRel);
        Ok(State {
            last,
            is_called,
            covered,
            tid: Some(tid),
        })
    }
}

/// The value after `v`: 2200H past a bound without CYCLE.
fn step(def: &SequenceDef, v: i64) -> Result<i64> {
    let next = v.checked_add(def.increment);
    let over = match next {
        Some(n) => n > def.max || n < def.min,
        None => true,
    };
    if !over {
        return Ok(next.unwrap_or(v));
    }
    if def.cycle {
        return Ok(if def.increment > 0 { def.min } else { def.max });
    }
    let (which, bound) = if def.increment > 0 {
        ("maximum", def.max)
    } else {
        ("minimum", def.min)
    };
    Err(errinput!(
        "2200H",
        "nextval: reached {which} value of sequence \"{}\" ({bound})",
        def.name
    ))
}

fn definition_row(def: &SequenceDef, namespace: u32) -> [Value; SEQUENCE_WIDTH] {
    [
        Value::Int8(def.oid as i64),
        Value::Text(def.name.clone()),
        Value::Int8(def.owner as i64),
        Value::Int4(def.data_type.oid() as i32),
        Value::Int8(def.start),
        Value::Int8(def.increment),
        Value::Int8(def.min),
        Value::Int8(def.max),
        Value::Int8(def.cache),
        Value::Bool(def.cycle),
        def.owned_by
            .map_or(Value::Null, |(t, _)| Value::Int8(t as i64)),
        def.owned_by.map_or(Value::Null, |(_, c)| Value::Int2(c)),
        Value::Int8(namespace as i64),
    ]
}

/// Reads every sequence definition.
pub(super) fn read(
    heap: &crate::storage::heap::Heap,
    clog: &txn::Clog,
    schemas: &[super::SchemaDef],
) -> Result<HashMap<String, Arc<SequenceDef>>> {
    let mut all = HashMap::new();
    for v in scan(heap, clog, SEQUENCE_REL, SEQUENCE_WIDTH)? {
        let int8 = |i: usize| match v[i] {
            Value::Int8(x) => Ok(x),
            _ => Err(super::corrupt("flint_sequence")),
        };
        let (Value::Text(name), Value::Int4(typ), Value::Bool(cycle)) = (&v[1], &v[3], &v[9])
        else {
            return Err(super::corrupt("flint_sequence"));
        };
        let data_type =
            DataType::from_oid(*typ as u32).ok_or_else(|| super::corrupt("flint_sequence"))?;
        let owned_by = match (&v[10], &v[11]) {
            (Value::Int8(t), Value::Int2(c)) => Some((*t as u32, *c)),
            _ => None,
        };
        let (schema, database) = match v[12] {
            Value::Int8(n) => Catalog::schema_of(schemas, n as u32),
            _ => ("public".to_string(), crate::catalog::acl::DATABASE_OID),
        };
        let def = SequenceDef {
            oid: int8(0)? as u32,
            name: name.clone(),
            schema: schema.clone(),
            database,
            owner: int8(2)? as u32,
            data_type,
            start: int8(4)?,
            increment: int8(5)?,
            min: int8(6)?,
            max: int8(7)?,
            cache: int8(8)?,
            cycle: *cycle,
            owned_by,
        };
        all.insert(def.key(), Arc::new(def));
    }
    Ok(all)
}
