//! `MIGLINT_TIMING=1`: how long each phase of a run took, on stderr, in
//! wall time and in CPU time of the main thread, and the serial share of the
//! run (the main thread's CPU over the process's: the main thread does the
//! serial work and waits while rayon's threads do the parallel work). A
//! measuring aid (issue 15), independent of the machine's load.

use std::sync::Mutex;
use std::time::{Duration, Instant};

struct Timer {
    start: Instant,
    last_wall: Instant,
    last_cpu: Duration,
    /// Name, wall, main-thread CPU, peak RSS so far (MB).
    phases: Vec<(&'static str, Duration, Duration, Option<u64>)>,
    notes: Vec<String>,
}

static TIMER: Mutex<Option<Timer>> = Mutex::new(None);

/// Starts timing when `MIGLINT_TIMING` is set (to anything but `0`).
pub fn start() {
    if std::env::var_os("MIGLINT_TIMING").is_none_or(|v| v == "0") {
        return;
    }
    let now = Instant::now();
    *lock() = Some(Timer {
        start: now,
        last_wall: now,
        last_cpu: thread_cpu(),
        phases: Vec::new(),
        notes: Vec::new(),
    });
}

/// Ends the phase `name` (it began at the previous mark or at [`start`]).
/// Call on the main thread.
pub fn mark(name: &'static str) {
    if let Some(t) = lock().as_mut() {
        let (wall, cpu) = (Instant::now(), thread_cpu());
        t.phases.push((
            name,
            wall - t.last_wall,
            cpu.saturating_sub(t.last_cpu),
            peak_rss_mb(),
        ));
        t.last_wall = wall;
        t.last_cpu = cpu;
    }
}

/// Adds a line to the report (e.g. a counter), when timing.
pub fn note(line: impl FnOnce() -> String) {
    if let Some(t) = lock().as_mut() {
        t.notes.push(line());
    }
}

/// Prints the phases and the serial share on stderr.
pub fn report() {
    let Some(t) = lock().take() else {
        return;
    };
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mut out =
        String::from("miglint timing (ms): phase, wall, main-thread CPU, peak RSS so far (MB)\n");
    for (name, wall, cpu, peak) in &t.phases {
        let peak = peak.map_or_else(|| "-".to_string(), |mb| mb.to_string());
        out.push_str(&format!(
            "  {name:<12} {:>9.2} {:>9.2} {peak:>6}\n",
            ms(*wall),
            ms(*cpu)
        ));
    }
    for note in &t.notes {
        out.push_str(&format!("  {note}\n"));
    }
    let main = thread_cpu();
    let process = process_cpu();
    let share = if process.is_zero() {
        0.0
    } else {
        100.0 * main.as_secs_f64() / process.as_secs_f64()
    };
    out.push_str(&format!(
        "  total wall {:.2}, process CPU {:.2}, main-thread CPU {:.2}: serial share {share:.1}%\n",
        ms(t.start.elapsed()),
        ms(process),
        ms(main),
    ));
    eprint!("{out}");
}

/// The process's peak resident memory so far (`VmHWM`, Linux only).
fn peak_rss_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

fn lock() -> std::sync::MutexGuard<'static, Option<Timer>> {
    TIMER.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(unix)]
fn clock(id: rustix::time::ClockId) -> Duration {
    let t = rustix::time::clock_gettime(id);
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// CPU time of the calling thread since it started.
#[cfg(unix)]
fn thread_cpu() -> Duration {
    clock(rustix::time::ClockId::ThreadCPUTime)
}

/// CPU time of the process (all threads, so far).
#[cfg(unix)]
fn process_cpu() -> Duration {
    clock(rustix::time::ClockId::ProcessCPUTime)
}

#[cfg(not(unix))]
fn thread_cpu() -> Duration {
    Duration::ZERO
}

#[cfg(not(unix))]
fn process_cpu() -> Duration {
    Duration::ZERO
}
