//! The session settings that steer the planner's choices of join method
//! (PostgreSQL's `enable_hashjoin`, `enable_mergejoin`,
//! `enable_nestloop` and `work_mem`). The session sets them on its thread
//! for the duration of a statement ([`with_planner_settings`]); without,
//! PostgreSQL's defaults hold.

use std::cell::Cell;

/// What the planner may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlannerSettings {
    pub enable_hashjoin: bool,
    pub enable_mergejoin: bool,
    pub enable_nestloop: bool,
    /// Memory a hash table may take before PostgreSQL would spill it, in
    /// bytes.
    pub work_mem: u64,
}

impl Default for PlannerSettings {
    fn default() -> Self {
        PlannerSettings {
            enable_hashjoin: true,
            enable_mergejoin: true,
            enable_nestloop: true,
            work_mem: 4 << 20,
        }
    }
}

thread_local! {
    static SETTINGS: Cell<Option<PlannerSettings>> = const { Cell::new(None) };
}

/// Runs `f` with `settings` as this thread's planner settings.
pub fn with_planner_settings<R>(settings: PlannerSettings, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<PlannerSettings>);
    impl Drop for Restore {
        fn drop(&mut self) {
            SETTINGS.with(|s| s.set(self.0));
        }
    }
    let _restore = Restore(SETTINGS.with(|s| s.replace(Some(settings))));
    f()
}

/// This thread's planner settings.
pub fn planner_settings() -> PlannerSettings {
    SETTINGS.with(Cell::get).unwrap_or_default()
}
