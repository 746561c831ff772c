//! The threads that check links: at most `concurrency` requests in flight, at most `per_host`
//! to any one host, and nothing started after the check's deadline.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

/// One link to request.
pub(super) struct Job {
    pub(super) key: String,
    pub(super) host: String,
}

/// How [`run_pool`] may run its jobs.
pub(super) struct Limits {
    /// Threads, so requests in flight at once.
    pub(super) workers: usize,
    /// Jobs of one host at once.
    pub(super) per_host: usize,
    /// When to stop waiting for results.
    pub(super) deadline: Option<Instant>,
}

/// Runs `work` for every job on up to `workers` threads, at most `per_host` jobs of one host at
/// a time. Returns each job with its result, in no particular order. At the deadline it
/// returns what is done: no job starts after it, and the threads still working are left to
/// finish on their own (their results are dropped).
pub(super) fn run_pool<R: Send + 'static>(
    jobs: Vec<Job>,
    limits: Limits,
    work: impl Fn(&Job) -> R + Send + Sync + 'static,
) -> Vec<(Job, R)> {
    let total = jobs.len();
    let workers = limits.workers.max(1).min(total);
    let queue = Arc::new(Queue {
        state: Mutex::new(QueueState {
            pending: jobs.into(),
            busy: HashMap::new(),
        }),
        freed: Condvar::new(),
        per_host: limits.per_host.max(1),
        stopped: AtomicBool::new(false),
    });
    let work = Arc::new(work);
    let (sender, receiver) = std::sync::mpsc::channel();
    let mut started = 0;
    for i in 0..workers {
        let (queue, work, sender) = (Arc::clone(&queue), Arc::clone(&work), sender.clone());
        let worker = move || {
            while let Some((job, place)) = queue.take() {
                let result = work(&job);
                drop(place);
                if sender.send((job, result)).is_err() {
                    return;
                }
            }
        };
        let spawned = std::thread::Builder::new()
            .name(format!("link-check-{i}"))
            .spawn(worker);
        started += usize::from(spawned.is_ok());
    }
    drop(sender);
    let mut results = Vec::with_capacity(total);
    if started == 0 {
        // The system is out of threads: do the work here, deadline or not.
        while let Some((job, place)) = queue.take() {
            let result = work(&job);
            drop(place);
            results.push((job, result));
        }
        return results;
    }
    collect_until(&receiver, limits.deadline, total, &mut results);
    queue.stop();
    results
}

/// Receives results until there are `total`, the workers are gone, or the deadline passed.
fn collect_until<T>(
    receiver: &std::sync::mpsc::Receiver<T>,
    deadline: Option<Instant>,
    total: usize,
    results: &mut Vec<T>,
) {
    while results.len() < total {
        let next = match deadline {
            None => receiver.recv().ok(),
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                receiver.recv_timeout(left).ok()
            }
        };
        match next {
            Some(result) => results.push(result),
            None => return,
        }
    }
}

/// The jobs not started yet, and how many requests each host has in flight.
struct Queue {
    state: Mutex<QueueState>,
    /// Signalled whenever a host's request ends: a waiting worker may now take a job.
    freed: Condvar,
    per_host: usize,
    /// Set at the deadline: no job starts after it.
    stopped: AtomicBool,
}

struct QueueState {
    pending: VecDeque<Job>,
    busy: HashMap<String, usize>,
}

impl Queue {
    fn lock(&self) -> MutexGuard<'_, QueueState> {
        // A poisoned lock means a worker panicked; the counts are still right (see
        // `HostPlace`).
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The first pending job whose host has room, waiting for room if needed, with the place
    /// it takes; `None` when nothing is pending.
    fn take(&self) -> Option<(Job, HostPlace<'_>)> {
        let mut state = self.lock();
        loop {
            if state.pending.is_empty() || self.stopped.load(Ordering::SeqCst) {
                return None;
            }
            let per_host = self.per_host;
            let QueueState { pending, busy } = &mut *state;
            let free = pending
                .iter()
                .position(|job| busy.get(&job.host).copied().unwrap_or(0) < per_host);
            if let Some(job) = free.and_then(|index| pending.remove(index)) {
                *busy.entry(job.host.clone()).or_insert(0) += 1;
                let place = HostPlace {
                    queue: self,
                    host: job.host.clone(),
                };
                return Some((job, place));
            }
            state = self
                .freed
                .wait(state)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }
}

impl Queue {
    /// No job starts from now on; workers waiting for a host's place give up.
    fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        let _state = self.lock();
        self.freed.notify_all();
    }
}

/// One of a host's `per_host` places, taken by a job in flight. Given back when dropped, even
/// by a panic, so that no worker waits forever for it.
struct HostPlace<'a> {
    queue: &'a Queue,
    host: String,
}

impl Drop for HostPlace<'_> {
    fn drop(&mut self) {
        let mut state = self.queue.lock();
        if let Some(count) = state.busy.get_mut(&self.host) {
            *count = count.saturating_sub(1);
        }
        drop(state);
        self.queue.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn pool_respects_both_limits() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let jobs = (0..12)
            .map(|i| Job {
                key: i.to_string(),
                host: if i % 2 == 0 { "a" } else { "b" }.to_string(),
            })
            .collect();
        let in_flight: Arc<HashMap<&str, AtomicUsize>> =
            Arc::new([("a", AtomicUsize::new(0)), ("b", AtomicUsize::new(0))].into());
        let total = Arc::new(AtomicUsize::new(0));
        let max_host = Arc::new(AtomicUsize::new(0));
        let max_total = Arc::new(AtomicUsize::new(0));
        let limits = Limits {
            workers: 3,
            per_host: 2,
            deadline: None,
        };
        let (in_flight2, total2) = (Arc::clone(&in_flight), Arc::clone(&total));
        let (max_host2, max_total2) = (Arc::clone(&max_host), Arc::clone(&max_total));
        let done = run_pool(jobs, limits, move |job| {
            let (in_flight, total) = (&in_flight2, &total2);
            let (max_host, max_total) = (&max_host2, &max_total2);
            let host = &in_flight[job.host.as_str()];
            max_host.fetch_max(host.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
            max_total.fetch_max(total.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(20));
            host.fetch_sub(1, Ordering::SeqCst);
            total.fetch_sub(1, Ordering::SeqCst);
            job.key.clone()
        });
        assert_eq!(done.len(), 12);
        assert!(done.iter().all(|(job, key)| job.key == *key));
        assert_eq!(max_host.load(Ordering::SeqCst), 2);
        assert_eq!(max_total.load(Ordering::SeqCst), 3);
    }
}
