//! Typed events and the bus that delivers them.
//!
//! Every event is first written to the `events` table by whoever records it (the runner, or an
//! operation such as create or cancel), then delivered by one tail thread per engine that reads
//! the table in `seq` order. Reading from the database, rather than passing events in memory,
//! means a subscriber sees the events of every process sharing the data folder (the app and a
//! `gsv` in a terminal), in one order, with nothing recorded twice.

use std::collections::BTreeMap;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::error::ErrorPayload;
use crate::stage::{StageKind, StageStatus};
use crate::store::{MetricPoint, StageInfo};

/// Severity of a log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum LogLevel {
    /// Details for debugging.
    Debug,
    /// Normal progress.
    Info,
    /// Something odd that did not stop the stage.
    Warn,
    /// Something failed.
    Error,
}

/// One event, with where and when it happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Event {
    /// Position in the database's event log; increases by one per recorded event.
    #[ts(type = "number")]
    pub seq: i64,
    /// Milliseconds since the Unix epoch.
    #[ts(type = "number")]
    pub time: i64,
    /// The experiment.
    pub experiment_id: String,
    /// The stage; `null` for experiment-level events.
    pub stage: Option<StageKind>,
    /// The stage's attempt number (1 for the first run; 0 for experiment-level events).
    pub attempt: u32,
    /// What happened.
    #[serde(flatten)]
    pub body: EventBody,
}

/// What happened, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum EventBody {
    /// First event of a stage subscription: the stage's current state and the metrics stored
    /// for its current attempt, so a late subscriber can draw the whole curve.
    Snapshot {
        /// Current state.
        info: Box<StageInfo>,
        /// Stored metric history of the current attempt.
        metrics: Vec<MetricPoint>,
    },
    /// The stage's status changed (`queued`, `running`, `stale`...).
    Status {
        /// The new status.
        status: StageStatus,
    },
    /// Progress of a running stage.
    Progress {
        /// Steps (items or optimiser steps) done.
        #[ts(type = "number")]
        step: u64,
        /// Current epoch, for training stages.
        epoch: Option<u32>,
        /// Steps in all, when known.
        #[ts(type = "number | null")]
        total: Option<u64>,
        /// Share done, 0–1, when known.
        fraction: Option<f64>,
        /// Loss values at this step, by name.
        losses: BTreeMap<String, f64>,
    },
    /// A named value (also stored in the metrics table).
    Metric {
        /// Name, e.g. `loss_mel`.
        name: String,
        /// Value.
        value: f64,
        /// Step.
        #[ts(type = "number")]
        step: u64,
        /// Epoch, for training stages.
        epoch: Option<u32>,
    },
    /// A checkpoint was saved.
    Checkpoint {
        /// Epoch of the checkpoint.
        epoch: u32,
        /// Path relative to the experiment folder.
        path: String,
    },
    /// A log line of the stage.
    Log {
        /// Severity.
        level: LogLevel,
        /// The line.
        message: String,
    },
    /// Terminal: the stage completed.
    Completed {
        /// The stage's result summary.
        result: Value,
        /// Files it wrote, relative to the experiment folder.
        artifacts: Vec<String>,
    },
    /// Terminal: the stage failed.
    Failed {
        /// Why.
        error: ErrorPayload,
    },
    /// Terminal: the stage was cancelled.
    Cancelled {},
    /// An experiment was created.
    ExperimentCreated {},
    /// An experiment's base configuration changed.
    ExperimentUpdated {},
    /// An experiment was deleted.
    ExperimentDeleted {},
}

impl EventBody {
    /// Whether this is one of the three terminal events of a run.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            Self::Completed { .. } | Self::Failed { .. } | Self::Cancelled {}
        )
    }
}

impl Event {
    /// Whether this is one of the three terminal events of a run.
    pub fn is_terminal(&self) -> bool {
        self.body.is_terminal()
    }
}

/// A stream of events. Dropping it unsubscribes.
#[derive(Debug)]
pub struct Subscription {
    receiver: Receiver<Event>,
}

impl Subscription {
    /// Waits for the next event; `None` once the engine is gone.
    pub fn recv(&self) -> Option<Event> {
        self.receiver.recv().ok()
    }

    /// Waits at most `timeout` for the next event; `None` on timeout or once the engine is gone.
    pub fn recv_timeout(&self, timeout: Duration) -> Option<Event> {
        self.receiver.recv_timeout(timeout).ok()
    }
}

impl Iterator for Subscription {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        self.recv()
    }
}

/// Which events a subscriber wants.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Filter {
    All,
    Stage {
        experiment_id: String,
        stage: StageKind,
    },
}

impl Filter {
    fn accepts(&self, event: &Event) -> bool {
        match self {
            Self::All => true,
            Self::Stage {
                experiment_id,
                stage,
            } => {
                // A stage's stream also learns that its experiment is gone, so that a watcher
                // does not wait forever.
                let deleted = matches!(event.body, EventBody::ExperimentDeleted {});
                event.experiment_id == *experiment_id && (event.stage == Some(*stage) || deleted)
            }
        }
    }
}

struct Subscriber {
    filter: Filter,
    after_seq: i64,
    sender: Sender<Event>,
}

#[derive(Default)]
struct BusState {
    delivered_seq: i64,
    subscribers: Vec<Subscriber>,
}

/// Fan-out of recorded events to subscribers.
///
/// The wake flag has its own lock so that a writer may wake the bus while it still holds the
/// database connection, while `subscribe` holds the bus state and then takes the connection:
/// the two locks are never taken in opposite orders.
#[derive(Default)]
pub(crate) struct Bus {
    state: Mutex<BusState>,
    wake_requested: Mutex<bool>,
    wake: Condvar,
}

impl Bus {
    /// Sets where delivery starts (events up to `seq` are history).
    pub(crate) fn start_after(&self, seq: i64) {
        self.lock().delivered_seq = seq;
    }

    /// The seq of the last delivered event.
    pub(crate) fn delivered_seq(&self) -> i64 {
        self.lock().delivered_seq
    }

    /// Asks the tail thread to read the table now rather than at its next poll.
    pub(crate) fn wake(&self) {
        *lock(&self.wake_requested) = true;
        self.wake.notify_all();
    }

    /// Waits until woken or until `timeout`.
    pub(crate) fn wait(&self, timeout: Duration) {
        let mut requested = lock(&self.wake_requested);
        if !*requested {
            requested = self
                .wake
                .wait_timeout(requested, timeout)
                .map(|(guard, _)| guard)
                .unwrap_or_else(|poisoned| poisoned.into_inner().0);
        }
        *requested = false;
    }

    /// Delivers events read from the table, in seq order.
    pub(crate) fn deliver(&self, events: Vec<Event>) {
        let mut state = self.lock();
        for event in events {
            if event.seq <= state.delivered_seq {
                continue;
            }
            state.subscribers.retain(|subscriber| {
                if event.seq <= subscriber.after_seq || !subscriber.filter.accepts(&event) {
                    return true;
                }
                subscriber.sender.send(event.clone()).is_ok()
            });
            state.delivered_seq = event.seq;
        }
    }

    /// Registers a subscriber. `prepare` runs while the bus state is locked, so no event can be
    /// delivered between the snapshot it takes and the registration: it returns the seq the
    /// snapshot reflects and the first events to send (the snapshot itself). The database only
    /// grows, so that seq is never behind what the bus already delivered.
    pub(crate) fn subscribe<E>(
        &self,
        filter: Filter,
        prepare: impl FnOnce() -> Result<(i64, Vec<Event>), E>,
    ) -> Result<Subscription, E> {
        let mut state = self.lock();
        let (after_seq, initial) = prepare()?;

        let (sender, receiver) = mpsc::channel();
        for event in initial {
            // The receiver is still in our hands, so this cannot fail.
            let _ = sender.send(event);
        }
        state.subscribers.push(Subscriber {
            filter,
            after_seq,
            sender,
        });
        Ok(Subscription { receiver })
    }

    /// Drops every subscriber, ending their streams.
    pub(crate) fn close(&self) {
        self.lock().subscribers.clear();
    }

    fn lock(&self) -> MutexGuard<'_, BusState> {
        lock(&self.state)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
