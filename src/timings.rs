//! Phase timings for profiling a build: set `DOSSIER_TIMINGS=1` and each
//! phase prints its duration to stderr.

use std::sync::OnceLock;
use std::time::Instant;

pub(crate) struct Timer {
    last: Instant,
}

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("DOSSIER_TIMINGS").is_some_and(|v| !v.is_empty()))
}

impl Timer {
    pub(crate) fn new() -> Timer {
        Timer {
            last: Instant::now(),
        }
    }

    /// Prints the time since the previous lap under `phase`.
    pub(crate) fn lap(&mut self, phase: &str) {
        if enabled() {
            let now = Instant::now();
            eprintln!(
                "timing {phase}: {:.2} ms{}",
                (now - self.last).as_secs_f64() * 1000.0,
                memory()
            );
            self.last = now;
        }
    }
}

/// Resident memory now and at its peak, from `/proc/self/status` where
/// there is one (Linux): where a build's memory goes, phase by phase.
fn memory() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
            .map_or(0, |kb| kb / 1024)
    };
    format!(" (RSS {} MB, peak {} MB)", field("VmRSS:"), field("VmHWM:"))
}

/// Time spent per kind of work and step (say, article pages: building
/// their contexts, converting them, the template, writing), summed over
/// threads and printed by [`print_tally`]: where a phase's time goes when
/// its laps alone do not say.
static TALLY: std::sync::Mutex<Vec<(&'static str, [std::time::Duration; 4], usize)>> =
    std::sync::Mutex::new(Vec::new());

/// Steps of one item timed by [`tally`]: the instants between which each
/// step ran, so `steps[k]..steps[k + 1]` is step k.
pub(crate) fn tally(kind: &'static str, steps: &[Instant]) {
    if !enabled() || steps.len() < 2 {
        return;
    }
    let mut tally = TALLY.lock().unwrap_or_else(|e| e.into_inner());
    let index = match tally.iter().position(|(k, ..)| *k == kind) {
        Some(index) => index,
        None => {
            tally.push((kind, Default::default(), 0));
            tally.len() - 1
        }
    };
    let (_, times, count) = &mut tally[index];
    for (k, pair) in steps.windows(2).take(4).enumerate() {
        times[k] += pair[1] - pair[0];
    }
    *count += 1;
}

/// Whether [`tally`] records anything: callers skip taking instants.
pub(crate) fn tallying() -> bool {
    enabled()
}

/// Prints and clears what [`tally`] summed, under `title` naming its
/// steps.
pub(crate) fn print_tally(title: &str) {
    if !enabled() {
        return;
    }
    let mut tally = TALLY.lock().unwrap_or_else(|e| e.into_inner());
    tally.sort_by_key(|(_, times, _)| std::cmp::Reverse(times.iter().sum::<std::time::Duration>()));
    for (kind, times, count) in tally.drain(..) {
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        eprintln!(
            "timing   {title} {kind} ({count}): {:.0} / {:.0} / {:.0} / {:.0} ms",
            ms(times[0]),
            ms(times[1]),
            ms(times[2]),
            ms(times[3]),
        );
    }
}
