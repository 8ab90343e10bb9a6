//! Running a bound plan: the statement's execution context (parameters,
//! statement time, deadline) and one arm per kind of plan, each returning
//! its command tag.

use super::reg_output::RegColumns;
use super::RowSink;
use crate::engine::Engine;
use crate::error::Result;
use crate::sql::binder::Bound;
use crate::sql::eval::EvalContext;
use crate::sql::exec::RowWriter;
use crate::sql::exec::{self, write, ExecContext, Row};
use crate::sql::plan::{EnumChange, Plan};
use crate::storage::heap::Xid;
use crate::storage::RelId;
use crate::txn::{Isolation, Visibility, WaitLimits};
use crate::types::Value;
use std::sync::Arc;

/// One run of a statement: what it sees, its parameters, and as a writer
/// its xid, its transaction's top xid and isolation, and how long it may
/// wait for others.
pub(super) struct StatementRun {
    pub visibility: Visibility,
    pub params: Arc<[Value]>,
    pub xid: Xid,
    pub top: Xid,
    pub isolation: Isolation,
    pub limits: WaitLimits,
    /// Set by a CancelRequest.
    pub interrupt: Arc<std::sync::atomic::AtomicBool>,
    /// The current role and session user.
    pub who: super::Who,
    /// The session's pid (0 without one).
    pub backend_pid: i32,
    /// The settings, when the statement calls current_setting/set_config.
    pub settings: Option<Arc<super::settings::StatementSettings>>,
    /// The session's currval/lastval memory.
    pub sequences: Arc<parking_lot::Mutex<crate::catalog::SessionSequences>>,
}

/// Executes a bound plan; writes use `run.xid`.
pub(super) fn execute_plan(
    engine: &Engine,
    bound: &Bound,
    run: StatementRun,
    sink: &mut dyn RowSink,
    dropped: &mut Vec<RelId>,
) -> Result<String> {
    let xid = run.xid;
    let mut ctx = ExecContext::new(
        engine,
        run.visibility,
        EvalContext {
            params: run.params,
            statement_time: crate::types::datetime::now_micros(),
            role: run.who.current,
            session_user: run.who.session,
            settings: run.settings,
            backend_pid: run.backend_pid,
            sequences: run.sequences,
        },
        run.limits.statement,
    );
    ctx.interrupt = Some(run.interrupt);
    ctx.writer = RowWriter {
        top: run.top,
        xid: run.xid,
        isolation: run.isolation,
        limits: run.limits,
    };
    match &bound.plan {
        Plan::Query { root, columns } if xid != 0 => {
            // FOR UPDATE/SHARE: every row is locked before any is sent, so
            // a READ COMMITTED restart never repeats rows to the client.
            let rows = exec::execute(root, &ctx)?.collect::<Result<Vec<_>>>()?;
            sink.columns(columns, "SELECT")?;
            let names = RegColumns::of(columns, sink);
            let n = rows.len();
            for row in rows {
                sink.row(names.apply(row, engine.catalog()))?;
            }
            Ok(format!("SELECT {n}"))
        }
        Plan::Query { root, columns } => {
            sink.columns(columns, "SELECT")?;
            let names = RegColumns::of(columns, sink);
            let mut n = 0u64;
            for row in exec::execute(root, &ctx)? {
                sink.row(names.apply(row?, engine.catalog()))?;
                n += 1;
            }
            Ok(format!("SELECT {n}"))
        }
        Plan::Insert {
            table,
            source,
            targets,
            defaults,
            indexes,
            checks,
            on_conflict,
            returning,
        } => {
            let target = write::WriteTarget {
                table,
                indexes,
                checks,
            };
            let new = write::NewRows {
                source,
                targets,
                defaults,
                on_conflict: on_conflict.as_ref(),
            };
            let result = write::insert(&ctx, xid, &target, &new, returning.as_ref())?;
            send_returning(sink, bound, "INSERT 0", result.returning)?;
            Ok(format!("INSERT 0 {}", result.count))
        }
        Plan::Update {
            table,
            predicate,
            access,
            from,
            indexes,
            checks,
            assignments,
            returning,
        } => {
            let target = write::WriteTarget {
                table,
                indexes,
                checks,
            };
            let which = write::Selection {
                predicate: predicate.as_ref(),
                access: access.as_ref(),
                from: from.as_deref(),
            };
            let result =
                write::update(&ctx, xid, &target, &which, assignments, returning.as_ref())?;
            send_returning(sink, bound, "UPDATE", result.returning)?;
            Ok(format!("UPDATE {}", result.count))
        }
        Plan::Delete {
            table,
            predicate,
            access,
            from,
            returning,
        } => {
            let which = write::Selection {
                predicate: predicate.as_ref(),
                access: access.as_ref(),
                from: from.as_deref(),
            };
            let result = write::delete(&ctx, xid, table, &which, returning.as_ref())?;
            send_returning(sink, bound, "DELETE", result.returning)?;
            Ok(format!("DELETE {}", result.count))
        }
        Plan::CreateTable {
            schema,
            name,
            temporary,
            on_commit: _,
            columns,
            constraints,
            sequences,
            checks,
            foreign_keys,
            if_not_exists,
        } => {
            if *temporary && engine.catalog().schema_by_name(schema).is_none() {
                engine
                    .catalog()
                    .create_schema(schema, ctx.eval.session_user, xid)?;
            }
            let created = write::create_table(
                &ctx,
                xid,
                write::NewTable {
                    schema,
                    name,
                    columns,
                    constraints,
                    sequences,
                    checks,
                    foreign_keys,
                },
                *if_not_exists,
            )?;
            if !created {
                sink.notice(
                    "NOTICE",
                    "42P07",
                    format!("relation \"{name}\" already exists, skipping"),
                );
            }
            Ok("CREATE TABLE".to_string())
        }
        Plan::DropTable {
            names,
            if_exists,
            foreign_keys,
            views,
            cascaded,
        } => {
            cascade_notice(sink, cascaded);
            for view in views {
                engine.catalog().drop_view(view, xid)?;
            }
            for (table, constraint) in foreign_keys {
                engine.catalog().drop_constraint(table, constraint, xid)?;
            }
            let (missing, rels) = write::drop_tables(&ctx, xid, names, *if_exists)?;
            skipped(sink, "table", &missing);
            dropped.extend(rels);
            Ok("DROP TABLE".to_string())
        }
        Plan::CreateIndex {
            table,
            index,
            if_not_exists,
            not_null,
            tag,
        } => {
            if !write::create_index(&ctx, xid, table, index, *if_not_exists, not_null)? {
                sink.notice(
                    "NOTICE",
                    "42P07",
                    format!("relation \"{}\" already exists, skipping", index.def.name),
                );
            }
            Ok(tag.to_string())
        }
        Plan::Analyze { tables } => {
            for t in tables {
                exec::analyze::analyze(&ctx, xid, t)?;
            }
            Ok("ANALYZE".to_string())
        }
        Plan::DropIndex { names, if_exists } => {
            let (missing, rels) = write::drop_indexes(&ctx, xid, names, *if_exists)?;
            skipped(sink, "index", &missing);
            dropped.extend(rels);
            Ok("DROP INDEX".to_string())
        }
        Plan::Truncate { tables } => {
            for table in tables {
                write::truncate(&ctx, xid, table)?;
            }
            Ok("TRUNCATE TABLE".to_string())
        }
        Plan::Reindex { indexes } => {
            for (table, index) in indexes {
                dropped.push(write::reindex(&ctx, xid, table, index)?);
            }
            Ok("REINDEX".to_string())
        }
        Plan::Explain {
            root,
            costs,
            analyze,
            planning_ms,
            columns,
        } => {
            sink.columns(columns, "EXPLAIN")?;
            let lines = crate::sql::explain::explain(root, &ctx, *costs, *analyze, *planning_ms)?;
            for line in lines {
                sink.row(vec![Value::Text(line)])?;
            }
            Ok("EXPLAIN".to_string())
        }
        Plan::AlterTable {
            table,
            missing,
            actions,
        } => {
            skipped(sink, "relation", missing);
            if let Some(table) = table {
                let mut notices = Vec::new();
                exec::alter::alter_table(&ctx, xid, table, actions, &mut notices, dropped)?;
                for n in notices {
                    sink.notice("NOTICE", "00000", n);
                }
            }
            Ok("ALTER TABLE".to_string())
        }
        Plan::Comment { oid, sub, text, .. } => {
            engine
                .catalog()
                .set_description(*oid, *sub, text.clone(), xid)?;
            Ok("COMMENT".to_string())
        }
        Plan::CreateEnum { name, labels } => {
            engine
                .catalog()
                .create_enum(name, labels, ctx.eval.role, xid)?;
            Ok("CREATE TYPE".to_string())
        }
        Plan::AlterEnum { oid, change, .. } => {
            let catalog = engine.catalog();
            match change {
                EnumChange::AddValue {
                    label,
                    neighbour,
                    if_not_exists,
                } => {
                    let neighbour = neighbour.as_ref().map(|(n, before)| (n.as_str(), *before));
                    if !catalog.add_enum_label(*oid, label, neighbour, *if_not_exists, xid)? {
                        sink.notice(
                            "NOTICE",
                            "42710",
                            format!("enum label \"{label}\" already exists, skipping"),
                        );
                    }
                }
                EnumChange::Rename(new_name) => catalog.rename_enum(*oid, new_name, xid)?,
                EnumChange::RenameValue { old, new } => {
                    catalog.rename_enum_label(*oid, old, new, xid)?
                }
            }
            Ok("ALTER TYPE".to_string())
        }
        Plan::DropTypes { types, missing } => {
            skipped(sink, "type", missing);
            for (oid, _) in types {
                engine.catalog().drop_enum(*oid, xid)?;
            }
            Ok("DROP TYPE".to_string())
        }
        Plan::CreateSequence { def, if_not_exists } => {
            let catalog = engine.catalog();
            if *if_not_exists && catalog.relation_exists(&def.key()) {
                sink.notice(
                    "NOTICE",
                    "42P07",
                    format!("relation \"{}\" already exists, skipping", def.name),
                );
            } else {
                let mut def = def.clone();
                def.owner = ctx.eval.role;
                catalog.create_sequence(def, xid)?;
            }
            Ok("CREATE SEQUENCE".to_string())
        }
        Plan::AlterSequence {
            def,
            restart,
            missing,
        } => {
            skipped(sink, "relation", missing);
            if let Some(def) = def {
                engine
                    .catalog()
                    .alter_sequence(def.clone(), *restart, xid)?;
            }
            Ok("ALTER SEQUENCE".to_string())
        }
        Plan::DropSequence { names, missing } => {
            skipped(sink, "sequence", missing);
            for name in names {
                dropped.push(engine.catalog().drop_sequence(name, xid)?);
            }
            Ok("DROP SEQUENCE".to_string())
        }
        Plan::CreateSchema {
            name,
            owner,
            if_not_exists,
        } => {
            let catalog = engine.catalog();
            if *if_not_exists && catalog.schema_by_name(name).is_some() {
                sink.notice(
                    "NOTICE",
                    "42P06",
                    format!("schema \"{name}\" already exists, skipping"),
                );
            } else {
                catalog.create_schema(name, owner.unwrap_or(ctx.eval.role), xid)?;
            }
            Ok("CREATE SCHEMA".to_string())
        }
        Plan::DropSchemas {
            schemas,
            missing,
            cascade,
        } => {
            skipped(sink, "schema", missing);
            if *cascade {
                let contents: Vec<String> = schemas
                    .iter()
                    .flat_map(|s| crate::sql::binder::schema_contents(engine.catalog(), s))
                    .collect();
                cascade_notice(sink, &contents);
            }
            for schema in schemas {
                dropped.extend(write::drop_schema(&ctx, xid, schema)?);
            }
            Ok("DROP SCHEMA".to_string())
        }
        Plan::CreateDatabase { name, owner } => {
            engine
                .catalog()
                .create_database(name, owner.unwrap_or(ctx.eval.role), xid)?;
            Ok("CREATE DATABASE".to_string())
        }
        Plan::DropDatabase { database, name } => {
            let Some(database) = database else {
                skipped(sink, "database", [name]);
                return Ok("DROP DATABASE".to_string());
            };
            dropped.extend(write::drop_database(&ctx, xid, database)?);
            Ok("DROP DATABASE".to_string())
        }
        Plan::DropView { names, missing } => {
            skipped(sink, "view", missing);
            for name in names {
                engine.catalog().drop_view(name, xid)?;
            }
            Ok("DROP VIEW".to_string())
        }
        Plan::CreateView {
            schema,
            name,
            columns,
            definition,
            replace,
        } => {
            let owner = ctx.eval.role;
            if schema.starts_with(crate::catalog::schemas::TEMP_SCHEMA_PREFIX)
                && engine.catalog().schema_by_name(schema).is_none()
            {
                engine
                    .catalog()
                    .create_schema(schema, ctx.eval.session_user, xid)?;
            }
            engine.catalog().create_view(
                schema,
                name,
                columns.clone(),
                definition.clone(),
                owner,
                *replace,
                xid,
            )?;
            Ok("CREATE VIEW".to_string())
        }
        Plan::CopyTo {
            root,
            columns,
            format,
            file,
        } => super::copy_out::copy_to(root, columns, format, file.as_deref(), &ctx, sink),
        Plan::CopyFrom { .. } => Err(crate::errunsupported!(
            "COPY FROM STDIN outside the wire protocol"
        )),
        Plan::Utility { .. } => Err(crate::errinternal!(
            "utility statement reached the executor"
        )),
    }
}

/// IF EXISTS's notices for the names that were not there.
/// PostgreSQL's NOTICE for what a DROP … CASCADE drops besides its
/// objects: the one object, or a count with the list in DETAIL.
fn cascade_notice(sink: &mut dyn RowSink, objects: &[String]) {
    match objects {
        [] => {}
        [one] => sink.notice("NOTICE", "00000", format!("drop cascades to {one}")),
        all => sink.notice_with_detail(
            "NOTICE",
            "00000",
            format!("drop cascades to {} other objects", all.len()),
            all.iter()
                .map(|o| format!("drop cascades to {o}"))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
    }
}

fn skipped<'n>(sink: &mut dyn RowSink, kind: &str, names: impl IntoIterator<Item = &'n String>) {
    for name in names {
        sink.notice(
            "NOTICE",
            "00000",
            format!("{kind} \"{name}\" does not exist, skipping"),
        );
    }
}

fn send_returning(sink: &mut dyn RowSink, bound: &Bound, tag: &str, rows: Vec<Row>) -> Result<()> {
    if let Some(columns) = bound.plan.output_columns() {
        sink.columns(columns, tag)?;
        for row in rows {
            sink.row(row)?;
        }
    }
    Ok(())
}
