//! The settings PostgreSQL reports to clients: those a startup packet
//! sets, and the ParameterStatus messages sent when a statement changes
//! one (also when a ROLLBACK undoes a SET).

use super::*;

impl Session {
    /// Applies the settings a client gave in its startup packet
    /// (application_name, TimeZone, …); names that are not settings are
    /// left alone, and a value FlintDB refuses is ignored with a log line.
    pub fn with_startup_settings<'a>(
        mut self,
        params: impl IntoIterator<Item = (&'a String, &'a String)>,
    ) -> Self {
        for (name, value) in params {
            if !settings::is_known(name) || name.eq_ignore_ascii_case("client_encoding") {
                continue;
            }
            if let Err(e) = self.settings.set(name, Some(value), false, false) {
                tracing::debug!(name, error = %e, "startup setting ignored");
            }
        }
        self
    }

    /// The settings PostgreSQL reports with ParameterStatus, now.
    pub(super) fn reportable(&self) -> Vec<(&'static str, String)> {
        let who = self.who();
        let catalog = self.engine.catalog();
        let mut out: Vec<(&'static str, String)> = [
            "application_name",
            "client_encoding",
            "DateStyle",
            "IntervalStyle",
            "integer_datetimes",
            "server_encoding",
            "standard_conforming_strings",
            "TimeZone",
        ]
        .into_iter()
        .map(|name| {
            let value = self.settings.show(name).map(|(_, v)| v).unwrap_or_default();
            (name, value)
        })
        .collect();
        let superuser = catalog.is_superuser(who.session);
        out.push((
            "is_superuser",
            if superuser { "on" } else { "off" }.to_string(),
        ));
        out.push(("session_authorization", catalog.role_name(who.session)));
        out
    }

    /// Tells the client of reported settings a statement changed.
    pub(super) fn report_changes(&mut self, sink: &mut dyn RowSink) {
        let now = self.reportable();
        if let Some(before) = &self.reported {
            for ((name, old), (_, new)) in before.iter().zip(&now) {
                if old != new {
                    sink.parameter_status(name, new);
                }
            }
        }
        self.publish_application_name(&now);
        self.reported = Some(now);
    }

    /// Shows the client's application_name in pg_stat_activity (kept
    /// there when a reported setting may have changed, not per statement).
    pub(super) fn publish_application_name(&self, reported: &[(&'static str, String)]) {
        let Some((_, backend)) = &self.backend else {
            return;
        };
        if let Some((_, name)) = reported.iter().find(|(n, _)| *n == "application_name") {
            let mut activity = backend.activity.lock();
            if activity.application_name != *name {
                activity.application_name = name.clone();
            }
        }
    }
}
