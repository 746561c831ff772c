//! The machine to one test for a while. All tests share one process and run in parallel; a
//! test whose subject is timing under a quiet machine (`serve_burst`: 500 files written in one
//! burst must make one update, and a writer paused by other work makes two) takes [`alone`].
//!
//! ```ignore
//! let server = Served::start(&fixture.root(), &[]);
//! let machine = alone();
//! // ... write the burst, with std::fs, not with the support functions that wait for a turn
//! drop(machine);
//! ```
//!
//! [`alone`] waits until the builds, commands and server starts of other tests that are under
//! way end (every one takes [`busy`] while it runs: `Fixture::build`, `Fixture::write`,
//! `Handbook::run`, `Served::start`), and holds off new ones until it is dropped. A test that
//! holds it may not call those itself (it would wait for itself): start what it needs first.

use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

static MACHINE: RwLock<()> = RwLock::new(());

/// Holds off the work of other tests until dropped.
pub fn alone() -> RwLockWriteGuard<'static, ()> {
    MACHINE.write().unwrap_or_else(PoisonError::into_inner)
}

/// Held while a step that keeps the CPU busy runs: waits while a test is [`alone`].
pub fn busy() -> RwLockReadGuard<'static, ()> {
    MACHINE.read().unwrap_or_else(PoisonError::into_inner)
}
